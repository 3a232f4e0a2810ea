// Tests for the pruners: the median pruner, successive-halving rungs and promotions, Hyperband's
// bracket arithmetic and the learning-curve rule on hand-made intermediate values with the
// decisions worked out by hand in the comments; then real `tandem run`s with the train evaluator
// on the UCI digits: trials end PRUNED with the pruner's reason, the train evaluator stops right
// after the judged epoch, every stored decision is recomputed from the database alone, --resume
// continues exactly as an uninterrupted run, parallel workers and multi-objective experiments prune
// too, and a bad `pruner:` section is one line naming file:line:column.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "db/trial_store.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/pruners/pruner.hpp"
#include "experiments/pruners/pruner_hyperband.hpp"
#include "experiments/runner/pruner_session.hpp"
#include "experiments/runner/trial_loop.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const std::vector<Objective> kMaximizeAccuracy = {Objective("accuracy", false)};

std::unique_ptr<Pruner> pruner_from(const std::string& yaml,
                                    const std::vector<Objective>& objectives = kMaximizeAccuracy,
                                    const std::string& experiment = "exp") {
  const PrunerOptions options =
      parse_pruner_options(ConfigNode::parse(yaml, "pruner.yaml"), objectives);
  return make_pruner(options, experiment, 1);
}

PrunerTrial trial(int number, TrialStatus state, std::map<int, double> values) {
  PrunerTrial t;
  t.number = number;
  t.ask_index = number;
  t.state = state;
  t.metric = "accuracy";
  t.values = std::move(values);
  return t;
}

std::vector<const PrunerTrial*> pointers(const std::vector<PrunerTrial>& trials) {
  std::vector<const PrunerTrial*> out;
  for (const auto& t : trials) out.push_back(&t);
  return out;
}

}  // namespace

TEST_CASE("median pruner on hand-made intermediate values") {
  // Four completed peers with 50, 60, 70, 80 at step 2: median = 60 + 0.5 * (70 - 60) = 65.
  std::vector<PrunerTrial> peers;
  for (int i = 0; i < 4; ++i)
    peers.push_back(trial(i, TrialStatus::complete, {{1, 30.0 + 10 * i}, {2, 50.0 + 10 * i}}));
  auto median = pruner_from("{name: median, options: {n_startup_trials: 4}}");

  // Best so far 62 < 65: pruned, with the numbers in the reason.
  PruneDecision pruned =
      median->decide(trial(9, TrialStatus::running, {{1, 40}, {2, 62}}), 2, pointers(peers));
  CHECK(pruned.prune);
  CHECK(
      pruned.reason ==
      "median pruner: accuracy 62 (best up to step 2) < median 65 of 4 completed trials at step 2");
  // Best so far is 66 (step 1) >= 65: kept.
  CHECK_FALSE(
      median->decide(trial(9, TrialStatus::running, {{1, 66}, {2, 62}}), 2, pointers(peers)).prune);
  // At step 1 the median of 30, 40, 50, 60 is 45: 40 < 45 prunes.
  CHECK(median->decide(trial(9, TrialStatus::running, {{1, 40}}), 1, pointers(peers)).prune);
  // n_startup_trials counts COMPLETED peers only: with one of them PRUNED, 3 < 4, no decision.
  peers[3].state = TrialStatus::pruned;
  CHECK_FALSE(
      median->decide(trial(9, TrialStatus::running, {{1, 40}, {2, 62}}), 2, pointers(peers)).prune);
  peers[3].state = TrialStatus::complete;

  // Minimising: best so far is the smallest; 68 > 65 prunes, 40 does not.
  auto minimizing =
      pruner_from("{name: median, options: {n_startup_trials: 4}}", {Objective("loss", true)});
  CHECK(minimizing->decide(trial(9, TrialStatus::running, {{1, 70}, {2, 68}}), 2, pointers(peers))
            .prune);
  CHECK_FALSE(
      minimizing->decide(trial(9, TrialStatus::running, {{1, 40}, {2, 62}}), 2, pointers(peers))
          .prune);

  // Warm-up: no decision before step n_warmup_steps.
  auto warm = pruner_from("{name: median, options: {n_startup_trials: 1, n_warmup_steps: 3}}");
  CHECK_FALSE(
      warm->decide(trial(9, TrialStatus::running, {{1, 0}, {2, 0}}), 2, pointers(peers)).prune);
  // Interval 2 (warm-up 0): step 2 opens the interval [2, 4) and is judged; step 3 is not (step 2
  // already lies in that interval).
  auto every_other =
      pruner_from("{name: median, options: {n_startup_trials: 1, interval_steps: 2}}");
  peers[0].values[3] = 90;
  CHECK(every_other->decide(trial(9, TrialStatus::running, {{1, 0}, {2, 0}}), 2, pointers(peers))
            .prune);
  CHECK_FALSE(
      every_other
          ->decide(trial(9, TrialStatus::running, {{1, 0}, {2, 0}, {3, 0}}), 3, pointers(peers))
          .prune);
  // All values NaN: pruned.
  CHECK(median->decide(trial(9, TrialStatus::running, {{1, std::nan("")}}), 1, pointers(peers))
            .prune);
}

