# tandem — the two commands of the README:
#   make run    installs missing Debian packages, builds the tandem program (Release) and runs the
#               quickstart experiment
#   make test   same set-up plus the test-only packages (chromium for the browser tests, python3),
#               then builds the tests and benchmarks too and runs every test (ctest)
# Other targets: build (the tandem program), build-all (with tests and benchmarks), bench, clean.
# Variables: BUILD (build folder), JOBS, WERROR=ON|OFF.
# libopenmpi-dev + openmpi-bin give `tandem run --mpi` (optional in CMake: TANDEM_WITH_MPI).

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
WERROR ?= OFF
PACKAGES := cmake g++ make pkg-config libeigen3-dev libtbb-dev libboost-graph-dev libsqlite3-dev \
            libcxxopts-dev doctest-dev libyaml-cpp-dev libbenchmark-dev libopenmpi-dev openmpi-bin zlib1g-dev \
            libxgboost-dev libsvm-dev libcpp-httplib-dev
# Only `make test` needs these: the report and dashboard pages are checked in headless Chromium.
TEST_PACKAGES := chromium python3

.PHONY: all deps deps-test install-packages configure configure-tests build build-all run test bench clean

all: build

# apt-get runs only when a package is missing.
deps:
	@$(MAKE) --no-print-directory install-packages WANTED="$(PACKAGES)"

deps-test:
	@$(MAKE) --no-print-directory install-packages WANTED="$(PACKAGES) $(TEST_PACKAGES)"

install-packages:
	@missing=""; \
	for p in $(WANTED); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "tandem: installing missing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DTANDEM_WERROR=$(WERROR) > $(BUILD).configure.log 2>&1 \
	  || (cat $(BUILD).configure.log; exit 1)

configure-tests: deps-test
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DTANDEM_WERROR=$(WERROR) -DBUILD_TESTING=ON \
	  > $(BUILD).configure.log 2>&1 || (cat $(BUILD).configure.log; exit 1)

# The tandem program alone: what `make run` needs.
build: configure
	cmake --build $(BUILD) -j $(JOBS) --target tandem

# The program, every test and every benchmark.
build-all: configure-tests
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@rm -f $(BUILD)/quickstart.db $(BUILD)/quickstart.db-wal $(BUILD)/quickstart.db-shm
	$(BUILD)/tandem run experiments/examples/quickstart.yaml --db $(BUILD)/quickstart.db
	$(BUILD)/tandem trials $(BUILD)/quickstart.db --summary

test: build-all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build-all
	$(BUILD)/bench_trial_loop
	$(BUILD)/bench_hwmodels
	$(BUILD)/bench_parallel

clean:
	rm -rf $(BUILD) $(BUILD).configure.log
