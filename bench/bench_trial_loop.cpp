// Trials per second of the trial loop: nb201 (C=16, N=5, CIFAR-10 shape) sampled by random
// search, evaluated by graph_stats, every trial logged to a real SQLite file (WAL). Also the
// pieces alone: lowering + counting, and the database writes of one trial.
// Run: build/bench_trial_loop   (issue target: >= 2,000 trials/s on 2 cores)
#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/rng.hpp"
#include "db/trial_store.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/runner/trial_loop.hpp"

using namespace tandem;

namespace {

const char* kConfig =
    "name: bench\n"
    "seed: 0\n"
    "space: {name: nb201}\n"
    "strategy: {name: random}\n"
    "evaluators: [{name: graph_stats}]\n"
    "objectives: [{metric: params, direction: maximize}]\n"
    "budget: {trials: 1000}\n";

std::string temp_db(const std::string& name) {
  auto path = std::filesystem::temp_directory_path() / ("tandem-bench-" + name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

void BM_TrialLoop(benchmark::State& state) {
  const long long trials = 1000;
  for (auto _ : state) {
    state.PauseTiming();
    std::string db = temp_db("loop");
    Experiment experiment(ExperimentConfig::parse(kConfig, "bench.yaml"));
    TrialStore store(db);
    RunOptions options;
    options.show_progress = false;
    state.ResumeTiming();
    RunSummary summary = run_experiment(experiment, store, options);
    benchmark::DoNotOptimize(summary.new_trials);
  }
  state.SetItemsProcessed(state.iterations() * trials);
  state.counters["trials_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * trials), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrialLoop)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_LowerAndCount(benchmark::State& state) {
  auto space = space_registry().create("nb201", ConfigNode());
  Rng rng(0);
  for (auto _ : state) {
    ComputeGraph graph = space->to_graph(space->sample(rng));
    benchmark::DoNotOptimize(graph.total_macs() + graph.total_params());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LowerAndCount);

void BM_StoreOneTrial(benchmark::State& state) {
  std::string db = temp_db("store");
  TrialStore store(db);
  auto experiment = store.create_experiment("bench", "", 0);
  Metrics metrics;
  metrics.set("macs", 1.0e8);
  metrics.set("params", 1.0e6);
  metrics.set("layers", 100);
  for (auto _ : state) {
    auto trial = store.start_trial(experiment, "nb201", "|nor_conv_3x3~0|+|...|", "", "bench");
    store.finish_trial(trial.id, TrialResult::complete(metrics), std::string("state"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreOneTrial);

}  // namespace

