// Evaluator "predictor": measured warmup through its companion evaluator, then predictions (with
// periodic measurements that grow the training set); predictions rank NAS-Bench-201 cells like
// the table does; bad options are one clear line; it runs inside `tandem run`.
#include <doctest/doctest.h>

#include "core/rng.hpp"
#include "db/trial_store.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "experiments/runner/experiment.hpp"
#include "predictors/rank_metrics.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const std::string kTable = "{name: table, options: {path: '" + source_dir() +
                           "/data/nas-bench-201/nb201_accuracy_cost.csv', metrics: "
                           "[c10valid_val_acc_12ep, c10_test_acc_200ep]}}";

std::unique_ptr<Evaluator> make_evaluator(const SearchSpace& space, const std::string& yaml) {
  ConfigNode options = ConfigNode::parse(yaml, "evaluator.yaml");
  EvaluatorContext context{space, options, 5, source_dir(), ""};
  return evaluator_registry().create("predictor", context);
}

std::string error_of(const SearchSpace& space, const std::string& yaml) {
  try {
    make_evaluator(space, yaml);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("predictor evaluator: measured warmup, then predictions and every k-th trial measured") {
  auto space = space_registry().create("nb201", ConfigNode());
  auto table = evaluator_registry().create(
      "table", EvaluatorContext{*space, ConfigNode::parse(kTable, "t.yaml").at("options"), 0, "", ""});
  auto predictor = make_evaluator(*space, "{measure: " + kTable +
                                              ", target: c10valid_val_acc_12ep, warmup: 5, "
                                              "measure_every: 3, predictor_options: {epochs: 30}}");
  Rng rng(11);
  NullReporter reporter;
  std::vector<int> measured;
  for (int trial = 0; trial < 14; ++trial) {
    Candidate cell = space->sample(rng);
    TrialResult result = predictor->evaluate(cell, reporter);
    TrialResult truth = table->evaluate(cell, reporter);
    REQUIRE(result.status == TrialStatus::complete);
    measured.push_back(static_cast<int>(result.metrics.at("measured")));
    if (measured.back()) {
      // A measured trial is the companion's result, every metric included.
      CHECK(result.metrics.at("c10valid_val_acc_12ep") ==
            truth.metrics.at("c10valid_val_acc_12ep"));
      CHECK(result.metrics.at("c10_test_acc_200ep") == truth.metrics.at("c10_test_acc_200ep"));
    } else {
      // A predicted trial reports the prediction as the target, and nothing of the companion's.
      CHECK(result.metrics.at("c10valid_val_acc_12ep") ==
            result.metrics.at("predicted_c10valid_val_acc_12ep"));
      CHECK_FALSE(result.metrics.has("c10_test_acc_200ep"));
    }
    // Trials after the warmup carry the prediction and its std (an ensemble: > 0).
    CHECK(result.metrics.has("predicted_c10valid_val_acc_12ep") == (trial >= 5));
    if (trial >= 5) CHECK(result.metrics.at("predicted_c10valid_val_acc_12ep_std") > 0.0);
  }
  // 5 warmup trials measured, then every 3rd: trials 8, 11 (1-based after the warmup: 3, 6, 9).
  CHECK(measured == std::vector<int>{1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1});
}

TEST_CASE("predictor evaluator predictions rank NAS-Bench-201 cells as the table does") {
  auto space = space_registry().create("nb201", ConfigNode());
  auto table = evaluator_registry().create(
      "table", EvaluatorContext{*space, ConfigNode::parse(kTable, "t.yaml").at("options"), 0, "", ""});
  auto predictor = make_evaluator(*space, "{measure: " + kTable +
                                              ", target: c10valid_val_acc_12ep, warmup: 100, "
                                              "measure_every: 0}");
  Rng rng(4);
  NullReporter reporter;
  for (int i = 0; i < 100; ++i) predictor->evaluate(space->sample(rng), reporter);
  std::vector<double> predicted, truth;
  for (int i = 0; i < 100; ++i) {
    Candidate cell = space->sample(rng);
    TrialResult result = predictor->evaluate(cell, reporter);
    REQUIRE(result.metrics.at("measured") == 0.0);
    predicted.push_back(result.metrics.at("c10valid_val_acc_12ep"));
    truth.push_back(table->evaluate(cell, reporter).metrics.at("c10valid_val_acc_12ep"));
  }
  // The truth is the table itself; a random ranking has tau 0. Require a clearly informative one.
  const double tau = kendall_tau(predicted, truth);
  MESSAGE("Kendall tau of 100 predictions after 100 measured cells: ", tau);
  CHECK(tau > 0.4);
}

TEST_CASE("predictor evaluator rejects bad options with one clear line") {
  auto space = space_registry().create("nb201", ConfigNode());
  CHECK(error_of(*space, "{target: accuracy}").find("missing key 'measure'") != std::string::npos);
  CHECK(error_of(*space, "{measure: " + kTable + "}").find("missing key 'target'") !=
        std::string::npos);
  CHECK(error_of(*space, "{measure: " + kTable + ", target: c10valid_val_acc_12}")
            .find("evaluator 'table' does not measure 'c10valid_val_acc_12' (did you mean "
                  "'c10valid_val_acc_12ep'?)") != std::string::npos);
  CHECK(error_of(*space, "{measure: " + kTable + ", target: c10valid_val_acc_12ep, warmup: 1}") ==
        "evaluator.yaml:1:" +
            std::to_string(
                ("{measure: " + kTable + ", target: c10valid_val_acc_12ep, warmup: ").size() + 1) +
            ": 'warmup': warmup 1 is below the 2 measured trials predictor 'mlp_ensemble' needs "
            "before it can predict");
  CHECK(error_of(*space, "{measure: predictor, target: x}").find("cannot measure with itself") !=
        std::string::npos);
  CHECK(error_of(*space, "{measure: tabel, target: x}").find("did you mean 'table'") !=
        std::string::npos);
  CHECK(error_of(*space, "{measure: " + kTable +
                             ", target: c10valid_val_acc_12ep, predictor: "
                             "mlp}")
            .find("unknown predictor 'mlp'") != std::string::npos);
}

TEST_CASE("predictor evaluator runs inside tandem run and stores measured and predicted trials") {
  TempDir dir;
  const std::string config = dir.write(
      "exp.yaml",
      "name: predicted\nseed: 1\nspace: {name: nb201}\nstrategy: {name: random}\n"
      "evaluators:\n  - {name: predictor, options: {measure: " +
          kTable +
          ", target: c10valid_val_acc_12ep, warmup: 6, measure_every: 4, predictor_options: "
          "{epochs: 20}}}\n"
          "objectives:\n  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
          "budget: {trials: 14}\n");
  const std::string db = dir.file("p.db");
  auto result = run_tandem("run '" + config + "' --db '" + db + "' --quiet");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  TrialStore store(db, TrialStore::Mode::read_only);
  auto trials = store.trials(store.find_experiment("predicted")->id);
  REQUIRE(trials.size() == 14);
  int measured = 0;
  for (const auto& trial : trials) {
    CHECK(trial.state == TrialStatus::complete);
    measured += static_cast<int>(trial.values.at("measured"));
  }
  CHECK(measured == 6 + 2);  // the warmup, then trials 4 and 8 after it
}
