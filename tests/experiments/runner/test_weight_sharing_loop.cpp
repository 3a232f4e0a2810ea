// Weight-sharing strategies in the trial loop: the search log lands as intermediate values of the
// first derived trial only; --resume restores the search result from it instead of searching
// again (after a budget stop, and after a derived trial was interrupted mid-evaluation); and
// `tandem show` prints the log of a real `darts` run as a trajectory.
#include <doctest/doctest.h>

#include "db/trial_store.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/runner/trial_loop.hpp"
#include "search/oneshot/weight_sharing.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

int g_searches = 0;  // run_search() calls of every CountingSearch

// A weight-sharing strategy whose "search" logs two epochs and derives three fixed nb201 cells.
class CountingSearch final : public WeightSharingStrategy {
 public:
  explicit CountingSearch(const StrategyContext& context)
      : WeightSharingStrategy(context, "counting", WeightSharingOptions{}) {}

 protected:
  std::vector<Candidate> run_search() override {
    ++g_searches;
    for (int epoch = 1; epoch <= 2; ++epoch) {
      Metrics values;
      values.set("search/x", epoch * 10.0);
      values.set("alpha/1<-0/none", 0.2 + 0.1 * epoch);
      record_epoch(epoch, values);
    }
    return {space().parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"),
            space().parse("|skip_connect~0|+|none~0|skip_connect~1|+|skip_connect~0|none~1|skip_connect~2|"),
            space().parse("|avg_pool_3x3~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|none~0|none~1|nor_conv_3x3~2|")};
  }
};

std::string config_text() {
  return "name: ws\nseed: 1\nspace: {name: nb201}\nstrategy: counting_search\n"
         "evaluators:\n  - {name: table, options: {path: '" + source_dir() +
         "/data/nas-bench-201/nb201_accuracy_cost.csv', metrics: [c10valid_val_acc_12ep]}}\n"
         "objectives: [{metric: c10valid_val_acc_12ep, direction: maximize}]\n"
         "budget: {trials: 10}\n";
}

void register_counting() {
  if (strategy_registry().contains("counting_search")) return;  // an earlier test case did
  strategy_registry().add(
      "counting_search", "weight-sharing", "test", [](const StrategyContext& context) {
        return std::unique_ptr<Strategy>(std::make_unique<CountingSearch>(context));
      });
}

std::map<int, Metrics> values_by_step(const TrialStore& store, std::int64_t trial_id) {
  std::map<int, Metrics> out;
  for (const auto& v : store.intermediate_values(trial_id)) out[v.step].set(v.name, v.value);
  return out;
}

RunOptions quiet(std::optional<long long> trials, bool resume) {
  RunOptions options;
  options.show_progress = false;
  options.trials = trials;
  options.resume = resume;
  return options;
}

}  // namespace

TEST_CASE("the search log is stored with the first derived trial and a resume does not search again") {
  register_counting();
  g_searches = 0;
  TempDir dir;
  TrialStore store(dir.file("ws.db"));
  {
    Experiment experiment(ExperimentConfig::parse(config_text(), "ws.yaml"));
    run_experiment(experiment, store, quiet(1, false));
  }
  CHECK(g_searches == 1);
  {
    Experiment experiment(ExperimentConfig::parse(config_text(), "ws.yaml"));
    RunSummary summary = run_experiment(experiment, store, quiet(10, true));
    CHECK(summary.replayed == 1);
    CHECK(summary.new_trials == 2);  // the strategy finishes after its 3 cells
  }
  CHECK(g_searches == 1);  // restored from trial #0's log, not searched again
  const auto trials = store.trials(store.find_experiment("ws")->id);
  REQUIRE(trials.size() == 3);
  CHECK(trials[1].candidate == "|skip_connect~0|+|none~0|skip_connect~1|+|skip_connect~0|none~1|skip_connect~2|");
  const auto first = values_by_step(store, trials[0].id);
  REQUIRE(first.size() == 3);  // steps 0 (result), 1, 2
  CHECK(first.at(1).at("search/x") == 10.0);
  CHECK(first.at(2).at("alpha/1<-0/none") == doctest::Approx(0.4));
  CHECK(first.at(0).at("derived/count") == 3.0);
  CHECK(first.at(0).at("derived/2/0") == 4.0);  // avg_pool_3x3 on edge 1<-0 of the third cell
  CHECK(store.intermediate_values(trials[1].id).empty());
  CHECK(store.intermediate_values(trials[2].id).empty());
}

