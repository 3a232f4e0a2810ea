// Small RAII helpers over the SQLite C API used by the trial store: a prepared Statement that
// finalizes itself, a Transaction that rolls back unless committed, and the error helper that turns
// an SQLite failure into a one-line tandem::Error naming the database file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace tandem::sqlite {

// Throws tandem::Error "trial database '<path>': <what>: <sqlite message>".
[[noreturn]] void throw_error(sqlite3* db, const std::string& path, std::string_view what);

// Runs SQL text that returns no rows (may hold several statements). Throws on failure.
void execute(sqlite3* db, const std::string& path, const std::string& sql);

// Identifier and literal quoting for SQL text built at run time: "a""b" and 'it''s'.
std::string quote_identifier(std::string_view name);
std::string quote_literal(std::string_view text);

class Statement {
 public:
  // Prepares exactly the first statement of `sql`; rest() is the text after it. Text holding no
  // statement at all (empty, blanks, comments) raises tandem::Error.
  Statement(sqlite3* db, const std::string& path, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1, as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  Statement& bind_optional(int index, const std::optional<double>& value);

  // Steps once: true when a row is available, false when done. Throws on error.
  bool step();
  // Steps until done (for INSERT/UPDATE/DELETE); returns the number of rows changed.
  int run();
  void reset();

  int column_count() const;
  std::string column_name(int column) const;
  int column_type(int column) const;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, ...
  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;  // "" for NULL; blobs byte for byte
  bool readonly() const;

  std::string rest() const { return sql_.substr(consumed_); }
  sqlite3_stmt* handle() const { return stmt_; }

 private:
  sqlite3* db_;
  const std::string& path_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
  std::size_t consumed_ = 0;
};

// True when `sql` holds at least one statement (not just blanks and comments).
bool has_statement(sqlite3* db, std::string_view sql);

// A transaction that rolls back when destroyed uncommitted (an exception on the way out).
// Writes use Kind::immediate (BEGIN IMMEDIATE: take the write lock up front, so a second writer
// waits in busy_timeout instead of failing at commit); multi-statement reads use Kind::read.
class Transaction {
 public:
  enum class Kind { read, immediate };
  Transaction(sqlite3* db, const std::string& path, Kind kind);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  sqlite3* db_;
  const std::string& path_;
  bool open_ = false;
};

}  // namespace tandem::sqlite
