# tandem — the two commands of the README:
#   make run    installs missing Debian packages, builds the tandem program (Release) and runs the
#               quickstart experiment
#   make test   same set-up plus the test-only packages (chromium for the browser tests, python3),
#               then builds the tests and benchmarks too and runs every test (ctest)
# Other targets: build (the tandem program), build-all (with tests and benchmarks), bench, clean,
# and the machines of docs/reliability.md (clang: Debian clang + libfuzzer-14-dev):
#   make fuzz        builds the libFuzzer targets (tests/fuzz, ASan + UBSan) and runs each for
#                    FUZZ_SECONDS (default 600) and at least FUZZ_RUNS executions (default 10^6),
#                    then prints executions and coverage per target
#   make fuzz-smoke  the same for 15 s per target (CI)
#   make sanitize    the whole test suite built with ASan + UBSan, zero reports allowed
#   make tsan        the parallel tests built with ThreadSanitizer
# Variables: BUILD (build folder), JOBS, WERROR=ON|OFF, FUZZ_SECONDS, FUZZ_RUNS, ASAN_BUILD,
# TSAN_BUILD.
# libopenmpi-dev + openmpi-bin give `tandem run --mpi` (optional in CMake: TANDEM_WITH_MPI).

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
WERROR ?= OFF
PACKAGES := cmake g++ make pkg-config libeigen3-dev libtbb-dev libboost-graph-dev libsqlite3-dev \
            libcxxopts-dev doctest-dev libyaml-cpp-dev libbenchmark-dev libopenmpi-dev openmpi-bin zlib1g-dev \
            libxgboost-dev libsvm-dev libcpp-httplib-dev nlohmann-json3-dev libonnx-dev libprotobuf-dev
# Only `make test` needs these: the report and dashboard pages are checked in headless Chromium,
# the `command` evaluator's PyTorch example trains with python3-torch, the PyTorch export is
# compared with python3-torch, the ONNX models pass python3-onnx's checker and the ONNX export
# runs in OpenCV's dnn module (python3-opencv).
TEST_PACKAGES := chromium python3 python3-torch python3-onnx python3-opencv
# Only the sanitizer and fuzzing targets need these.
SANITIZER_PACKAGES := clang libfuzzer-14-dev python3

.PHONY: all deps deps-test install-packages configure configure-tests build build-all run test bench clean \
        deps-sanitizers configure-asan build-fuzz fuzz fuzz-smoke sanitize configure-tsan tsan

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

# --- Fuzzing and sanitizers (docs/reliability.md) ---------------------------------------------
# One clang build folder serves `make fuzz` and `make sanitize`: ASan + UBSan on every target, and
# libFuzzer coverage (-fsanitize=fuzzer-no-link) on the libraries, which the tests do not mind; so
# CI compiles the code once for both. clang rather than GCC: libFuzzer needs it, and one compiler
# for both keeps that single build. Warnings are not errors there: `make test WERROR=ON` (GCC) is
# the warnings gate, and clang warns about GCC-only pragmas the kernels rely on.
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 600
FUZZ_RUNS ?= 1000000
FUZZ_SMOKE_SECONDS ?= 15
# halt_on_error: the first report fails the test; UBSan is built with -fno-sanitize-recover.
SANITIZER_ENV := ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
                 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Left out of `make sanitize` (docs/reliability.md): the browser test (headless Chromium; the
# pages it checks are the same tandem output the CLI tests check), the layering probes (they
# compile, they run no code), the run of every shipped example config (26 minutes under ASan on
# two cores, for code the kill harness and the strategy tests run on smaller configs) and the
# out-of-memory test (`ulimit -v` cannot hold ASan's shadow memory, so it tests nothing there).
SANITIZE_EXCLUDE := ^browser:|^layering:|every shipped example config|out of memory is one line
# The tests that run code on several threads at once: the database (concurrent writers and
# readers), the thread executor (--workers), stop tokens across worker threads, parallel pruning,
# multi-threaded kernels and parallel hardware tasks. Left out: the MPI tests (their concurrency is
# across processes, which TSan does not check, and OpenMPI is not instrumented) and the ones
# make sanitize leaves out. In a TSan build the kernels' parallel_for runs on std::threads, since
# TSan cannot see Debian's uninstrumented libtbb hand work over (trainers/threading.cpp).
TSAN_TESTS := ^db:|workers|worker thread|in parallel|two threads|stop
TSAN_EXCLUDE := $(SANITIZE_EXCLUDE)|rank|mpirun
TSAN_TARGETS := tandem test_db test_experiments test_trainers
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp

deps-sanitizers:
	@$(MAKE) --no-print-directory install-packages WANTED="$(PACKAGES) $(SANITIZER_PACKAGES)"

configure-asan: deps-sanitizers
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTANDEM_SANITIZE=address,undefined -DTANDEM_FUZZ=ON -DBUILD_TESTING=ON -DTANDEM_WERROR=OFF \
	  > $(ASAN_BUILD).configure.log 2>&1 || (cat $(ASAN_BUILD).configure.log; exit 1)

build-fuzz: configure-asan
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target fuzz_all

fuzz: build-fuzz
	FUZZ_RUNS=$(FUZZ_RUNS) tests/fuzz/run_fuzzers.sh $(ASAN_BUILD) $(FUZZ_SECONDS)

# A fixed libFuzzer seed: CI tries the same inputs every time (a clean clone has no grown corpus).
fuzz-smoke: build-fuzz
	FUZZ_SEED=1 tests/fuzz/run_fuzzers.sh $(ASAN_BUILD) $(FUZZ_SMOKE_SECONDS)

sanitize: configure-asan
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target tandem $(addprefix test_,$(notdir $(wildcard tests/core tests/db tests/docs tests/experiments tests/hwmodels tests/predictors tests/search tests/spaces tests/trainers)))
	cd $(ASAN_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS) -E '$(SANITIZE_EXCLUDE)'

configure-tsan: deps-sanitizers
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTANDEM_SANITIZE=thread -DBUILD_TESTING=ON -DTANDEM_WERROR=OFF \
	  > $(TSAN_BUILD).configure.log 2>&1 || (cat $(TSAN_BUILD).configure.log; exit 1)

tsan: configure-tsan
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target $(TSAN_TARGETS)
	cd $(TSAN_BUILD) && $(TSAN_ENV) ctest --output-on-failure -j $(JOBS) -R '$(TSAN_TESTS)' -E '$(TSAN_EXCLUDE)'

clean:
	rm -rf $(BUILD) $(BUILD).configure.log
