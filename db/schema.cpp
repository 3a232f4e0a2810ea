// Schema DDL, forward migrations and the trial_summary pivot view (see schema.hpp).
//
// Migration policy: the DDL of a released version never changes. A schema change is a new
// version: append a step to kMigrations; opening a file read-write applies the missing steps in
// order inside one BEGIN IMMEDIATE transaction, so a file is either fully migrated or untouched.
#include "db/schema.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>

#include "core/error.hpp"
#include "db/sqlite_statement.hpp"

namespace tandem::schema {
namespace {

// Version 1: the tables and the triggers that make finished trials immutable.
// Frozen: files written by tandem with schema version 1 contain exactly this.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE experiments (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  config_text TEXT    NOT NULL,
  seed        INTEGER NOT NULL,
  status      TEXT    NOT NULL,
  created     TEXT    NOT NULL
);

CREATE TABLE trials (
  id            INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  number        INTEGER NOT NULL CHECK (number >= 0),
  state         TEXT    NOT NULL
                CHECK (state IN ('RUNNING', 'COMPLETE', 'PRUNED', 'FAILED', 'INFEASIBLE')),
  space         TEXT    NOT NULL,
  candidate     TEXT    NOT NULL,
  accelerator   TEXT    NOT NULL DEFAULT '',
  reason        TEXT    NOT NULL DEFAULT '',
  worker        TEXT    NOT NULL DEFAULT '',
  started       TEXT    NOT NULL,
  finished      TEXT,
  UNIQUE (experiment_id, number),
  CHECK ((state = 'RUNNING') = (finished IS NULL))
);
CREATE INDEX trials_by_experiment_state ON trials (experiment_id, state);

CREATE TABLE trial_values (
  trial_id   INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  value      REAL,
  value_kind TEXT    NOT NULL CHECK (value_kind IN ('finite', 'nan', 'inf', '-inf')),
  PRIMARY KEY (trial_id, name),
  CHECK ((value_kind = 'finite') = (value IS NOT NULL))
);
CREATE INDEX trial_values_by_name ON trial_values (name, value);

CREATE TABLE intermediate_values (
  trial_id   INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  step       INTEGER NOT NULL,
  name       TEXT    NOT NULL,
  value      REAL,
  value_kind TEXT    NOT NULL CHECK (value_kind IN ('finite', 'nan', 'inf', '-inf')),
  PRIMARY KEY (trial_id, step, name),
  CHECK ((value_kind = 'finite') = (value IS NOT NULL))
);

CREATE TABLE strategy_states (
  id       INTEGER PRIMARY KEY,
  trial_id INTEGER NOT NULL UNIQUE REFERENCES trials(id) ON DELETE CASCADE,
  state    BLOB    NOT NULL
);

CREATE TRIGGER trials_finished_are_immutable
BEFORE UPDATE ON trials WHEN OLD.state <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;

CREATE TRIGGER trial_values_insert_only_while_running
BEFORE INSERT ON trial_values
WHEN (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER trial_values_update_only_while_running
BEFORE UPDATE ON trial_values
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
  OR (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER trial_values_delete_only_while_running
BEFORE DELETE ON trial_values
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;

CREATE TRIGGER intermediate_values_insert_only_while_running
BEFORE INSERT ON intermediate_values
WHEN (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER intermediate_values_update_only_while_running
BEFORE UPDATE ON intermediate_values
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
  OR (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER intermediate_values_delete_only_while_running
BEFORE DELETE ON intermediate_values
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;

CREATE TRIGGER strategy_states_insert_only_while_running
BEFORE INSERT ON strategy_states
WHEN (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER strategy_states_update_is_forbidden
BEFORE UPDATE ON strategy_states
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER strategy_states_delete_only_while_running
BEFORE DELETE ON strategy_states
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
)sql";

// Version 2: worker heartbeats and the experiment_summary view (trial_summary is generated).
constexpr const char* kVersion2 = R"sql(
CREATE TABLE heartbeats (
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  worker        TEXT    NOT NULL,
  last_seen     TEXT    NOT NULL,
  PRIMARY KEY (experiment_id, worker)
);

CREATE VIEW experiment_summary AS
SELECT e.id AS experiment_id,
       e.name AS experiment,
       e.status AS status,
       e.seed AS seed,
       e.created AS created,
       COUNT(t.id) AS trials,
       COUNT(CASE WHEN t.state = 'RUNNING' THEN 1 END) AS running,
       COUNT(CASE WHEN t.state = 'COMPLETE' THEN 1 END) AS complete,
       COUNT(CASE WHEN t.state = 'PRUNED' THEN 1 END) AS pruned,
       COUNT(CASE WHEN t.state = 'INFEASIBLE' THEN 1 END) AS infeasible,
       COUNT(CASE WHEN t.state = 'FAILED' THEN 1 END) AS failed,
       MAX(t.finished) AS last_finished
FROM experiments AS e LEFT JOIN trials AS t ON t.experiment_id = e.id
GROUP BY e.id
ORDER BY e.id;
)sql";

// Version 3: ask/tell bookkeeping, so that --resume replays a run with concurrent workers exactly
// (asks in ask order interleaved with tells in tell order; see docs/distributed.md).
constexpr const char* kVersion3 = R"sql(
ALTER TABLE trials ADD COLUMN ask_seq INTEGER;
ALTER TABLE trials ADD COLUMN tell_seq INTEGER;
ALTER TABLE trials ADD COLUMN retry_of INTEGER;
)sql";

// Version 4: values that belong to a whole experiment rather than one trial — the hypervolume of
// a multi-objective experiment (`tandem trials --summary`; docs/database.md). Self-contained.
constexpr const char* kVersion4 = R"sql(
CREATE TABLE experiment_values (
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  name          TEXT    NOT NULL,
  value         REAL,
  value_kind    TEXT    NOT NULL CHECK (value_kind IN ('finite', 'nan', 'inf', '-inf')),
  updated       TEXT    NOT NULL,
  PRIMARY KEY (experiment_id, name),
  CHECK ((value_kind = 'finite') = (value IS NOT NULL))
);
)sql";

// Version 5: trials.failure_cause, the typed reason a trial is FAILED (none, error, interrupted,
// worker_lost; db/failure_cause.hpp). Lineage (was a result told, must a candidate run again)
// reads it instead of the reason text. Existing rows are classified once, here, by the reason
// texts that tandem wrote for those causes before version 5 ('interrupted', 'worker lost'); the
// immutability trigger is lifted for that one UPDATE and restored exactly as version 1 made it.
constexpr const char* kVersion5 = R"sql(
ALTER TABLE trials ADD COLUMN failure_cause TEXT NOT NULL DEFAULT 'none'
  CHECK (failure_cause IN ('none', 'error', 'interrupted', 'worker_lost'));
DROP TRIGGER trials_finished_are_immutable;
UPDATE trials SET failure_cause = CASE
  WHEN state <> 'FAILED' THEN 'none'
  WHEN reason = 'interrupted' THEN 'interrupted'
  WHEN reason = 'worker lost' THEN 'worker_lost'
  ELSE 'error' END;
CREATE TRIGGER trials_finished_are_immutable
BEFORE UPDATE ON trials WHEN OLD.state <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
)sql";

// Version 6: the run lock. One row per experiment that a `tandem run` process is running: who holds
// it (host, pid and the process's start identity, so a reused pid is not mistaken for the
// holder) and when it last said it was alive. A second writer is refused while the holder lives;
// a dead holder's row is taken over (db/run_lock.cpp). Self-contained.
constexpr const char* kVersion6 = R"sql(
CREATE TABLE run_locks (
  experiment_id INTEGER PRIMARY KEY REFERENCES experiments(id) ON DELETE CASCADE,
  host          TEXT    NOT NULL,
  pid           INTEGER NOT NULL,
  process_start TEXT    NOT NULL,
  acquired      TEXT    NOT NULL,
  last_seen     TEXT    NOT NULL
);
)sql";