TEST_CASE("successive halving rungs and promotions with reduction factor 3") {
  // min_resource 1, eta 3: rungs end at steps 1, 3, 9. Nine peers with 10, 20, ..., 90 at step 1.
  std::vector<PrunerTrial> peers;
  for (int i = 0; i < 9; ++i) peers.push_back(trial(i, TrialStatus::pruned, {{1, 10.0 * (i + 1)}}));
  // Three of them also reached step 3 with 50, 60 and 88.
  peers[6].values[3] = 50;
  peers[7].values[3] = 60;
  peers[8].values[3] = 88;
  peers[8].state = TrialStatus::complete;
  auto sha =
      pruner_from("{name: successive_halving, options: {min_resource: 1, reduction_factor: 3}}");

  // Rung 0 with 10 competitors (9 peers + itself): the best floor(10 / 3) = 3 are promoted.
  // 75 ranks 90, 80, 75: third, promoted. 65 ranks behind 90, 80, 70: pruned, promotion needs 70.
  CHECK_FALSE(sha->decide(trial(20, TrialStatus::running, {{1, 75}}), 1, pointers(peers)).prune);
  PruneDecision at_rung0 =
      sha->decide(trial(20, TrialStatus::running, {{1, 65}}), 1, pointers(peers));
  CHECK(at_rung0.prune);
  CHECK(at_rung0.reason ==
        "successive halving pruner: accuracy 65 at rung 0 (step 1) is not among the best 3 of 10 "
        "trials there (reduction factor 3; promotion needs >= 70)");
  // Step 2 ends no rung: no decision, whatever the value.
  CHECK_FALSE(
      sha->decide(trial(20, TrialStatus::running, {{1, 75}, {2, 0}}), 2, pointers(peers)).prune);
  // Rung 1 (step 3): 4 competitors (50, 60, 88 and itself), max(4 / 3, 1) = 1 promoted: 58 loses
  // to 88; 95 wins.
  CHECK(
      sha->decide(trial(20, TrialStatus::running, {{1, 75}, {2, 76}, {3, 58}}), 3, pointers(peers))
          .prune);
  CHECK_FALSE(
      sha->decide(trial(20, TrialStatus::running, {{1, 75}, {2, 76}, {3, 95}}), 3, pointers(peers))
          .prune);
  // A first report at step 3 passes rung 0 (as 95 among the step-1 values) and rung 1 at once.
  CHECK_FALSE(sha->decide(trial(20, TrialStatus::running, {{3, 95}}), 3, pointers(peers)).prune);
  // bootstrap_count 10: rung 0 with only 10 competitors prunes.
  auto bootstrap = pruner_from(
      "{name: successive_halving, options: {min_resource: 1, reduction_factor: 3, bootstrap_count: "
      "10}}");
  CHECK(bootstrap->decide(trial(20, TrialStatus::running, {{1, 95}}), 1, pointers(peers)).prune);
  // min_resource auto: max(1, 300 / 100) = 3 from a completed peer of 300 steps; no decision
  // before a peer completed.
  auto automatic = pruner_from("{name: successive_halving, options: {reduction_factor: 3}}");
  CHECK_FALSE(automatic->decide(trial(20, TrialStatus::running, {{1, 0}}), 1, {}).prune);
  std::vector<PrunerTrial> long_peers = {trial(0, TrialStatus::complete, {{3, 80}, {300, 90}}),
                                         trial(1, TrialStatus::complete, {{3, 70}, {300, 90}})};
  CHECK_FALSE(
      automatic->decide(trial(20, TrialStatus::running, {{2, 0}}), 2, pointers(long_peers)).prune);
  CHECK(
      automatic->decide(trial(20, TrialStatus::running, {{3, 60}}), 3, pointers(long_peers)).prune);
}

