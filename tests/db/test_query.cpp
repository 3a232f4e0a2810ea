// Tests for TrialStore::query (read-only, one statement, text output) and for the human-facing
// views: trial_summary with one column per metric name, experiment_summary with counts per state.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace tandem;
using tandem::test::RawConnection;
using tandem::test::TempDir;

namespace {

using Row = std::vector<std::string>;

std::int64_t finish(TrialStore& store, std::int64_t experiment, const Metrics& metrics,
                    TrialStatus status = TrialStatus::complete) {
  auto trial = store.start_trial(experiment, "s", "c", "", "");
  store.finish_trial(trial.id, TrialResult{status, metrics, ""});
  return trial.id;
}

Metrics metrics(std::initializer_list<std::pair<const char*, double>> values) {
  Metrics out;
  for (const auto& [name, value] : values) out.set(name, value);
  return out;
}

}  // namespace

TEST_CASE("query returns columns and rows as text") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto result = store.query(
      "SELECT 1 AS one, 0.1 AS tenth, 1.0 / 3 AS third, NULL AS missing, "
      "'text' AS word, 2.5e-8 AS small, 9e999 AS infinite");
  CHECK(result.columns == Row{"one", "tenth", "third", "missing", "word", "small", "infinite"});
  REQUIRE(result.rows.size() == 1);
  // Shortest round-trip forms: the digits printed read back as the same double.
  CHECK(result.rows[0] == Row{"1", "0.1", "0.3333333333333333", "NULL", "text", "2.5e-08", "inf"});

  auto empty = store.query("SELECT name FROM experiments");
  CHECK(empty.columns == Row{"name"});
  CHECK(empty.rows.empty());
  // Comments and a trailing semicolon are still one statement.
  CHECK(store.query("-- how many?\nSELECT count(*) FROM trials; -- done\n").rows[0][0] == "0");
  CHECK(store.query("PRAGMA table_info(trials)").rows.size() == 15);  // 11 + 3 (v3) + 1 (v5)
}

TEST_CASE("query refuses anything that would write, and leaves the file unchanged") {
  TempDir dir;
  std::string path = dir.file("trials.db");
  TrialStore store(path);
  auto e = store.create_experiment("e", "", 1);
  finish(store, e, metrics({{"accuracy", 0.5}}));

  for (const char* sql :
       {"DELETE FROM trials", "UPDATE experiments SET name = 'x'", "DROP TABLE trial_values",
        "INSERT INTO experiments (name, config_text, seed, status, created) VALUES "
        "('x', '', 1, 'running', '')",
        "CREATE TABLE notes (x)", "PRAGMA user_version = 1", "PRAGMA journal_mode = DELETE",
        "BEGIN IMMEDIATE", "ATTACH DATABASE 'other.db' AS other", "VACUUM",
        "WITH doomed AS (SELECT id FROM trials) DELETE FROM trials WHERE id IN doomed"}) {
    CAPTURE(sql);
    CHECK_THROWS_WITH_AS(store.query(sql), doctest::Contains("tandem query is read-only"), Error);
  }
  CHECK_THROWS_WITH_AS(store.query("SELECT 1; DELETE FROM trials"),
                       doctest::Contains("exactly one statement"), Error);
  CHECK_THROWS_WITH_AS(store.query("   "), doctest::Contains("needs an SQL statement"), Error);
  CHECK_THROWS_WITH_AS(store.query("SELECT * FROM no_such_table"),
                       doctest::Contains("no such table"), Error);

  RawConnection raw(path);
  CHECK(raw.scalar("SELECT count(*) FROM trials") == "1");
  CHECK(raw.scalar("SELECT count(*) FROM trial_values") == "1");
  CHECK(raw.scalar("PRAGMA user_version") == std::to_string(TrialStore::current_schema_version()));
  CHECK(raw.scalar("PRAGMA journal_mode") == "wal");
  CHECK(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'notes'") == "0");
  CHECK_FALSE(std::filesystem::exists(dir.file("other.db")));
  // The connection is writable again after a refused query.
  CHECK(store.start_trial(e, "s", "c", "", "").number == 1);
}

TEST_CASE("trial_summary has one column per metric name, added as names appear") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto e = store.create_experiment("search", "", 1);

  auto summary_columns = [&] { return store.query("SELECT * FROM trial_summary").columns; };
  Row fixed{"trial_id",  "experiment",  "number", "state",
            "candidate", "accelerator", "reason", "duration_s"};
  CHECK(summary_columns() == fixed);  // no metrics yet

  finish(store, e, metrics({{"accuracy", 0.75}}));
  Row expected = fixed;
  expected.push_back("accuracy");
  CHECK(summary_columns() == expected);

  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // New names, including ones that need quoting or that clash with fixed columns or each other.
  finish(store, e,
         metrics({{"latency_ms", inf},
                  {"energy \"mJ\"", 2.5},
                  {"it's", 1.0},
                  {"state", 7.0},
                  {"Accuracy", 0.125},
                  {"x') END) AS y FROM trials; --", 3.0}}));
  finish(store, e, metrics({{"accuracy", nan}}), TrialStatus::pruned);

  auto all = store.query("SELECT * FROM trial_summary");
  // Metric columns follow in the order the names first appeared (within one trial, name order:
  // upper case first); clashes with fixed columns or, ignoring case, earlier metrics get a prefix.
  Row columns_expected = fixed;
  for (const char* column : {"accuracy", "metric_Accuracy", "energy \"mJ\"", "it's", "latency_ms",
                             "metric_state", "x') END) AS y FROM trials; --"}) {
    columns_expected.push_back(column);
  }
  CHECK(all.columns == columns_expected);
  REQUIRE(all.rows.size() == 3);
  auto cell = [&](std::size_t row, const std::string& name) {
    auto found = std::find(all.columns.begin(), all.columns.end(), name);
    REQUIRE_MESSAGE(found != all.columns.end(), "no column " << name);
    return all.rows.at(row).at(static_cast<std::size_t>(found - all.columns.begin()));
  };
  CHECK(cell(0, "number") == "0");
  CHECK(cell(0, "experiment") == "search");
  CHECK(cell(0, "accuracy") == "0.75");
  CHECK(cell(0, "metric_Accuracy") == "NULL");
  CHECK(cell(1, "metric_Accuracy") == "0.125");
  CHECK(cell(1, "latency_ms") == "inf");  // infinities are REAL infinities here
  CHECK(cell(1, "energy \"mJ\"") == "2.5");
  CHECK(cell(1, "it's") == "1");
  CHECK(cell(1, "metric_state") == "7");
  CHECK(cell(1, "state") == "COMPLETE");
  CHECK(cell(1, "x') END) AS y FROM trials; --") == "3");
  CHECK(cell(2, "state") == "PRUNED");
  CHECK(cell(2, "accuracy") == "NULL");  // NaN
  CHECK(cell(2, "duration_s") != "NULL");

  // Researchers can sort on a metric column directly.
  auto best = store.query(
      "SELECT number FROM trial_summary WHERE accuracy IS NOT NULL "
      "ORDER BY accuracy DESC LIMIT 1");
  CHECK(best.rows[0][0] == "0");
}