void migrate_to_1(sqlite3* db, const std::string& path) {
  sqlite::execute(db, path, kVersion1);
}

void migrate_to_2(sqlite3* db, const std::string& path) {
  sqlite::execute(db, path, kVersion2);
  rebuild_trial_summary(db, path);  // a migrated version-1 file already has metric names
}

void migrate_to_3(sqlite3* db, const std::string& path) {
  sqlite::execute(db, path, kVersion3);
}

void migrate_to_4(sqlite3* db, const std::string& path) {
  sqlite::execute(db, path, kVersion4);
}

void migrate_to_5(sqlite3* db, const std::string& path) {
  sqlite::execute(db, path, kVersion5);
}

void migrate_to_6(sqlite3* db, const std::string& path) {
  sqlite::execute(db, path, kVersion6);
}

using MigrationStep = void (*)(sqlite3*, const std::string&);
// kMigrations[i] takes a file from version i to version i + 1.
constexpr MigrationStep kMigrations[] = {migrate_to_1, migrate_to_2, migrate_to_3, migrate_to_4,
                                         migrate_to_5, migrate_to_6};
static_assert(std::size(kMigrations) == current_version);

// Columns of trial_summary before the metric columns.
const char* const kFixedColumns[] = {"trial_id",  "experiment",  "number", "state",
                                     "candidate", "accelerator", "reason", "duration_s"};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The CASE arm that pivots metric `name` into its column; also how the view's SQL is searched.