TEST_CASE("hyperband brackets: budgets and assignment as Optuna computes them") {
  // min 1, max 27, eta 3: floor(log_3 27) + 1 = 4 brackets; budget ceil(4 * 3^s / (s + 1)) for
  // s = 3, 2, 1, 0: 27, 12, 6, 4.
  CHECK(hyperband_budgets(1, 27, 3) == std::vector<int>{27, 12, 6, 4});
  // min 1, max 3: 2 brackets, ceil(2 * 3 / 2) = 3 and ceil(2 * 1 / 1) = 2.
  CHECK(hyperband_budgets(1, 3, 3) == std::vector<int>{3, 2});
  CHECK(hyperband_budgets(1, 2, 3) == std::vector<int>{1});
  // Brackets from Python's binascii.crc32(f"exp_{k}".encode()) % 49 = 18, 19, 34, 9, 9, 39, 7, 40
  // for k = 0..7, walked through 27, 12, 6, 4: brackets 0, 0, 1, 0, 0, 2, 0, 2.
  const std::vector<int> budgets = hyperband_budgets(1, 27, 3);
  const std::vector<int> expected = {0, 0, 1, 0, 0, 2, 0, 2};
  for (int k = 0; k < 8; ++k) CHECK(hyperband_bracket("exp", k, budgets) == expected[k]);
  // With budgets 3, 2 (crc32 % 5 = 0, 1, 2, 4, 2, 0, 3, 4): 0, 0, 0, 1, 0, 0, 1, 1.
  const std::vector<int> two = {0, 0, 0, 1, 0, 0, 1, 1};
  for (int k = 0; k < 8; ++k) CHECK(hyperband_bracket("exp", k, {3, 2}) == two[k]);

  // Trial 3 of "exp" is in bracket 1 of 2 (max_resource 3): its first rung ends at step 3, so a
  // dismal step 1 is not judged; trial 0 (bracket 0) is judged at step 1 against bracket-0 peers
  // only (trials 1 and 2; trial 6 is in bracket 1 and does not count).
  auto hyperband = pruner_from("{name: hyperband, options: {max_resource: 3}}");
  std::vector<PrunerTrial> peers = {trial(1, TrialStatus::complete, {{1, 80}, {2, 85}, {3, 90}}),
                                    trial(2, TrialStatus::complete, {{1, 70}, {2, 75}, {3, 80}}),
                                    trial(6, TrialStatus::complete, {{1, 10}, {2, 15}, {3, 20}})};
  CHECK_FALSE(
      hyperband->decide(trial(3, TrialStatus::running, {{1, 0}}), 1, pointers(peers)).prune);
  // Bracket 0, rung 0: competitors 80, 70 and 75: max(3 / 3, 1) = 1 promoted: 75 < 80 is pruned.
  PruneDecision decision =
      hyperband->decide(trial(0, TrialStatus::running, {{1, 75}}), 1, pointers(peers));
  CHECK(decision.prune);
  CHECK(decision.reason.find("hyperband pruner (bracket 0 of 2): accuracy 75 at rung 0 (step 1) "
                             "is not among the best 1 of 3 trials") == 0);
}

