// Schema step 4 (experiment_values): a version-1 file migrates up to it keeping its data, the
// table holds one value per experiment and name with the NaN/infinity encoding of trial_values,
// and deleting an experiment deletes its values.
#include <doctest/doctest.h>

#include "db/trial_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace tandem;
using tandem::test::file_bytes;
using tandem::test::RawConnection;
using tandem::test::TempDir;

TEST_CASE("schema 4: a version-1 file gains experiment_values on a read-write open") {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  {
    RawConnection raw(path);
    REQUIRE(raw.exec(file_bytes(std::string(TANDEM_SOURCE_DIR) + "/tests/db/schema_v1.sql")) == "");
    REQUIRE(raw.exec("INSERT INTO experiments (name, config_text, seed, status, created) VALUES "
                     "('old', 'name: old', 1, 'finished', '2024-01-01T00:00:00.000Z')") == "");
  }
  TrialStore store(path);
  CHECK(store.schema_version() >= 4);
  CHECK(store.find_experiment("old"));
  RawConnection raw(path);
  const std::string id = raw.scalar("SELECT id FROM experiments WHERE name = 'old'");
  CHECK(raw.exec("INSERT INTO experiment_values VALUES (" + id +
                 ", 'hypervolume', 12.5, 'finite', '2024-01-01T00:00:00.000Z')") == "");
  CHECK(raw.scalar("SELECT value FROM experiment_values WHERE name = 'hypervolume'") == "12.5");
  // One row per experiment and name; a value must agree with its kind.
  CHECK(raw.exec("INSERT INTO experiment_values VALUES (" + id +
                 ", 'hypervolume', 1, 'finite', 'now')") != "");
  CHECK(raw.exec("INSERT INTO experiment_values VALUES (" + id +
                 ", 'other', 1, 'nan', 'now')") != "");
  CHECK(raw.exec("INSERT INTO experiment_values VALUES (" + id +
                 ", 'other', NULL, 'inf', 'now')") == "");
  // Deleting the experiment deletes its values.
  CHECK(raw.exec("PRAGMA foreign_keys = ON; DELETE FROM experiments WHERE id = " + id) == "");
  CHECK(raw.scalar("SELECT COUNT(*) FROM experiment_values") == "0");
}