std::string case_arm(const std::string& name) {
  return "WHEN v.name = " + sqlite::quote_literal(name) + " THEN";
}

}  // namespace

void migrate(sqlite3* db, const std::string& path, int from) {
  for (int version = from; version < current_version; ++version) {
    kMigrations[version](db, path);
  }
  sqlite::execute(db, path, "PRAGMA user_version = " + std::to_string(current_version));
}

std::vector<std::string> summary_column_names(const std::vector<std::string>& names) {
  std::set<std::string> used;
  for (const char* fixed : kFixedColumns) used.insert(fixed);
  std::vector<std::string> columns;
  for (const auto& name : names) {
    std::string column = name;
    if (used.count(lowercase(column))) column = "metric_" + name;
    std::string base = column;
    for (int suffix = 2; used.count(lowercase(column)); ++suffix) {
      column = base + "_" + std::to_string(suffix);
    }
    used.insert(lowercase(column));
    columns.push_back(column);
  }
  return columns;
}

void rebuild_trial_summary(sqlite3* db, const std::string& path) {
  std::vector<std::string> names;
  {
    // First-appearance order: a column keeps its name and place as new metric names arrive.
    sqlite::Statement select(db, path,
                             "SELECT name FROM trial_values GROUP BY name ORDER BY MIN(rowid)");
    while (select.step()) names.push_back(select.column_text(0));
  }
  std::vector<std::string> columns = summary_column_names(names);

  std::string sql =
      "CREATE VIEW trial_summary AS\n"
      "SELECT t.id AS trial_id, e.name AS experiment, t.number AS number, t.state AS state,\n"
      "       t.candidate AS candidate, t.accelerator AS accelerator, t.reason AS reason,\n"
      "       ROUND((julianday(t.finished) - julianday(t.started)) * 86400.0, 3) AS duration_s";
  for (std::size_t i = 0; i < names.size(); ++i) {
    // Infinities come back as REAL infinities so that ORDER BY sorts them; NaN stays NULL.
    sql += ",\n       MAX(CASE " + case_arm(names[i]) +
           " (CASE v.value_kind WHEN 'finite' THEN v.value WHEN 'inf' THEN 9e999"
           " WHEN '-inf' THEN -9e999 END) END) AS " +
           sqlite::quote_identifier(columns[i]);
  }
  sql +=
      "\nFROM trials AS t JOIN experiments AS e ON e.id = t.experiment_id\n"
      "LEFT JOIN trial_values AS v ON v.trial_id = t.id\n"
      "GROUP BY t.id\n"
      "ORDER BY e.id, t.number";
  sqlite::execute(db, path, "DROP VIEW IF EXISTS trial_summary");
  sqlite::execute(db, path, sql);
}

void ensure_summary_columns(sqlite3* db, const std::string& path,
                            const std::vector<std::string>& names) {
  if (names.empty()) return;
  std::string view_sql;
  {
    sqlite::Statement select(
        db, path, "SELECT sql FROM sqlite_schema WHERE type = 'view' AND name = 'trial_summary'");
    if (select.step()) view_sql = select.column_text(0);
  }
  bool complete = !view_sql.empty() && std::all_of(names.begin(), names.end(), [&](const auto& n) {
    return view_sql.find(case_arm(n)) != std::string::npos;
  });
  if (!complete) rebuild_trial_summary(db, path);
}

}  // namespace tandem::schema