TEST_CASE("learning-curve pruner: curve extrapolation and the nu-SVR rule") {
  // One completed peer ends at 90 at step 10 (T = 10, auto).
  std::map<int, double> peer_curve;
  for (int t = 1; t <= 10; ++t) peer_curve[t] = 90.0 - 40.0 / t;
  std::vector<PrunerTrial> peers = {trial(0, TrialStatus::complete, peer_curve)};
  auto fit = pruner_from("{name: learning_curve, options: {predictor: curve_fit}}");
  // 60 - 30 / t saturates at 60: reaching 90 at step 10 is hopeless.
  std::map<int, double> low, high;
  for (int t = 1; t <= 5; ++t) {
    low[t] = 60.0 - 30.0 / t;
    high[t] = 99.0 - 50.0 / t;  // reaches 94 at step 10
  }
  PruneDecision pruned = fit->decide(trial(1, TrialStatus::running, low), 5, pointers(peers));
  CHECK(pruned.prune);
  CHECK(pruned.reason.find("learning curve pruner (curve_fit): predicted final accuracy 5") == 0);
  CHECK_FALSE(fit->decide(trial(1, TrialStatus::running, high), 5, pointers(peers)).prune);
  // Fewer than min_steps (5) points: no decision.
  CHECK_FALSE(
      fit->decide(trial(1, TrialStatus::running, {{1, 10}, {2, 11}}), 2, pointers(peers)).prune);

  // svr: six completed peers y_t = c - 30 / t with c = 60, 67, 74, 81, 88, 95 over 10 steps (the
  // best final value is 95 - 3 = 92); a trial with c = 62 is predicted near 59 and stopped, one
  // with c = 93 is kept.
  std::vector<PrunerTrial> svr_peers;
  for (int i = 0; i < 6; ++i) {
    std::map<int, double> curve;
    for (int t = 1; t <= 10; ++t) curve[t] = 60.0 + 7.0 * i - 30.0 / t;
    svr_peers.push_back(trial(i, TrialStatus::complete, curve));
  }
  auto svr = pruner_from(
      "{name: learning_curve, options: {predictor: svr, min_trials: 6, draws: 40, "
      "architecture_features: none}}");
  std::map<int, double> poor, good;
  for (int t = 1; t <= 3; ++t) {
    poor[t] = 62.0 - 30.0 / t;
    good[t] = 93.0 - 30.0 / t;
  }
  PruneDecision stopped = svr->decide(trial(7, TrialStatus::running, poor), 3, pointers(svr_peers));
  CHECK(stopped.prune);
  CHECK(stopped.reason.find("learning curve pruner (svr): predicted final accuracy") == 0);
  CHECK(stopped.reason.find("(nu-SVR on 6 completed trials)") != std::string::npos);
  CHECK_FALSE(svr->decide(trial(7, TrialStatus::running, good), 3, pointers(svr_peers)).prune);
  // Fewer completed peers than min_trials: no decision.
  svr_peers.pop_back();
  CHECK_FALSE(svr->decide(trial(7, TrialStatus::running, poor), 3, pointers(svr_peers)).prune);
}

