// Tests that finished trials cannot change: through the API, and through raw SQL on a second
// sqlite3 connection (the schema's triggers), while running trials and deletions still work.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace tandem;
using tandem::test::RawConnection;
using tandem::test::TempDir;

TEST_CASE("finishing a finished trial raises and changes nothing") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto e = store.create_experiment("e", "", 1);
  auto t = store.start_trial(e, "s", "c", "", "");
  Metrics metrics;
  metrics.set("accuracy", 0.5);
  store.finish_trial(t.id, TrialResult::complete(metrics), std::string("state"));
  std::string finished = store.trial(e, 0)->finished;

  Metrics other;
  other.set("accuracy", 0.99);
  CHECK_THROWS_WITH_AS(store.finish_trial(t.id, TrialResult::complete(other), std::string("x")),
                       doctest::Contains("trial 0 of experiment 'e' is already COMPLETE; "
                                         "finished trials are immutable"),
                       Error);
  CHECK_THROWS_AS(store.finish_trial(t.id, TrialResult::failed("later")), Error);
  auto after = store.trial(e, 0);
  CHECK(after->state == TrialStatus::complete);
  CHECK(after->values == metrics);
  CHECK(after->finished == finished);
  CHECK(after->reason.empty());
  CHECK(store.strategy_state(t.id) == std::string("state"));
}

TEST_CASE("raw SQL on another connection cannot change a finished trial") {
  TempDir dir;
  std::string path = dir.file("trials.db");
  TrialStore store(path);
  auto e = store.create_experiment("e", "", 1);
  auto done = store.start_trial(e, "s", "c", "", "");
  Metrics metrics;
  metrics.set("accuracy", 0.5);
  store.finish_trial(done.id, TrialResult::complete(metrics), std::string("state"));
  store.log_intermediate(store.start_trial(e, "s", "d", "", "").id, 0, metrics);
  auto running = store.trial(e, 1);

  RawConnection raw(path);
  std::string id = std::to_string(done.id);
  const std::string immutable = "finished trials are immutable";
  CHECK(raw.exec("UPDATE trials SET state = 'FAILED' WHERE id = " + id) == immutable);
  CHECK(raw.exec("UPDATE trials SET reason = 'x' WHERE id = " + id) == immutable);
  CHECK(raw.exec("UPDATE trial_values SET value = 1.0 WHERE trial_id = " + id) == immutable);
  CHECK(raw.exec("DELETE FROM trial_values WHERE trial_id = " + id) == immutable);
  CHECK(raw.exec("INSERT INTO trial_values VALUES (" + id + ", 'new', 1.0, 'finite')") ==
        immutable);
  CHECK(raw.exec("INSERT INTO intermediate_values VALUES (" + id + ", 5, 'x', 1.0, 'finite')") ==
        immutable);
  CHECK(raw.exec("UPDATE strategy_states SET state = 'x'") == immutable);
  CHECK(raw.exec("DELETE FROM strategy_states WHERE trial_id = " + id) == immutable);

  // The CHECK constraints hold as well: no unknown state, no NaN convention violations.
  CHECK(raw.exec("UPDATE trials SET state = 'DONE' WHERE id = " + std::to_string(running->id))
            .find("CHECK constraint failed") != std::string::npos);
  CHECK(raw.exec("INSERT INTO trial_values VALUES (" + std::to_string(running->id) +
                 ", 'bad', NULL, 'finite')")
            .find("CHECK constraint failed") != std::string::npos);

  auto after = store.trial(e, 0);
  CHECK(after->state == TrialStatus::complete);
  CHECK(after->values == metrics);
  CHECK(store.strategy_state(done.id) == std::string("state"));

  // Running trials can still change, and whole experiments can be deleted (cascading).
  CHECK(raw.exec("UPDATE trials SET worker = 'moved' WHERE id = " + std::to_string(running->id)) ==
        "");
  CHECK(raw.exec("PRAGMA foreign_keys = ON; DELETE FROM experiments WHERE name = 'e'") == "");
  CHECK(raw.scalar("SELECT count(*) FROM trials") == "0");
  CHECK(raw.scalar("SELECT count(*) FROM trial_values") == "0");
  CHECK(raw.scalar("SELECT count(*) FROM intermediate_values") == "0");
  CHECK(raw.scalar("SELECT count(*) FROM strategy_states") == "0");
}
