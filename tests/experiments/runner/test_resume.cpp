// kill -9 during `tandem run`, then `--resume`: trial numbers stay consecutive, every finished
// trial is kept unchanged, nothing is duplicated, the interrupted trial is FAILED ("interrupted")
// and re-asked — and the whole history equals an uninterrupted run with the same seed.
#include <doctest/doctest.h>

#include "db/trial_store.hpp"
#include "experiments/runner/trial_loop.hpp"
#include "tests/experiments/cli_harness.hpp"
#include "tests/experiments/runner/kill_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

std::string config_text(const std::string& strategy) {
  return "name: resume-check\n"
         "seed: 7\n"
         "space: {name: nb201, options: {width: 4, cells_per_stage: 1}}\n"
         "strategy: " + strategy + "\n"
         "evaluators: [{name: graph_stats}]\n"
         "objectives: [{metric: params, direction: maximize}]\n"
         "constraints: [\"macs <= 4000000\"]\n"
         "budget: {trials: 1000000}\n";
}

std::vector<TrialRecord> stored_trials(const std::string& db) {
  TrialStore store(db, TrialStore::Mode::read_only);
  return store.trials(store.find_experiment("resume-check")->id);
}

void check_kill_and_resume(const std::string& strategy) {
  TempDir dir;
  std::string config = dir.write("exp.yaml", config_text(strategy));
  std::string db = dir.file("killed.db");

  // Kill the run twice at different moments, resuming in between.
  run_and_kill({"run", config, "--db", db, "--quiet"}, std::chrono::milliseconds(700));
  auto first = stored_trials(db);
  REQUIRE(first.size() > 5);
  run_and_kill({"run", config, "--db", db, "--quiet", "--resume"}, std::chrono::milliseconds(900));
  auto second = stored_trials(db);
  REQUIRE(second.size() >= first.size());
  // Finished trials are immutable: everything finished before the second kill is unchanged.
  for (std::size_t i = 0; i < first.size(); ++i) {
    if (first[i].state == TrialStatus::running) continue;
    CHECK(second[i].candidate == first[i].candidate);
    CHECK(second[i].values == first[i].values);
    CHECK(second[i].state == first[i].state);
  }

  long long told = 0;
  for (const auto& t : second) told += was_told(t) ? 1 : 0;
  const long long total = told + 25;
  auto resumed = run_tandem("run '" + config + "' --db '" + db + "' --quiet --resume --trials " +
                            std::to_string(total));
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);

  std::string reference_db = dir.file("reference.db");
  auto reference = run_tandem("run '" + config + "' --db '" + reference_db +
                              "' --quiet --trials " + std::to_string(total));
  REQUIRE_MESSAGE(reference.exit_code == 0, reference.output);

  auto final_trials = stored_trials(db);
  auto reference_trials = stored_trials(reference_db);
  // Consecutive numbers, nothing left running.
  for (std::size_t i = 0; i < final_trials.size(); ++i) {
    CHECK(final_trials[i].number == static_cast<int>(i));
    CHECK(final_trials[i].state != TrialStatus::running);
  }
  // Interrupted trials are FAILED "interrupted" and their candidate is asked again next.
  std::vector<const TrialRecord*> told_trials;
  for (std::size_t i = 0; i < final_trials.size(); ++i) {
    const auto& t = final_trials[i];
    if (was_told(t)) {
      told_trials.push_back(&t);
    } else {
      CHECK(t.state == TrialStatus::failed);
      CHECK(t.reason == kInterruptedReason);
      REQUIRE(i + 1 < final_trials.size());
      CHECK(final_trials[i + 1].candidate == t.candidate);
    }
  }
  // The told history is exactly the uninterrupted run's history.
  REQUIRE(told_trials.size() == reference_trials.size());
  REQUIRE(static_cast<long long>(told_trials.size()) == total);
  for (std::size_t i = 0; i < reference_trials.size(); ++i) {
    CHECK(told_trials[i]->candidate == reference_trials[i].candidate);
    CHECK(told_trials[i]->state == reference_trials[i].state);
    CHECK(told_trials[i]->values == reference_trials[i].values);
  }
}

}  // namespace