TEST_CASE("peers are the trials told before the candidate was asked, retries included") {
  // A database written by hand: trial 0 is told (tell 1) before trial 1 is asked (ask 2); trial 2
  // is asked (ask 3) while trial 1 runs, and told (tell 4); trial 1 is interrupted and re-run as
  // trial 3 (retry_of 1); trial 4 is asked last (ask 5). Median pruner, one startup trial.
  TempDir dir;
  const std::string config_text =
      "name: peers\nspace: {name: mlp, options: {max_layers: 1, widths: [8, 16]}}\n"
      "strategy: random\nevaluators: [{name: graph_stats}]\n"
      "objectives: [{metric: macs, direction: maximize}]\n"
      "pruner: {name: median, options: {n_startup_trials: 1, metric: val_accuracy, "
      "direction: maximize}}\nbudget: {trials: 5}\n";
  ExperimentConfig config = ExperimentConfig::parse(config_text, "peers.yaml");
  Experiment experiment(config);
  TrialStore store(dir.file("peers.db"));
  const std::int64_t id = store.create_experiment("peers", config_text, 0);
  auto start = [&](std::optional<std::int64_t> ask, std::optional<int> retry, double value) {
    TrialRecord t = store.start_trial(id, "mlp", "8:relu", "", "w", TrialOrigin{ask, retry});
    Metrics m;
    m.set("val_accuracy", value);
    store.log_intermediate(t.id, 1, m);
    return t.id;
  };
  auto finish = [&](std::int64_t trial_id, std::int64_t tell) {
    Metrics m;
    m.set("macs", 1.0);
    store.finish_trial(trial_id, TrialResult::complete(m), std::nullopt, tell);
  };
  finish(start(0, std::nullopt, 50), 1);
  start(2, std::nullopt, 40);  // trial 1, interrupted below
  finish(start(3, std::nullopt, 90), 4);
  REQUIRE(store.fail_running_trials(id, kInterruptedReason) == 1);
  start(std::nullopt, 1, 40);  // trial 3 re-runs trial 1's candidate
  start(5, std::nullopt, 60);  // trial 4

  auto session = make_pruning_session(config, experiment.space());
  REQUIRE(session);
  session->load(store, store.trials(id));
  // Trial 3 inherits trial 1's ask (2): only trial 0 (told at 1) is a peer; median 50, 40 < 50.
  CHECK(session->decide_stored(3, 1).reason ==
        "median pruner: val_accuracy 40 (best up to step 1) < median 50 of 1 completed trials at "
        "step 1");
  // Trial 4 (asked at 5) sees trials 0 and 2: median of 50 and 90 is 70; 60 < 70.
  CHECK(session->decide_stored(4, 1).reason ==
        "median pruner: val_accuracy 60 (best up to step 1) < median 70 of 2 completed trials at "
        "step 1");
  // Trial 2 (asked at 3) sees trial 0 only: 90 > 50 is kept; trial 0 has no peer at all.
  CHECK_FALSE(session->decide_stored(2, 1).prune);
  CHECK_FALSE(session->decide_stored(0, 1).prune);
  CHECK_THROWS_AS(session->decide_stored(9, 1), Error);
}

namespace {

std::string digits_path() {
  return source_dir() + "/data/uci-digits/digits.csv.gz";
}

// A small train-on-digits experiment: MLPs of 1-2 layers, 3 epochs.
std::string train_config(const std::string& name, const std::string& objectives,
                         const std::string& pruner, int trials) {
  return "name: " + name +
         "\nseed: 1\n"
         "space: {name: mlp, options: {max_layers: 2, widths: [4, 8, 16, 32]}}\n"
         "strategy: random\n"
         "evaluators:\n  - name: train\n    options: {dataset: digits, path: " +
         digits_path() +
         ", epochs: 3, batch_size: 64, threads: 1, optimizer: {lr: 0.05}}\n"
         "objectives: " +
         objectives +
         "\n"
         "pruner: " +
         pruner +
         "\n"
         "budget: {trials: " +
         std::to_string(trials) + "}\n";
}

const char* kAccuracy = "[{metric: accuracy, direction: maximize}]";

struct StoredRun {
  std::vector<TrialRecord> trials;
  std::map<int, std::vector<IntermediateValue>> values;  // by trial number
};

StoredRun read_run(const std::string& db, const std::string& name) {
  TrialStore store(db, TrialStore::Mode::read_only);
  auto experiment = store.find_experiment(name);
  REQUIRE(experiment);
  StoredRun run;
  run.trials = store.trials(experiment->id);
  for (const auto& t : run.trials) run.values[t.number] = store.intermediate_values(t.id);
  return run;
}

int count_state(const StoredRun& run, TrialStatus state) {
  int n = 0;
  for (const auto& t : run.trials) n += t.state == state;
  return n;
}

// Recomputes every decision from the database alone: a PRUNED trial was stopped at its last
// stored step, by exactly the stored reason, and at no earlier step; no other trial was stopped
// before its last step.
void check_decisions_replay(const std::string& db, const std::string& name) {
  TrialStore store(db, TrialStore::Mode::read_only);
  auto stored = store.find_experiment(name);
  REQUIRE(stored);
  ExperimentConfig config = ExperimentConfig::parse(stored->config_text, "stored");
  Experiment experiment(config);
  std::unique_ptr<PruningSession> session = make_pruning_session(config, experiment.space());
  REQUIRE(session);
  std::vector<TrialRecord> trials = store.trials(stored->id);
  session->load(store, trials);
  for (const auto& t : trials) {
    std::vector<int> steps;
    for (const auto& v : store.intermediate_values(t.id))
      if (v.name == "val_accuracy" || v.name == "val_loss") steps.push_back(v.step);
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    REQUIRE_FALSE(steps.empty());
    for (std::size_t i = 0; i + 1 < steps.size(); ++i)
      CHECK_MESSAGE(!session->decide_stored(t.number, steps[i]).prune,
                    "trial " << t.number << " step " << steps[i]);
    if (t.state == TrialStatus::pruned) {
      PruneDecision last = session->decide_stored(t.number, steps.back());
      CHECK_MESSAGE(last.prune, "trial " << t.number);
      CHECK(last.reason == t.reason);
      // The train evaluator stopped right after the judged epoch.
      CHECK(t.values.at("epochs") == steps.back());
    }
  }
}

}  // namespace

