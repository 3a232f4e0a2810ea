// Entry point shared by tandem's Google Benchmark programs: fills the registries once through the
// composition root (experiments/builtins), as the CLI does, then runs the benchmarks.
#include <benchmark/benchmark.h>

#include "experiments/builtins/register_builtins.hpp"

int main(int argc, char** argv) {
  tandem::register_builtins();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
