// RAII wrappers over sqlite3_stmt and transactions (see sqlite_statement.hpp).
#include "db/sqlite_statement.hpp"

#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>

#include "core/error.hpp"

namespace tandem::sqlite {

namespace {

// Whether the database at `path`, or its -wal / -journal file, is within a few pages of the file
// size limit, or its file system has (almost) no space left: after an I/O error, the cause.
bool no_space_left(const std::string& path) {
  constexpr std::uint64_t kMargin = 1 << 16;  // a few pages of a transaction in flight
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    for (const char* suffix : {"", "-wal", "-journal"}) {
      struct stat file {};
      if (::stat((path + suffix).c_str(), &file) == 0 &&
          static_cast<std::uint64_t>(file.st_size) + kMargin > limit.rlim_cur)
        return true;
    }
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  struct statvfs space {};
  return ::statvfs(parent.empty() ? "." : parent.c_str(), &space) == 0 &&
         static_cast<std::uint64_t>(space.f_bavail) * space.f_frsize < kMargin;
}

// SQLite says "database or disk is full" (SQLITE_FULL: ENOSPC) or only "disk I/O error" (EFBIG:
// the file size limit of `ulimit -f`, which tandem meets as an error because main() ignores
// SIGXFSZ; by the time SQLite reports it, errno may be another call's); either way the user must
// learn that the disk is full, and that nothing finished is lost.
bool disk_full(sqlite3* db, const std::string& path) {
  const int code = sqlite3_extended_errcode(db) & 0xff;
  if (code == SQLITE_FULL) return true;
  if (code != SQLITE_IOERR) return false;
  const int system_error = sqlite3_system_errno(db);
  return system_error == ENOSPC || system_error == EFBIG || no_space_left(path);
}

[[noreturn]] void throw_disk_full(const std::string& path) {
  throw Error("the disk is full (or the file size limit was reached) writing the trial database '" +
              path + "'; the trials it holds are safe: free space and continue with "
              "`tandem run CONFIG --resume` (a trial cut short runs again)");
}

}  // namespace

void throw_error(sqlite3* db, const std::string& path, std::string_view what) {
  if (db && disk_full(db, path)) throw_disk_full(path);
  std::string message = "trial database '" + path + "': " + std::string(what);
  if (db) {
    message += ": ";
    message += sqlite3_errmsg(db);
  }
  throw Error(message);
}

void execute(sqlite3* db, const std::string& path, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    if (disk_full(db, path)) {
      sqlite3_free(message);
      throw_disk_full(path);
    }
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    // The first line of the SQL says which step failed without flooding the message.
    std::string first_line = sql.substr(0, sql.find('\n'));
    throw Error("trial database '" + path + "': " + text + " (while running '" + first_line + "')");
  }
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

Statement::Statement(sqlite3* db, const std::string& path, std::string_view sql)
    : db_(db), path_(path), sql_(sql) {
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db_, sql_.c_str(), static_cast<int>(sql_.size()), &stmt_, &tail) !=
      SQLITE_OK) {
    throw_error(db_, path_, "cannot prepare '" + sql_.substr(0, sql_.find('\n')) + "'");
  }
  if (!stmt_) throw Error("trial database '" + path_ + "': no SQL statement in '" + sql_ + "'");
  consumed_ = tail ? static_cast<std::size_t>(tail - sql_.c_str()) : sql_.size();
}

bool has_statement(sqlite3* db, std::string_view sql) {
  std::string text(sql);
  const char* rest = text.c_str();
  while (*rest) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    // A syntax error still counts as a statement: the caller refuses it either way.
    if (sqlite3_prepare_v2(db, rest, -1, &stmt, &tail) != SQLITE_OK) return true;
    bool found = stmt != nullptr;
    sqlite3_finalize(stmt);
    if (found) return true;
    if (!tail || tail == rest) break;
    rest = tail;
  }
  return false;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) throw_error(db_, path_, "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) throw_error(db_, path_, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) !=
      SQLITE_OK) {
    throw_error(db_, path_, "bind");
  }
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob still has to be a blob, not NULL: SQLite needs a non-null pointer for that.
  static const char empty = 0;
  if (sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &empty : bytes.data(), bytes.size(),
                          SQLITE_TRANSIENT) != SQLITE_OK) {
    throw_error(db_, path_, "bind");
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) throw_error(db_, path_, "bind");
  return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<double>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step() {
  int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  // sqlite3_errmsg carries the trigger's RAISE text or the constraint that failed.
  throw_error(db_, path_, "'" + sql_.substr(0, sql_.find('\n')) + "' failed");
}

int Statement::run() {
  while (step()) {
  }
  return sqlite3_changes(db_);
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_);
}

std::string Statement::column_name(int column) const {
  const char* name = sqlite3_column_name(stmt_, column);
  return name ? name : "";
}

int Statement::column_type(int column) const {
  return sqlite3_column_type(stmt_, column);
}

bool Statement::is_null(int column) const {
  return column_type(column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::column_text(int column) const {
  if (column_type(column) == SQLITE_BLOB) {
    const void* bytes = sqlite3_column_blob(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    return bytes ? std::string(static_cast<const char*>(bytes), static_cast<std::size_t>(size))
                 : std::string();
  }
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size))
              : std::string();
}

bool Statement::readonly() const {
  return sqlite3_stmt_readonly(stmt_) != 0;
}

Transaction::Transaction(sqlite3* db, const std::string& path, Kind kind) : db_(db), path_(path) {
  execute(db_, path_, kind == Kind::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  open_ = true;
}

Transaction::~Transaction() {
  // Rolling back cannot usefully fail here; an error would only mean there is nothing to undo.
  if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  execute(db_, path_, "COMMIT");
  open_ = false;
}

}  // namespace tandem::sqlite
