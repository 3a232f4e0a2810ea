// Schema step 5 (trials.failure_cause): every way a trial fails stores its typed cause next to the
// unchanged reason text; a cause that contradicts the state is refused; and a file written before
// version 5, whose interrupted and lost trials carry only their reason text, is migrated so that
// each FAILED trial gets the cause that text stood for.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace tandem;
using tandem::test::file_bytes;
using tandem::test::RawConnection;
using tandem::test::TempDir;

namespace {

// Inserts a finished trial the way an older tandem left it (no failure_cause column yet).
std::string insert_old_trial(int number, const std::string& state, const std::string& reason) {
  return "INSERT INTO trials (experiment_id, number, state, space, candidate, reason, started, "
         "finished) VALUES (1, " + std::to_string(number) + ", '" + state + "', 'nb201', '|c" +
         std::to_string(number) + "|', '" + reason +
         "', '2024-01-02T03:05:00.000Z', '2024-01-02T03:05:01.000Z');";
}

}  // namespace

TEST_CASE("schema 5: an old file's FAILED trials get the cause their reason text stood for") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  {
    RawConnection raw(path);
    REQUIRE(raw.exec(file_bytes(std::string(TANDEM_SOURCE_DIR) + "/tests/db/schema_v1.sql")) == "");
    // The fixture holds #0 COMPLETE and #1 RUNNING; add what older runs wrote for each outcome.
    REQUIRE(raw.exec(insert_old_trial(2, "FAILED", "interrupted") +
                     insert_old_trial(3, "FAILED", "worker lost") +
                     insert_old_trial(4, "FAILED", "out of memory") +
                     insert_old_trial(5, "PRUNED", "median pruner at step 2") +
                     insert_old_trial(6, "FAILED", "interrupted: the evaluator said so") +
                     insert_old_trial(7, "INFEASIBLE", "macs > 4e6")) == "");
  }
  TrialStore store(path);
  REQUIRE(store.schema_version() == TrialStore::current_schema_version());
  const auto trials = store.trials(1);
  REQUIRE(trials.size() == 8);
  const FailureCause expected[] = {FailureCause::none,        FailureCause::none,
                                   FailureCause::interrupted, FailureCause::worker_lost,
                                   FailureCause::error,       FailureCause::none,
                                   FailureCause::error,       FailureCause::none};
  for (int i = 0; i < 8; ++i) {
    INFO("trial #" << i);
    CHECK(trials[i].cause == expected[i]);
  }
  // The reason text people read is unchanged.
  CHECK(trials[2].reason == "interrupted");
  CHECK(trials[3].reason == "worker lost");
  // The migration lifted the immutability trigger for its one update only.
  RawConnection raw(path);
  CHECK(raw.exec("UPDATE trials SET reason = 'edited' WHERE number = 2").find("immutable") !=
        std::string::npos);
  CHECK(raw.scalar("SELECT reason FROM trials WHERE number = 2") == "interrupted");
  // The still-running trial can finish, and is then FAILED with its cause.
  CHECK(store.fail_running_trials(1, "interrupted") == 1);
  CHECK(store.trials(1)[1].cause == FailureCause::interrupted);
}

TEST_CASE("each way a trial ends stores its failure cause") {
  TempDir dir;
  const std::string path = dir.file("causes.db");
  TrialStore store(path);
  const auto e = store.create_experiment("e", "", 1);
  auto start = [&](const std::string& candidate) {
    return store.start_trial(e, "s", candidate, "", "w").id;
  };
  store.finish_trial(start("a"), TrialResult::complete({}));
  store.finish_trial(start("b"), TrialResult::failed("evaluator said no"));
  store.finish_trial(start("c"), TrialResult::pruned("median"));
  store.finish_trial(start("d"), TrialResult::failed("worker lost"), std::nullopt, std::nullopt,
                     FailureCause::worker_lost);
  start("e");
  CHECK(store.fail_running_trials(e, "interrupted") == 1);

  const auto trials = store.trials(e);
  REQUIRE(trials.size() == 5);
  CHECK(trials[0].cause == FailureCause::none);
  CHECK(trials[1].cause == FailureCause::error);
  CHECK(trials[2].cause == FailureCause::none);
  CHECK(trials[3].cause == FailureCause::worker_lost);
  CHECK(trials[4].cause == FailureCause::interrupted);
  // The database spelling, as `tandem query` shows it.
  RawConnection raw(path);
  CHECK(raw.scalar("SELECT group_concat(failure_cause, ',') FROM (SELECT failure_cause FROM "
                   "trials ORDER BY number)") == "none,error,none,worker_lost,interrupted");
  CHECK(raw.exec("INSERT INTO trials (experiment_id, number, state, space, candidate, started, "
                 "failure_cause) VALUES (1, 9, 'RUNNING', 's', 'z', 'now', 'lost')") != "");
}

TEST_CASE("a failure cause that contradicts the state is one clear error and changes nothing") {
  TempDir dir;
  TrialStore store(dir.file("bad.db"));
  const auto e = store.create_experiment("e", "", 1);
  const auto id = store.start_trial(e, "s", "a", "", "w").id;
  CHECK_THROWS_WITH_AS(store.finish_trial(id, TrialResult::complete({}), std::nullopt,
                                          std::nullopt, FailureCause::error),
                       doctest::Contains("a COMPLETE trial cannot have failure cause 'error'"),
                       Error);
  CHECK_THROWS_WITH_AS(store.finish_trial(id, TrialResult::failed("x"), std::nullopt,
                                          std::nullopt, FailureCause::none),
                       doctest::Contains("a FAILED trial cannot have failure cause 'none'"),
                       Error);
  CHECK_THROWS_AS(store.fail_running_trials(e, "x", FailureCause::none), Error);
  CHECK(store.trials(e)[0].state == TrialStatus::running);
  CHECK_THROWS_WITH_AS(failure_cause_from_string("lost"),
                       "unknown trial failure cause 'lost'; expected none, error, interrupted or "
                       "worker_lost",
                       Error);
}
