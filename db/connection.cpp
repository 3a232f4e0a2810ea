// Opening and validating a trial database file (see connection.hpp).
#include "db/connection.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#include "core/error.hpp"
#include "db/schema.hpp"
#include "db/sqlite_statement.hpp"

namespace tandem::connection {
namespace {

namespace fs = std::filesystem;

struct CloseConnection {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Handle = std::unique_ptr<sqlite3, CloseConnection>;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error("trial database '" + path + "': " + what);
}

// The directory a new database file (and its -wal and -shm files) would be written to.
fs::path directory_of(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

// Checks the location before SQLite touches it, so the message says what is actually wrong.
void check_location(const std::string& path, bool read_only) {
  if (path.empty()) throw Error("trial database path is empty");
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (fs::is_directory(status)) fail(path, "is a directory, not a database file");
  bool exists = fs::exists(status);
  if (read_only) {
    if (!exists) fail(path, "does not exist (read-only mode never creates a database)");
    return;
  }
  fs::path directory = directory_of(path);
  fs::file_status directory_status = fs::status(directory, error);
  if (!fs::exists(directory_status)) {
    fail(path, "cannot create it: directory '" + directory.string() + "' does not exist");
  }
  if (!fs::is_directory(directory_status)) {
    fail(path, "cannot create it: '" + directory.string() + "' is not a directory");
  }
  // WAL mode writes PATH-wal and PATH-shm next to the database, even for an existing file.
  if (::access(directory.c_str(), W_OK) != 0) {
    fail(path, "directory '" + directory.string() +
                   "' is not writable (the database and its -wal journal are written there)");
  }
  if (!exists) {
    // When SQLite cannot create the file it retries read-only and reports that retry's "No such
    // file or directory": create it once here to learn and name the real cause (a read-only or
    // immutable folder, a file system that takes no new files).
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) {
      fail(path, "cannot create it: directory '" + directory.string() + "' is not writable (" +
                     std::strerror(errno) + ")");
    }
    if (fd >= 0) {
      ::close(fd);
      ::unlink(path.c_str());
    }
  }
}

[[noreturn]] void fail_open(sqlite3* db, const std::string& path) {
  std::string reason = db ? sqlite3_errmsg(db) : "out of memory";
  int system_error = db ? sqlite3_system_errno(db) : 0;
  if (system_error != 0) reason += " (" + std::string(std::strerror(system_error)) + ")";
  fail(path, "cannot open it: " + reason);
}

// Reads the schema with a query: opening is lazy in SQLite, so this is what tells an SQLite file
// from anything else. Nothing is written. Returns how many schema objects the file has.
int probe(sqlite3* db, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  int code = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &stmt, nullptr);
  if (code == SQLITE_OK) code = sqlite3_step(stmt);
  int objects = code == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (code == SQLITE_ROW) return objects;
  int primary = sqlite3_errcode(db) & 0xff;
  if (primary == SQLITE_NOTADB) {
    fail(path, "is not an SQLite database (is the path right? tandem stores trials in SQLite)");
  }
  if (primary == SQLITE_CORRUPT) fail(path, "is a corrupt SQLite database");
  fail_open(db, path);
}

void check_version(sqlite3* db, const std::string& path, bool read_only, int objects) {
  int version = user_version(db, path);
  int current = schema::current_version;
  if (version > current) {
    fail(path, "has schema version " + std::to_string(version) + " but this tandem knows " +
                   "versions up to " + std::to_string(current) + "; open it with a newer tandem");
  }
  if (version == 0 && objects > 0) {
    fail(path,
         "is an SQLite database but not a tandem trial database (it has tables but no "
         "tandem schema version)");
  }
  if (read_only && version == 0) fail(path, "is an empty database, not a tandem trial database");
  if (read_only && version < current) {
    fail(path, "has schema version " + std::to_string(version) + " but this tandem reads " +
                   "version " + std::to_string(current) + "; open it read-write once (e.g. " +
                   "`tandem run --resume`) to upgrade it");
  }
}

std::string pragma_text(sqlite3* db, const std::string& path, const std::string& sql) {
  sqlite::Statement statement(db, path, sql);
  return statement.step() ? statement.column_text(0) : std::string();
}

// A reader of a WAL database creates PATH-wal and PATH-shm, and only a read-write connection may
// remove them when it is the last to close. So a reader opens the file read-write where it may
// (never creating it) and sets PRAGMA query_only, which refuses every write: the file is left as
// it was and its companions go when the last connection closes. Where the file or its folder is
// not writable, it opens SQLITE_OPEN_READONLY.
bool reader_may_clean_up(const std::string& path) {
  return ::access(path.c_str(), W_OK) == 0 && ::access(directory_of(path).c_str(), W_OK) == 0;
}

int open_flags(const std::string& path, bool read_only) {
  if (!read_only) return SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  return reader_may_clean_up(path) ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
}

}  // namespace

int user_version(sqlite3* db, const std::string& path) {
  sqlite::Statement statement(db, path, "PRAGMA user_version");
  statement.step();
  return static_cast<int>(statement.column_int64(0));
}

sqlite3* open(const std::string& path, bool read_only) {
  check_location(path, read_only);
  const int flags = open_flags(path, read_only);
  sqlite3* raw = nullptr;
  int code = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Handle db(raw);
  if (code != SQLITE_OK) fail_open(db.get(), path);
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  if (read_only) sqlite::execute(db.get(), path, "PRAGMA query_only = 1");

  int objects = probe(db.get(), path);
  if (!read_only && sqlite3_db_readonly(db.get(), "main") == 1) {
    fail(path, "is not writable (check its permissions, or open it read-only)");
  }
  check_version(db.get(), path, read_only, objects);

  if (!read_only) {
    // journal_mode=WAL is persistent (it is recorded in the file header); set it only once.
    if (pragma_text(db.get(), path, "PRAGMA journal_mode") != "wal" &&
        pragma_text(db.get(), path, "PRAGMA journal_mode = WAL") != "wal") {
      fail(path, "cannot switch to WAL journal mode (is it on a network file system?)");
    }
    // NORMAL in WAL mode: a killed process never loses a committed transaction (it is in the
    // -wal file in the OS page cache); only an OS crash or power cut can roll back the last
    // commits, and even then the file stays consistent. docs/database.md explains the choice.
    sqlite::execute(db.get(), path, "PRAGMA synchronous = NORMAL");
  }
  sqlite::execute(db.get(), path, "PRAGMA foreign_keys = ON");
  return db.release();
}

}  // namespace tandem::connection
