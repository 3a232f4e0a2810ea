// Pruning decisions do not depend on interrupted attempts: a trial cut short (kill -9, Ctrl-C)
// takes a trial number and its re-run another, so every later trial's number is one higher than
// in a run nothing interrupted. Hyperband's bracket (Optuna hashes the study name with the trial
// number) must follow the asked candidate, not the trial number, or --resume moves later trials
// to other brackets and prunes differently (issue 19, item 2). The learning-curve pruner's SVR,
// seeded from its training trials, must name them the same way.
#include <doctest/doctest.h>

#include "db/trial_store.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/runner/pruner_session.hpp"
#include "experiments/runner/trial_history.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// A config with `pruner` (its metric `acc`, maximized) and the synthetic evaluator.
std::string config_text(const std::string& pruner) {
  return "name: exp\nseed: 1\nspace: {name: nb201}\nstrategy: random\n"
         "evaluators: [{name: synthetic, options: {steps: 3}}]\n"
         "objectives: [{metric: score, direction: maximize}]\n"
         "pruner: " + pruner + "\nbudget: {trials: 10}\n";
}

struct Stored {
  std::int64_t experiment = 0;
  std::unique_ptr<TrialStore> store;
};

// A trial asked at `ask_seq` (or re-running trial `retry_of`) reporting acc = values[i] at step
// i + 1, then told at `tell_seq`, or left interrupted without one.
void add_trial(Stored& db, std::optional<std::int64_t> ask_seq, std::optional<int> retry_of,
               const std::vector<double>& values, std::optional<std::int64_t> tell_seq) {
  TrialRecord trial = db.store->start_trial(db.experiment, "nb201", "cell", "", "test",
                                            TrialOrigin{ask_seq, retry_of});
  for (std::size_t i = 0; i < values.size(); ++i) {
    Metrics metrics;
    metrics.set("acc", values[i]);
    db.store->log_intermediate(trial.id, static_cast<int>(i) + 1, metrics);
  }
  if (tell_seq) {
    Metrics final_values;
    final_values.set("score", values.back());
    db.store->finish_trial(trial.id, TrialResult::complete(final_values), std::nullopt, tell_seq);
  } else {
    db.store->finish_trial(trial.id, TrialResult::failed(kInterruptedReason), std::nullopt,
                           std::nullopt, FailureCause::interrupted);
  }
}

// Two histories of one run with `pruner`: trials 0..2 complete, then trial 3 with dismal values;
// and the same with trial 2 cut short after step 1 and re-run as trial 3 (resume), so the
// uninterrupted run's trial 3 is trial 4. Their pruning sessions, rebuilt from the databases.
struct TwoRuns {
  TempDir dir;
  ExperimentConfig config;
  Experiment experiment;
  Stored whole, resumed;
  std::unique_ptr<PruningSession> reference, after_resume;

  explicit TwoRuns(const std::string& pruner)
      : config(ExperimentConfig::parse(config_text(pruner), "exp.yaml")), experiment(config) {
    whole = open("whole.db");
    add_trial(whole, 0, std::nullopt, {80, 85, 90}, 1);
    add_trial(whole, 2, std::nullopt, {70, 75, 80}, 3);
    add_trial(whole, 4, std::nullopt, {60, 65, 70}, 5);
    add_trial(whole, 6, std::nullopt, {0, 0, 0}, 7);
    resumed = open("resumed.db");
    add_trial(resumed, 0, std::nullopt, {80, 85, 90}, 1);
    add_trial(resumed, 2, std::nullopt, {70, 75, 80}, 3);
    add_trial(resumed, 4, std::nullopt, {60}, std::nullopt);
    add_trial(resumed, std::nullopt, 2, {60, 65, 70}, 5);
    add_trial(resumed, 6, std::nullopt, {0, 0, 0}, 7);
    reference = session_of(whole);
    after_resume = session_of(resumed);
  }

  Stored open(const std::string& name) {
    Stored db;
    db.store = std::make_unique<TrialStore>(dir.file(name));
    db.experiment = db.store->create_experiment("exp", config.text, 1);
    return db;
  }
  std::unique_ptr<PruningSession> session_of(Stored& db) {
    std::unique_ptr<PruningSession> session = make_pruning_session(config, experiment.space());
    session->load(*db.store, db.store->trials(db.experiment));
    return session;
  }

  // Each trial of the resumed run decides as its counterpart did, at every step: 0-0, 1-1, 3-2
  // (the re-run), 4-3.
  void check_same_decisions() {
    const std::vector<std::pair<int, int>> counterparts = {{0, 0}, {1, 1}, {3, 2}, {4, 3}};
    for (const auto& pair : counterparts)
      for (int step = 1; step <= 3; ++step) {
        // Not a structured binding: CAPTURE builds a lambda, and clang 14 cannot capture one.
        const int resumed_number = pair.first;
        const int whole_number = pair.second;
        CAPTURE(resumed_number);
        CAPTURE(step);
        const PruneDecision got = after_resume->decide_stored(resumed_number, step);
        const PruneDecision want = reference->decide_stored(whole_number, step);
        CHECK(got.prune == want.prune);
        CHECK(got.reason == want.reason);
      }
  }
};

}  // namespace

TEST_CASE("an interrupted trial moves no later trial to another Hyperband bracket") {
  // max_resource 3, reduction factor 3: two brackets with budgets 3 and 2. From Python's
  // binascii.crc32(f"exp_{k}".encode()) % 5 = 0, 1, 2, 4 for k = 0..3, trials 0, 1 and 2 of an
  // uninterrupted run are in bracket 0 (first rung ends at step 1) and trial 3 in bracket 1 (first
  // rung ends at step 3).
  TwoRuns runs("{name: hyperband, options: {metric: acc, direction: maximize, max_resource: 3}}");
  // Trial 3 of the uninterrupted run is judged first at step 3, where no bracket-1 peer competes:
  // never pruned, though every bracket-0 peer did better at step 1.
  for (int step = 1; step <= 3; ++step) CHECK_FALSE(runs.reference->decide_stored(3, step).prune);
  runs.check_same_decisions();
}

TEST_CASE("an interrupted trial changes no learning-curve SVR the resumed run fits") {
  // The SVR's hyper-parameter search is seeded from its training trials; trained on trials 0, 1
  // and 2 of the uninterrupted run (the re-run is trial 3 after resume), it must be the same model.
  TwoRuns runs(
      "{name: learning_curve, options: {metric: acc, direction: maximize, predictor: svr, "
      "min_trials: 3, draws: 20, delta: 0.6, architecture_features: none}}");
  // The dismal trial is pruned at step 1 by a model fitted on the three others.
  const PruneDecision pruned = runs.reference->decide_stored(3, 1);
  CHECK(pruned.prune);
  CHECK(pruned.reason.find("nu-SVR on 3 completed trials") != std::string::npos);
  runs.check_same_decisions();
}
