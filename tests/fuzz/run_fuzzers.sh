#!/usr/bin/env bash
# Runs tandem's libFuzzer targets (tests/fuzz/fuzz_*.cpp) and prints a table per target:
# executions, executions per second, coverage (libFuzzer's cov: edges and ft: features), corpus
# size, and the outcome. `make fuzz` (FUZZ_SECONDS, default 600 per target, and at least FUZZ_RUNS
# executions, default 10^6) and `make fuzz-smoke` (15 s per target, CI) call it after building
# the targets with clang + ASan + UBSan.
#   [FUZZ_SEED=N] [FUZZ_RUNS=N] tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]
# Each target runs SECONDS; one that has not reached FUZZ_RUNS executions by then (default 0:
# none asked) goes on from its grown corpus until it has, so both figures are minimums.
# Each target starts from a seed corpus made here from the repository's own files (shipped
# configs, data, hand-made seeds in tests/fuzz/corpus/<target>/, and seeds some targets write
# from the code itself) plus the corpus earlier runs grew (BUILD_DIR/fuzz/corpus/<target>), with
# the dictionary of its format (tests/fuzz/dict/). A crash, leak, sanitizer report, timeout or an
# escaped non-tandem::Error exception is a finding: its input lands in BUILD_DIR/fuzz/findings/
# and the script exits 1.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$(cd "${1:?usage: run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]}" && pwd)"
seconds="${2:?usage: run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]}"
shift 2
for number in "$seconds" "${FUZZ_RUNS:-0}"; do
  case "$number" in
    '' | *[!0-9]*) echo "run_fuzzers.sh: '$number' is not a whole number (SECONDS and FUZZ_RUNS are counts)" >&2; exit 2 ;;
  esac
done
if [ "$#" -gt 0 ]; then targets=("$@"); else
  targets=(); for src in "$here"/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi

# The dictionary of each target's input format.
dict_of() {
  case "$1" in
    fuzz_config) echo yaml_config ;;
    fuzz_accelerator) echo yaml_accelerator ;;
    fuzz_space_arch) echo architecture ;;
    fuzz_csv | fuzz_table_evaluator | fuzz_csv_dataset | fuzz_layers_csv | fuzz_lookup_table) echo csv ;;
    fuzz_idx) echo idx ;;
    fuzz_gzip) echo gzip ;;
    fuzz_search_log) echo search_log ;;
    *) echo "" ;;
  esac
}

# Seeds from the repository's files (written into $2).
make_seeds() {
  local target="$1" out="$2"
  case "$target" in
    fuzz_config) cp "$repo"/experiments/examples/*.yaml "$out"/ ;;
    fuzz_accelerator) cp "$repo"/data/hwmodels/*.yaml "$out"/ ;;
    fuzz_layers_csv) cp "$repo"/data/hwmodels/example_layers.csv "$out"/ ;;
    fuzz_lookup_table) cp "$repo"/data/hwmodels/lookup_example.csv "$out"/ ;;
    fuzz_csv)
      for f in "$repo"/data/*/*.csv; do head -c 3000 "$f" > "$out/$(basename "$f")"; done ;;
    fuzz_table_evaluator)
      for f in "$repo"/data/nas-bench-201/*.csv; do head -n 20 "$f" > "$out/$(basename "$f")"; done ;;
    fuzz_csv_dataset) gzip -dc "$repo"/data/uci-digits/digits.csv.gz | head -n 8 > "$out/digits.csv" ;;
    fuzz_gzip)
      gzip -dc "$repo"/data/uci-digits/digits.csv.gz | head -n 4 | gzip -9 > "$out/digits.gz"
      printf 'a' | gzip > "$out/one.gz"; { printf 'x' | gzip; printf 'y' | gzip; } > "$out/two_members.gz" ;;
    fuzz_idx | fuzz_cifar)
      python3 - "$target" "$out" <<'PY'
import gzip, struct, sys
target, out = sys.argv[1], sys.argv[2]
def write(name, data):
    open(f"{out}/{name}", "wb").write(data)
if target == "fuzz_idx":
    images = struct.pack(">IIII", 0x803, 3, 2, 2) + bytes(range(12))
    labels = struct.pack(">II", 0x801, 3) + bytes([0, 9, 4])
    write("raw", struct.pack("<I", len(images)) + images + labels)
    gz = gzip.compress(images)
    write("gzip", struct.pack("<I", len(gz)) + gz + gzip.compress(labels))
else:
    write("cifar10", b"\0" + bytes([3]) + bytes(i % 256 for i in range(3072)))
    write("cifar100", b"\1" + bytes([5, 42]) + bytes(i % 251 for i in range(3072)))
PY
      ;;
    fuzz_space_arch | fuzz_search_log | fuzz_onnx) TANDEM_FUZZ_SEEDS="$out" "$build/$target" > /dev/null 2>&1 ;;
  esac
  if [ -d "$here/corpus/$target" ]; then cp "$here/corpus/$target"/* "$out"/ 2> /dev/null; fi
  return 0
}

workdir="$build/fuzz"
mkdir -p "$workdir/logs" "$workdir/findings" "$workdir/empty"
printf '| target | seconds | executions | exec/s | cov | ft | corpus | outcome |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---|\n'
status=0
for target in "${targets[@]}"; do
  binary="$build/$target"
  if [ ! -x "$binary" ]; then echo "| $target | - | - | - | - | - | - | not built |"; status=1; continue; fi
  seeds="$workdir/seeds/$target"; corpus="$workdir/corpus/$target"; log="$workdir/logs/$target.log"
  rm -rf "$seeds"; mkdir -p "$seeds" "$corpus" "$workdir/findings/$target"
  make_seeds "$target" "$seeds"
  args=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$workdir/findings/$target/")
  # FUZZ_SEED fixes libFuzzer's random seed (make fuzz-smoke: the same inputs on every CI run).
  [ -n "${FUZZ_SEED:-}" ] && args+=(-seed="$FUZZ_SEED")
  dict="$(dict_of "$target")"
  [ -n "$dict" ] && args+=(-dict="$here/dict/$dict.dict")
  # An empty working folder: relative paths in fuzzed configs resolve to nothing.
  fuzz() {
    (cd "$workdir/empty" && ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}" \
       UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}" \
       "$binary" "${args[@]}" "$@") >> "$log" 2>&1
  }
  executed() { grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' |
                 awk '{ total += $1 } END { print total + 0 }'; }
  start=$(date +%s)
  : > "$log"
  fuzz -max_total_time="$seconds" "$corpus" "$seeds"
  rc=$?
  execs=$(executed)
  # Short of FUZZ_RUNS: go on from the corpus grown so far until the count is reached.
  if [ "$rc" -eq 0 ] && [ "$execs" -lt "${FUZZ_RUNS:-0}" ]; then
    fuzz -runs=$(( FUZZ_RUNS - execs )) "$corpus"
    rc=$?
    execs=$(executed)
  fi
  elapsed=$(( $(date +%s) - start ))
  rate=$(( execs / (elapsed > 0 ? elapsed : 1) ))
  last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  corp=$(ls "$corpus" | wc -l)
  if [ "$rc" -eq 0 ]; then outcome="ok"; else
    outcome="FINDING (exit $rc, see $log)"; status=1
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$target" "$elapsed" "${execs:--}" \
    "${rate:--}" "${cov:--}" "${ft:--}" "$corp" "$outcome"
done
exit "$status"
