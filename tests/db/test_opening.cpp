// Tests for opening trial databases: migration of a version-1 file, files from a newer tandem,
// files that are not SQLite, unwritable or missing locations, and read-only mode never writing.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <thread>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace tandem;
using tandem::test::file_bytes;
using tandem::test::RawConnection;
using tandem::test::TempDir;
using tandem::test::write_file;
namespace fs = std::filesystem;

namespace {

// Builds a schema-version-1 file from the frozen fixture.
void make_version_1_file(const std::string& path) {
  RawConnection raw(path);
  std::string sql = file_bytes(std::string(TANDEM_SOURCE_DIR) + "/tests/db/schema_v1.sql");
  REQUIRE(!sql.empty());
  REQUIRE(raw.exec(sql) == "");
  REQUIRE(raw.scalar("PRAGMA user_version") == "1");
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a version-1 file is migrated to the current version on a read-write open, keeping its data") {
  TempDir dir;
  std::string path = dir.file("old.db");
  make_version_1_file(path);

  TrialStore store(path);
  CHECK(store.schema_version() == TrialStore::current_schema_version());
  auto experiment = store.find_experiment("old-run");
  REQUIRE(experiment);
  CHECK(experiment->seed == 7);
  CHECK(experiment->status == "interrupted");
  CHECK(experiment->config_text == "search: random\nseed: 7\n");
  CHECK(experiment->created == "2024-01-02T03:04:05.006Z");

  auto trials = store.trials(experiment->id);
  REQUIRE(trials.size() == 2);
  CHECK(trials[0].state == TrialStatus::complete);
  CHECK(trials[0].candidate == "|conv3x3~0|");
  CHECK(trials[0].accelerator == "pe=8");
  CHECK(trials[0].values.at("accuracy") == 0.875);
  CHECK(std::isnan(trials[0].values.at("loss")));
  CHECK(std::isinf(trials[0].values.at("latency_ms")));
  CHECK(trials[1].state == TrialStatus::running);
  // Version 3 columns: old trials have no ask/tell record.
  CHECK_FALSE(trials[0].ask_seq.has_value());
  CHECK_FALSE(trials[0].tell_seq.has_value());
  CHECK_FALSE(trials[0].retry_of.has_value());
  CHECK(store.intermediate_values(trials[0].id).size() == 2);
  CHECK(store.latest_strategy_state(experiment->id) == std::string("population=[0]"));

  // Version 2 additions work on the migrated file, including the summary views built from the
  // metric names already stored.
  store.heartbeat(experiment->id, "host:1");
  auto summary = store.query(
      "SELECT number, accuracy, loss, latency_ms, duration_s "
      "FROM trial_summary ORDER BY number");
  REQUIRE(summary.rows.size() == 2);
  CHECK(summary.rows[0] == std::vector<std::string>{"0", "0.875", "NULL", "inf", "2.5"});
  auto counts = store.query("SELECT trials, running, complete FROM experiment_summary");
  CHECK(counts.rows[0] == std::vector<std::string>{"2", "1", "1"});

  // And the run continues where it stopped.
  CHECK(store.start_trial(experiment->id, "nb201", "|x|", "", "").number == 2);
  CHECK(store.fail_running_trials(experiment->id, "resumed") == 2);  // the old and the new
}

TEST_CASE("a version-1 file in read-only mode asks to be opened read-write once") {
  TempDir dir;
  std::string path = dir.file("old.db");
  make_version_1_file(path);
  std::string before = file_bytes(path);
  std::string message = message_of([&] { TrialStore store(path, TrialStore::Mode::read_only); });
  CHECK(message.find("'" + path + "'") != std::string::npos);
  CHECK(message.find("schema version 1") != std::string::npos);
  CHECK(message.find("open it read-write once") != std::string::npos);
  CHECK(message.find("tandem run --resume") != std::string::npos);
  CHECK(file_bytes(path) == before);
  CHECK(RawConnection(path).scalar("PRAGMA user_version") == "1");
}

TEST_CASE("a file from a newer tandem is refused, naming the path and both versions") {
  TempDir dir;
  std::string path = dir.file("new.db");
  { TrialStore store(path); }
  REQUIRE(RawConnection(path).exec("PRAGMA user_version = 9") == "");
  std::string before = file_bytes(path);
  for (auto mode : {TrialStore::Mode::read_write, TrialStore::Mode::read_only}) {
    std::string message = message_of([&] { TrialStore store(path, mode); });
    CHECK(message.find("'" + path + "'") != std::string::npos);
    CHECK(message.find("schema version 9") != std::string::npos);
    CHECK(message.find("up to " + std::to_string(TrialStore::current_schema_version())) !=
          std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
  CHECK(file_bytes(path) == before);
}

TEST_CASE("a file that is not an SQLite database is refused and left byte-identical") {
  TempDir dir;
  std::string path = dir.file("notes.txt");
  std::string text = "search: random\nthis is a YAML file, not a database\n";
  write_file(path, text);
  for (auto mode : {TrialStore::Mode::read_write, TrialStore::Mode::read_only}) {
    std::string message = message_of([&] { TrialStore store(path, mode); });
    CHECK(message.find("'" + path + "'") != std::string::npos);
    CHECK(message.find("is not an SQLite database") != std::string::npos);
  }
  CHECK(file_bytes(path) == text);
  CHECK_FALSE(fs::exists(path + "-wal"));
  CHECK_FALSE(fs::exists(path + "-journal"));
}

TEST_CASE("an SQLite database that tandem did not write is refused") {
  TempDir dir;
  std::string path = dir.file("other.db");
  REQUIRE(RawConnection(path).exec("CREATE TABLE t (x)") == "");
  std::string before = file_bytes(path);
  CHECK(message_of([&] { TrialStore store(path); }).find("not a tandem trial database") !=
        std::string::npos);
  CHECK(file_bytes(path) == before);
}

TEST_CASE("unusable locations give one clear line naming the path") {
  TempDir dir;
  std::string missing_dir = dir.file("no/such/dir/trials.db");
  std::string message = message_of([&] { TrialStore store(missing_dir); });
  CHECK(message.find("'" + missing_dir + "'") != std::string::npos);
  CHECK(message.find("does not exist") != std::string::npos);

  std::string plain_file = dir.file("file");
  write_file(plain_file, "x");
  std::string under_file = plain_file + "/trials.db";
  message = message_of([&] { TrialStore store(under_file); });
  CHECK(message.find("'" + under_file + "'") != std::string::npos);
  CHECK(message.find("is not a directory") != std::string::npos);

  message = message_of([&] { TrialStore store(dir.path().string()); });
  CHECK(message.find("is a directory") != std::string::npos);

  std::string absent = dir.file("absent.db");
  message = message_of([&] { TrialStore store(absent, TrialStore::Mode::read_only); });
  CHECK(message.find("'" + absent + "'") != std::string::npos);
  CHECK(message.find("does not exist") != std::string::npos);
  CHECK_FALSE(fs::exists(absent));

  if (::geteuid() != 0) {  // root may write anywhere, so permissions prove nothing there
    fs::path locked = dir.path() / "locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    std::string inside = (locked / "trials.db").string();
    message = message_of([&] { TrialStore store(inside); });
    CHECK(message.find("'" + inside + "'") != std::string::npos);
    CHECK(message.find("not writable") != std::string::npos);
    fs::permissions(locked, fs::perms::owner_all);
  }
}

TEST_CASE("a folder that takes no new files is named with the real cause") {
  // /proc takes no new files even for root; SQLite's own message was its read-only retry's
  // "No such file or directory", naming neither the folder nor that it is not writable.
  const std::string inside = "/proc/tandem-test-trials.db";
  const std::string message = message_of([&] { TrialStore store(inside); });
  CHECK(message.find("'" + inside + "'") != std::string::npos);
  CHECK(message.find("directory '/proc' is not writable") != std::string::npos);
}

TEST_CASE("read-only mode never writes the database file") {
  TempDir dir;
  std::string path = dir.file("trials.db");
  std::int64_t experiment_id = 0;
  {
    TrialStore store(path);
    experiment_id = store.create_experiment("e", "config", 3);
    auto t = store.start_trial(experiment_id, "s", "c", "", "");
    Metrics metrics;
    metrics.set("accuracy", 0.25);
    store.log_intermediate(t.id, 0, metrics);
    store.finish_trial(t.id, TrialResult::complete(metrics), std::string("state"));
    store.start_trial(experiment_id, "s", "d", "", "");  // left RUNNING
  }
  std::string before = file_bytes(path);
  auto mtime = fs::last_write_time(path);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a write would move the mtime

  {
    TrialStore reader(path, TrialStore::Mode::read_only);
    CHECK(reader.schema_version() == TrialStore::current_schema_version());
    CHECK(reader.experiments().size() == 1);
    auto trials = reader.trials(experiment_id);
    REQUIRE(trials.size() == 2);
    CHECK(trials[0].values.at("accuracy") == 0.25);
    CHECK(reader.intermediate_values(trials[0].id).size() == 1);
    CHECK(reader.latest_strategy_state(experiment_id) == std::string("state"));
    CHECK(reader.query("SELECT count(*) FROM trials").rows[0][0] == "2");

    const char* refused = "is open read-only";
    CHECK_THROWS_WITH_AS(reader.create_experiment("f", "", 1), doctest::Contains(refused), Error);
    CHECK_THROWS_WITH_AS(reader.start_trial(experiment_id, "s", "c", "", ""),
                         doctest::Contains(refused), Error);
    CHECK_THROWS_WITH_AS(reader.finish_trial(trials[1].id, TrialResult::complete({})),
                         doctest::Contains(refused), Error);
    CHECK_THROWS_WITH_AS(reader.log_intermediate(trials[1].id, 1, {}), doctest::Contains(refused),
                         Error);
    CHECK_THROWS_WITH_AS(reader.fail_running_trials(experiment_id, "x"), doctest::Contains(refused),
                         Error);
    CHECK_THROWS_WITH_AS(reader.heartbeat(experiment_id, "w"), doctest::Contains(refused), Error);
    CHECK_THROWS_WITH_AS(reader.set_experiment_status(experiment_id, "finished"),
                         doctest::Contains(refused), Error);
  }
  CHECK(file_bytes(path) == before);
  CHECK(fs::last_write_time(path) == mtime);

  // The file is still a normal, writable trial database afterwards.
  TrialStore writer(path);
  CHECK(writer.fail_running_trials(experiment_id, "done") == 1);
}

TEST_CASE("the file is in WAL mode and an empty file becomes a trial database") {
  TempDir dir;
  std::string path = dir.file("empty.db");
  write_file(path, "");  // a zero-byte file is a valid, empty SQLite database
  { TrialStore store(path); }
  RawConnection raw(path);
  CHECK(raw.scalar("PRAGMA journal_mode") == "wal");
  CHECK(raw.scalar("PRAGMA user_version") == std::to_string(TrialStore::current_schema_version()));
  CHECK(raw.scalar("PRAGMA integrity_check") == "ok");
  CHECK(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name IN ('experiments', 'trials', "
                   "'trial_values', 'intermediate_values', 'strategy_states', 'heartbeats', "
                   "'trial_summary', 'experiment_summary')") == "8");
}