TEST_CASE("a derived trial interrupted mid-evaluation re-runs without a new search") {
  register_counting();
  g_searches = 0;
  TempDir dir;
  TrialStore store(dir.file("ws.db"));
  const ExperimentConfig config = ExperimentConfig::parse(config_text(), "ws.yaml");
  {
    // what a killed process leaves: the search ran, trial #0 started with the log, never finished
    Experiment experiment(config);
    auto strategy = experiment.make_strategy();
    const Candidate cell = strategy->ask(1).front();
    const std::int64_t id = store.create_experiment("ws", config.text, config.seed);
    TrialRecord trial = store.start_trial(id, "nb201", experiment.space().to_string(cell), "", "w",
                                          TrialOrigin{0, std::nullopt});
    for (const SearchLogEntry& entry : strategy->take_search_log())
      store.log_intermediate(trial.id, entry.step, entry.values);
  }
  CHECK(g_searches == 1);
  Experiment experiment(config);
  RunSummary summary = run_experiment(experiment, store, quiet(10, true));
  CHECK(summary.interrupted == 1);
  CHECK(summary.retried == 1);
  CHECK(g_searches == 1);
  const auto trials = store.trials(store.find_experiment("ws")->id);
  REQUIRE(trials.size() == 4);  // #0 interrupted, #1 its retry, #2 and #3 the other cells
  CHECK(trials[0].state == TrialStatus::failed);
  CHECK(trials[1].retry_of == 0);
  CHECK(trials[1].candidate == trials[0].candidate);
  CHECK(trials[3].candidate == "|avg_pool_3x3~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|none~0|none~1|nor_conv_3x3~2|");
}

TEST_CASE("tandem show prints a darts run's alpha trajectory") {
  TempDir dir;
  const std::string config = dir.write(
      "darts.yaml",
      "name: darts_tiny\nseed: 0\nspace: {name: nb201}\n"
      "strategy:\n  name: darts\n  options: {dataset: digits, path: '" + source_dir() +
          "/data/uci-digits/digits.csv.gz', max_samples: 200, epochs: 3, batch_size: 32, width: 4, "
          "cells_per_stage: 1, threads: 1, augment: {crop_padding: 0, horizontal_flip: false}}\n"
          "evaluators:\n  - {name: table, options: {path: '" + source_dir() +
          "/data/nas-bench-201/nb201_accuracy_cost.csv', metrics: [c10_test_acc_200ep]}}\n"
          "objectives: [{metric: c10_test_acc_200ep, direction: maximize}]\n"
          "budget: {trials: 5}\n");
  const std::string db = dir.file("darts.db");
  auto run = run_tandem("run '" + config + "' --db '" + db + "' --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  auto show = run_tandem("show '" + db + "' 0");
  REQUIRE_MESSAGE(show.exit_code == 0, show.output);
  CHECK(show.output.find("search trajectory (3 epochs") != std::string::npos);
  CHECK(show.output.find("epoch 3") != std::string::npos);
  CHECK(show.output.find("alpha/3<-2/skip_connect") != std::string::npos);
  CHECK(show.output.find("search/skip_none_mass") != std::string::npos);
  CHECK(show.output.find("search result: 1 derived") != std::string::npos);
  CHECK(show.output.find("derived/0/") == std::string::npos);  // not dumped as raw values
  TrialStore store(db, TrialStore::Mode::read_only);
  const auto trials = store.trials(store.find_experiment("darts_tiny")->id);
  REQUIRE(trials.size() == 1);  // one derived cell, whatever the budget
  // the stored candidate is an nb201 cell string that `tandem spaces` parses
  auto spaces = run_tandem("spaces nb201 --arch '" + trials[0].candidate + "'");
  CHECK_MESSAGE(spaces.exit_code == 0, spaces.output);
}
