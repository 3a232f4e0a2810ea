// mlp_ensemble fit time with the BANANAS defaults (5 members, 10 x 20 ReLU, 150 epochs, batch 32)
// on NAS-Bench-201 path encodings (155 bits, 4 set), at the training-set sizes a 100-query
// BANANAS run sees (10 .. 90 cells). The `bananas` strategy fits once per round of 10 queries.
// Run:
//   ./build/bench_mlp_ensemble --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "core/rng.hpp"
#include "experiments/runner/experiment.hpp"
#include "predictors/encodings.hpp"
#include "predictors/mlp_ensemble.hpp"

using namespace tandem;

namespace {

void fit_on_nb201_paths(benchmark::State& state) {
  auto space = space_registry().create("nb201", ConfigNode());
  ArchitectureEncoder encoder(*space, EncodingKind::path);
  const int n = static_cast<int>(state.range(0));
  Rng rng(0);
  Eigen::MatrixXd x(n, static_cast<Eigen::Index>(encoder.size()));
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    const Candidate cell = space->sample(rng);
    const std::vector<double> row = encoder.encode(cell);
    for (std::size_t c = 0; c < row.size(); ++c) x(i, static_cast<Eigen::Index>(c)) = row[c];
    y(i) = rng.normal(90.0, 5.0);
  }
  std::uint64_t seed = 0;
  for (auto _ : state) {
    MlpEnsemble model(MlpEnsembleOptions{}, seed++);
    model.fit(x, y);
    benchmark::DoNotOptimize(model.training_error());
  }
  state.counters["fits/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(fit_on_nb201_paths)->Arg(10)->Arg(50)->Arg(90)->Unit(benchmark::kMillisecond);