TEST_CASE("experiment_summary counts trials per state") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto a = store.create_experiment("a", "", 1);
  store.create_experiment("empty", "", 2);
  finish(store, a, {});
  finish(store, a, {});
  finish(store, a, {}, TrialStatus::pruned);
  finish(store, a, {}, TrialStatus::infeasible);
  finish(store, a, {}, TrialStatus::failed);
  store.start_trial(a, "s", "c", "", "");
  auto result = store.query(
      "SELECT experiment, trials, running, complete, pruned, infeasible, "
      "failed FROM experiment_summary ORDER BY experiment_id");
  REQUIRE(result.rows.size() == 2);
  CHECK(result.rows[0] == Row{"a", "6", "1", "2", "1", "1", "1"});
  CHECK(result.rows[1] == Row{"empty", "0", "0", "0", "0", "0", "0"});
}

TEST_CASE("query stops past its time or size limit with one line - the store works afterwards") {
  TempDir dir;
  TrialStore writer(dir.file("t.db"));
  writer.create_experiment("e", "text", 1);
  TrialStore reader(dir.file("t.db"), TrialStore::Mode::read_only);

  auto error_of = [&](const std::string& sql, const QueryLimits& limits) -> std::string {
    try {
      reader.query(sql, limits);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  QueryLimits quick;
  quick.seconds = 0.3;
  // A recursive CTE with no end runs until the deadline.
  CHECK(error_of("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                 "SELECT count(*) FROM c",
                 quick)
            .find("was stopped after 0.3 s (--timeout)") != std::string::npos);
  // One value larger than the limit is refused by SQLite before it is built.
  CHECK(error_of("SELECT length(randomblob(900000000))", QueryLimits{})
            .find("exceeds 256 MB (--max-mb)") != std::string::npos);
  // A result of 100,000 rows of 100 characters (about 10 MB) against a 1 MB limit.
  QueryLimits small;
  small.max_bytes = 1u << 20;
  CHECK(error_of("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) "
                 "SELECT printf('%.100c', 'a') FROM c",
                 small)
            .find("exceeds 1 MB (--max-mb)") != std::string::npos);
  // The connection is back to normal: a small query runs, and writes are still refused.
  CHECK(reader.query("SELECT name FROM experiments").rows == std::vector<Row>{{"e"}});
  CHECK(error_of("DELETE FROM experiments", QueryLimits{}).find("read-only") !=
        std::string::npos);
  CHECK(writer.find_experiment("e").has_value());
}

TEST_CASE("a read-only open leaves no -wal or -shm file behind") {
  TempDir dir;
  const std::string path = dir.file("t.db");
  {
    TrialStore writer(path);
    writer.create_experiment("e", "text", 1);
  }
  const auto exists = [](const std::string& file) { return std::filesystem::exists(file); };
  REQUIRE_FALSE(exists(path + "-wal"));  // a clean close of the writer removed them
  REQUIRE_FALSE(exists(path + "-shm"));
  const std::string before = tandem::test::file_bytes(path);
  {
    TrialStore reader(path, TrialStore::Mode::read_only);
    CHECK(reader.experiments().size() == 1);
    CHECK(reader.query("SELECT count(*) FROM trials").rows == std::vector<Row>{{"0"}});
    CHECK(exists(path + "-wal"));  // while it reads, SQLite's WAL files are there
  }
  CHECK_FALSE(exists(path + "-wal"));
  CHECK_FALSE(exists(path + "-shm"));
  CHECK(tandem::test::file_bytes(path) == before);
  // While a writer holds the file open, a reader's close leaves the writer's files alone.
  TrialStore writer(path);
  {
    TrialStore reader(path, TrialStore::Mode::read_only);
    CHECK(reader.experiments().size() == 1);
  }
  CHECK(exists(path + "-wal"));
  writer.create_experiment("f", "text", 2);
  TrialStore again(path, TrialStore::Mode::read_only);
  CHECK(again.experiments().size() == 2);
}
