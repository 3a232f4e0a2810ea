// --resume on a database written before schema 5 (no trials.failure_cause): its interrupted
// trials carry only the reason text "interrupted". The migration must turn that into the typed
// cause, so the resumed run skips the interrupted trial in the replay and ends with exactly the
// history of an uninterrupted run; were the trial taken for an ordinary failure, its FAILED
// result would be told and the history would differ.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include "db/trial_store.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/runner/trial_loop.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const char* const kConfig =
    "name: old-db\nseed: 9\n"
    "space: {name: nb201, options: {width: 4, cells_per_stage: 1}}\n"
    "strategy: random\n"
    "evaluators: [{name: graph_stats}]\n"
    "objectives: [{metric: params, direction: maximize}]\n"
    "budget: {trials: 100}\n";

RunOptions quiet(long long trials, bool resume) {
  RunOptions options;
  options.show_progress = false;
  options.trials = trials;
  options.resume = resume;
  return options;
}

std::vector<TrialRecord> stored_trials(const std::string& db) {
  TrialStore store(db, TrialStore::Mode::read_only);
  return store.trials(store.find_experiment("old-db")->id);
}

void exec(const std::string& db, const std::string& sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &message);
  const std::string text = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(raw);
  REQUIRE_MESSAGE(rc == SQLITE_OK, text);
}

}  // namespace

TEST_CASE("--resume on a schema-4 database with a legacy 'interrupted' trial replays it as not told") {
  TempDir dir;
  const ExperimentConfig config = ExperimentConfig::parse(kConfig, "old-db.yaml");
  const std::string db = dir.file("old.db");
  const std::string reference_db = dir.file("reference.db");
  {
    Experiment experiment(config);
    TrialStore store(db);
    run_experiment(experiment, store, quiet(10, false));
  }
  {
    Experiment experiment(config);
    TrialStore store(reference_db);
    run_experiment(experiment, store, quiet(14, false));
  }
  const auto reference = stored_trials(reference_db);
  REQUIRE(reference.size() == 14);

  // What an older tandem's sequential loop left: ten told trials without ask/tell numbers, then a
  // trial killed while it evaluated the 11th candidate, marked FAILED "interrupted" by a resume;
  // schema version 4, so no failure_cause column (version 5) and no run_locks table (version 6).
  exec(db,
       "DROP TRIGGER trials_finished_are_immutable;"
       "UPDATE trials SET ask_seq = NULL, tell_seq = NULL, retry_of = NULL;"
       "INSERT INTO trials (experiment_id, number, state, space, candidate, accelerator, reason, "
       "worker, started, finished) SELECT experiment_id, 10, 'FAILED', space, '" +
           reference[10].candidate +
           "', accelerator, 'interrupted', worker, started, finished FROM trials WHERE number = 9;"
           "ALTER TABLE trials DROP COLUMN failure_cause;"
           "DROP TABLE run_locks;"
           "CREATE TRIGGER trials_finished_are_immutable BEFORE UPDATE ON trials "
           "WHEN OLD.state <> 'RUNNING' "
           "BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;"
           "PRAGMA user_version = 4;");

  Experiment experiment(config);
  RunSummary summary;
  {
    TrialStore store(db);  // migrates to the current schema
    CHECK(store.schema_version() == TrialStore::current_schema_version());
    summary = run_experiment(experiment, store, quiet(14, true));
  }
  CHECK(summary.replayed == 10);
  CHECK(summary.new_trials == 4);
  const auto trials = stored_trials(db);
  REQUIRE(trials.size() == 15);
  CHECK(trials[10].state == TrialStatus::failed);
  CHECK(trials[10].cause == FailureCause::interrupted);
  CHECK(trials[10].reason == "interrupted");
  CHECK(trials[11].candidate == trials[10].candidate);  // the strategy asked for it again
  // The told history is the uninterrupted run's.
  std::vector<const TrialRecord*> told;
  for (const auto& trial : trials)
    if (was_told(trial)) told.push_back(&trial);
  REQUIRE(told.size() == reference.size());
  for (std::size_t i = 0; i < reference.size(); ++i) {
    CHECK(told[i]->candidate == reference[i].candidate);
    CHECK(told[i]->state == reference[i].state);
    CHECK(told[i]->values == reference[i].values);
  }
}