TEST_CASE("tandem run with the median pruner: PRUNED trials, their reasons, resume") {
  TempDir dir;
  const std::string pruner = "{name: median, options: {n_startup_trials: 2}}";
  // An uninterrupted run of 16 trials...
  const std::string whole =
      dir.write("whole.yaml", train_config("digits-median", kAccuracy, pruner, 16));
  auto run = run_tandem("run '" + whole + "' --db '" + dir.file("whole.db") + "' --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  const StoredRun reference = read_run(dir.file("whole.db"), "digits-median");
  REQUIRE(reference.trials.size() == 16);
  CHECK(count_state(reference, TrialStatus::pruned) >= 3);
  CHECK(count_state(reference, TrialStatus::complete) >= 2);
  for (const auto& t : reference.trials)
    if (t.state == TrialStatus::pruned) CHECK(t.reason.find("median pruner: val_accuracy ") == 0);
  check_decisions_replay(dir.file("whole.db"), "digits-median");
  // `tandem query` shows the reasons.
  auto query = run_tandem("query '" + dir.file("whole.db") +
                          "' \"SELECT COUNT(*) FROM trials WHERE state = 'PRUNED' AND reason LIKE "
                          "'median pruner:%'\" --format csv");
  CHECK(query.output.find("\n" + std::to_string(count_state(reference, TrialStatus::pruned))) !=
        std::string::npos);

  // ... equals a run of 7 trials resumed to 16: the resumed pruner rebuilds from the database.
  const std::string part =
      dir.write("part.yaml", train_config("digits-median", kAccuracy, pruner, 7));
  REQUIRE(run_tandem("run '" + part + "' --db '" + dir.file("part.db") + "' --quiet").exit_code ==
          0);
  auto resumed = run_tandem("run '" + part + "' --db '" + dir.file("part.db") +
                            "' --resume --trials 16 --quiet");
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
  const StoredRun continued = read_run(dir.file("part.db"), "digits-median");
  REQUIRE(continued.trials.size() == 16);
  for (std::size_t i = 0; i < 16; ++i) {
    CAPTURE(i);
    CHECK(continued.trials[i].candidate == reference.trials[i].candidate);
    CHECK(continued.trials[i].state == reference.trials[i].state);
    CHECK(continued.trials[i].reason == reference.trials[i].reason);
  }
}

TEST_CASE("parallel workers and a multi-objective experiment prune reproducibly") {
  TempDir dir;
  // Three workers: who is a peer depends on the stored ask/tell order only.
  const std::string median = dir.write(
      "par.yaml",
      train_config("digits-par", kAccuracy, "{name: median, options: {n_startup_trials: 2}}", 14));
  auto run =
      run_tandem("run '" + median + "' --db '" + dir.file("par.db") + "' --workers 3 --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  const StoredRun parallel = read_run(dir.file("par.db"), "digits-par");
  CHECK(count_state(parallel, TrialStatus::pruned) >= 2);
  check_decisions_replay(dir.file("par.db"), "digits-par");

  // Accuracy up, parameters down; Hyperband on the validation loss (not an objective: its
  // direction is given). Optuna cannot prune multi-objective studies (its issue #3450).
  const std::string multi = dir.write(
      "multi.yaml",
      train_config(
          "digits-mo",
          "[{metric: accuracy, direction: maximize}, {metric: params, direction: minimize}]",
          "{name: hyperband, options: {metric: val_loss, direction: minimize}}", 16));
  run = run_tandem("run '" + multi + "' --db '" + dir.file("mo.db") + "' --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  const StoredRun mo = read_run(dir.file("mo.db"), "digits-mo");
  CHECK(count_state(mo, TrialStatus::pruned) >= 1);
  for (const auto& t : mo.trials)
    if (t.state == TrialStatus::pruned) CHECK(t.reason.find("hyperband pruner (bracket ") == 0);
  check_decisions_replay(dir.file("mo.db"), "digits-mo");

  // A metric the evaluator never reports fails the trial with a message saying so.
  const std::string wrong =
      dir.write("wrong.yaml",
                train_config("digits-wrong", kAccuracy,
                             "{name: median, options: {metric: val_acc, direction: maximize}}", 1));
  run = run_tandem("run '" + wrong + "' --db '" + dir.file("wrong.db") + "' --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  const StoredRun failed = read_run(dir.file("wrong.db"), "digits-wrong");
  REQUIRE(failed.trials.size() == 1);
  CHECK(failed.trials[0].state == TrialStatus::failed);
  CHECK(failed.trials[0].reason.find("lack its metric 'val_acc'") != std::string::npos);
}

TEST_CASE("a bad pruner section is one line naming file:line:column") {
  TempDir dir;
  auto expect = [&](const std::string& pruner, const std::string& expected) {
    const std::string config = dir.write("bad.yaml", train_config("bad", kAccuracy, pruner, 2));
    CommandResult result =
        run_tandem("run '" + config + "' --db '" + dir.file("bad.db") + "' --quiet", true);
    CHECK(result.exit_code != 0);
    auto lines = result.lines();
    REQUIRE_MESSAGE(lines.size() == 1, result.output);
    CHECK_MESSAGE(lines[0].find(expected) != std::string::npos, lines[0]);
  };
  expect("median_pruner", "bad.yaml:9:9: 'pruner': unknown pruner 'median_pruner'");
  expect("{name: hyperbnd}",
         "unknown pruner 'hyperbnd' (did you mean 'hyperband'?); accepted: "
         "median, successive_halving, hyperband, learning_curve");
  expect("{name: median, options: {n_startup: 3}}", "bad.yaml:9:34: unknown key 'n_startup'");
  expect("{name: successive_halving, options: {reduction_factor: 1}}",
         "'pruner.options.reduction_factor'");
  expect("{name: median, options: {metric: val_loss}}",
         "pruner metric 'val_loss' is not an objective: give its direction (maximize or minimize)");
  expect("{name: median, options: {direction: minimize}}",
         "direction minimize contradicts objective accuracy (maximize)");
  expect("{name: hyperband, options: {min_resource: 3, max_resource: 2}}",
         "max_resource 2: expected an integer >= min_resource (3)");
  expect("{name: learning_curve, options: {predictor: curve_fit, draws: 10}}",
         "option 'draws' applies to predictor svr, not to predictor curve_fit");
  expect("{name: learning_curve, options: {predictor: curve_fit, families: [pow3, pow5]}}",
         "unknown curve family 'pow5'");
  expect("{name: successive_halving, options: {min_resource: autoo}}",
         "min_resource 'autoo': expected 'auto' or an integer >= 1");
  CHECK(fingerprint(dir.file("bad.db")) == "<missing>");
}
