// Parallel efficiency of the trial loop: random search over nb201 with the `synthetic` evaluator,
// whose trials cost a known time, every trial logged to SQLite by the coordinator.
//   BM_Workers/N/sleep   N threads (`--workers N`), trials that sleep 20 ms (an evaluator waiting
//                        on I/O or an accelerator: scales past the core count)
//   BM_Workers/N/spin    N threads, trials that keep one core busy for 20 ms (CPU-bound: scales
//                        up to the free cores)
//   BM_MpiRanks/N        N evaluator ranks (`mpirun -np N+1 tandem run --mpi` on this machine),
//                        trials that sleep 50 ms; timed by the run's own clock (MPI start-up excluded)
// Counters: trials_per_s, and efficiency = ideal time / measured time, where the ideal time is
// trials x cost / N (= speedup / N against an ideal sequential run).
// Run: build/bench_parallel   (issue target: efficiency >= 0.9 at the core count)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "db/trial_store.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/runner/executors/mpi_executor.hpp"
#include "experiments/runner/trial_loop.hpp"

using namespace tandem;

namespace {

constexpr double kTrialSeconds = 0.020;

std::string config_text(const std::string& cost_key, double seconds) {
  return "name: bench\n"
         "seed: 0\n"
         "space: {name: nb201}\n"
         "strategy: {name: random}\n"
         "evaluators: [{name: synthetic, options: {" + cost_key + ": " + std::to_string(seconds) +
         "}}]\n"
         "objectives: [{metric: score, direction: maximize}]\n"
         "budget: {trials: 1000000}\n";
}

std::string temp_db(const std::string& name) {
  auto path = std::filesystem::temp_directory_path() / ("tandem-bench-" + name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

void report(benchmark::State& state, long long trials, std::size_t workers, double cost,
            double seconds) {
  state.counters["trials_per_s"] = static_cast<double>(trials) / seconds;
  state.counters["efficiency"] = static_cast<double>(trials) * cost / static_cast<double>(workers) / seconds;
}

void BM_Workers(benchmark::State& state) {
  const auto workers = static_cast<std::size_t>(state.range(0));
  const bool spin = state.range(1) != 0;
  const long long trials = 25 * static_cast<long long>(workers);
  double total = 0;
  long long done = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string db = temp_db("parallel");
    Experiment experiment(ExperimentConfig::parse(
        config_text(spin ? "spin_seconds" : "sleep_seconds", kTrialSeconds), "bench.yaml"));
    TrialStore store(db);
    RunOptions options;
    options.show_progress = false;
    options.trials = trials;
    options.workers = workers;
    state.ResumeTiming();
    RunSummary summary = run_experiment(experiment, store, options);
    total += summary.seconds;
    done += summary.new_trials;
  }
  report(state, done, workers, kTrialSeconds, total);
}
BENCHMARK(BM_Workers)
    ->ArgsProduct({{1, 2, 4}, {0, 1}})
    ->ArgNames({"workers", "spin"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

std::string self_folder() {
  std::array<char, 4096> path{};
  ssize_t n = readlink("/proc/self/exe", path.data(), path.size() - 1);
  return n > 0 ? std::filesystem::path(std::string(path.data(), static_cast<std::size_t>(n)))
                     .parent_path()
                     .string()
               : ".";
}

void BM_MpiRanks(benchmark::State& state) {
  if (!mpi_built_in()) {
    state.SkipWithError("built without MPI");
    return;
  }
  const int ranks = static_cast<int>(state.range(0));
  const double cost = 0.050;
  const long long trials = 20LL * ranks;
  const std::string config = (std::filesystem::temp_directory_path() / "tandem-bench-mpi.yaml").string();
  std::FILE* file = std::fopen(config.c_str(), "w");
  std::fputs(config_text("sleep_seconds", cost).c_str(), file);
  std::fclose(file);
  double total = 0;
  long long done = 0;
  for (auto _ : state) {
    std::string db = temp_db("mpi");
    std::string command =
        "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -np " +
        std::to_string(ranks + 1) + " '" + self_folder() + "/tandem' run '" + config + "' --db '" +
        db + "' --quiet --mpi --trials " + std::to_string(trials) + " 2>&1";
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    std::array<char, 4096> buffer;
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
    if (pclose(pipe) != 0) {
      state.SkipWithError(("mpirun failed: " + output.substr(0, 300)).c_str());
      return;
    }
    std::smatch match;
    if (!std::regex_search(output, match, std::regex(R"((\d+) new trials in ([0-9.e+-]+) s)"))) {
      state.SkipWithError("no summary line in tandem's output");
      return;
    }
    done += std::stoll(match[1]);
    total += std::stod(match[2]);
  }
  report(state, done, static_cast<std::size_t>(ranks), cost, total);
}
BENCHMARK(BM_MpiRanks)->Arg(1)->Arg(2)->Arg(4)->ArgName("ranks")->Iterations(2)->Unit(benchmark::kSecond);

}  // namespace