TEST_CASE("kill -9 and --resume with random search equals an uninterrupted run") {
  check_kill_and_resume("random");
}

TEST_CASE("kill -9 and --resume with regularized evolution equals an uninterrupted run") {
  check_kill_and_resume("{name: regularized_evolution, options: {population_size: 10, sample_size: 3}}");
}

TEST_CASE("resuming a finished experiment with a larger budget continues it") {
  TempDir dir;
  std::string config = dir.write("exp.yaml", config_text("random"));
  std::string db = dir.file("x.db");
  REQUIRE(run_tandem("run '" + config + "' --db '" + db + "' --quiet --trials 10").exit_code == 0);
  REQUIRE(run_tandem("run '" + config + "' --db '" + db + "' --quiet --trials 15 --resume")
              .exit_code == 0);
  auto trials = stored_trials(db);
  CHECK(trials.size() == 15);
  for (const auto& t : trials) CHECK(t.state != TrialStatus::running);
}

TEST_CASE("Ctrl-C (SIGINT) and SIGTERM mid-trial, then --resume, equal an uninterrupted run") {
  // 0.4 s trials in 8 steps: a signal 0.2 s after the third or fifth trial started lands inside
  // it (whatever the machine's load makes of startup), and its evaluator sees should_stop() and
  // stops early. That is the user's interruption, not a pruning decision: the trial must be
  // FAILED "interrupted" and re-run, as after kill -9.
  for (int signal : {SIGINT, SIGTERM}) {
    INFO("signal " << signal);
    TempDir dir;
    const std::string config = dir.write(
        "exp.yaml",
        "name: resume-check\nseed: 7\nspace: {name: nb201}\nstrategy: random\n"
        "evaluators: [{name: synthetic, options: {sleep_seconds: 0.4, steps: 8}}]\n"
        "objectives: [{metric: score, direction: maximize}]\nbudget: {trials: 8}\n");
    const std::string db = dir.file("stopped.db");
    run_until({"run", config, "--db", db, "--quiet"}, db,
              KillPoint{signal, 0.2, signal == SIGINT ? 3 : 5});
    auto stopped = stored_trials(db);
    REQUIRE(!stopped.empty());
    const TrialRecord& last = stopped.back();
    CHECK(last.state == TrialStatus::failed);
    CHECK(last.reason == kInterruptedReason);
    CHECK(last.cause == FailureCause::interrupted);
    for (const auto& t : stopped) CHECK(t.state != TrialStatus::pruned);
    {
      TrialStore store(db, TrialStore::Mode::read_only);
      CHECK(store.find_experiment("resume-check")->status == "interrupted");
    }

    auto resumed = run_tandem("run '" + config + "' --db '" + db + "' --quiet --resume");
    REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
    const std::string reference_db = dir.file("reference.db");
    auto reference = run_tandem("run '" + config + "' --db '" + reference_db + "' --quiet");
    REQUIRE_MESSAGE(reference.exit_code == 0, reference.output);
    std::vector<TrialRecord> told;
    const auto final_trials = stored_trials(db);
    for (std::size_t i = 0; i < final_trials.size(); ++i) {
      if (was_told(final_trials[i])) {
        told.push_back(final_trials[i]);
      } else {  // the interrupted trial's candidate is the next one run
        REQUIRE(i + 1 < final_trials.size());
        CHECK(final_trials[i + 1].candidate == final_trials[i].candidate);
      }
    }
    const auto expected = stored_trials(reference_db);
    REQUIRE(told.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(told[i].candidate == expected[i].candidate);
      CHECK(told[i].state == expected[i].state);
      CHECK(told[i].values == expected[i].values);
    }
  }
}
