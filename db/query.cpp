// TrialStore::query: runs one read-only SQL statement for `tandem query` and returns its rows as
// text. Three layers keep it read-only: sqlite3_stmt_readonly must be true, an authorizer refuses
// what stmt_readonly lets through (ATTACH, transaction control, pragmas that set something), and
// PRAGMA query_only is on while the statement runs. QueryLimits bound it: a progress handler
// interrupts it past its time, SQLITE_LIMIT_LENGTH caps any one string or blob it builds, the
// soft heap limit keeps SQLite's own memory near that size, and the result's text is counted as
// it is read.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <set>

#include "core/error.hpp"
#include "core/text.hpp"
#include "db/sqlite_statement.hpp"
#include "db/trial_store.hpp"

namespace tandem {
namespace {

// Pragmas a query may read. The first group may take an argument (a table or index name); the
// second only reads a value (PRAGMA x, not PRAGMA x = y).
const std::set<std::string> kPragmasWithArgument = {
    "table_info",  "table_xinfo",      "table_list",        "index_list",      "index_info",
    "index_xinfo", "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"};
const std::set<std::string> kPragmasWithoutArgument = {
    "user_version", "schema_version", "application_id", "journal_mode",    "page_count",
    "page_size",    "freelist_count", "database_list",  "compile_options", "function_list",
    "pragma_list",  "collation_list", "module_list",    "encoding",        "foreign_keys",
    "synchronous",  "busy_timeout",   "data_version"};

struct Refusal {
  std::string reason;
};

std::string lowercase(const char* text) {
  std::string out = text ? text : "";
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

int authorize(void* user, int action, const char* first, const char* second, const char*,
              const char*) {
  auto* refusal = static_cast<Refusal*>(user);
  switch (action) {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      refusal->reason = "ATTACH and DETACH are not allowed";
      return SQLITE_DENY;
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
      refusal->reason = "transaction statements (BEGIN, COMMIT, SAVEPOINT) are not allowed";
      return SQLITE_DENY;
    case SQLITE_PRAGMA: {
      std::string name = lowercase(first);
      bool allowed = kPragmasWithArgument.count(name) ||
                     (kPragmasWithoutArgument.count(name) && second == nullptr);
      if (!allowed) {
        refusal->reason = "PRAGMA " + name + (second ? " with a value" : "") + " is not allowed";
        return SQLITE_DENY;
      }
      return SQLITE_OK;
    }
    default:
      return SQLITE_OK;
  }
}

// The statement as one short line, for messages.
std::string one_line(const std::string& sql) {
  std::string out;
  for (char c : sql) {
    bool blank = std::isspace(static_cast<unsigned char>(c));
    if (blank && (out.empty() || out.back() == ' ')) continue;
    out += blank ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.size() > 80 ? out.substr(0, 77) + "..." : out;
}

std::string cell_text(const sqlite::Statement& row, int column) {
  switch (row.column_type(column)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return std::to_string(row.column_int64(column));
    case SQLITE_FLOAT:
      return format_number(row.column_double(column));
    default:
      return row.column_text(column);  // text, and blobs byte for byte
  }
}

struct Deadline {
  std::chrono::steady_clock::time_point at;
  bool passed = false;
};

// SQLite calls this every kProgressSteps virtual-machine steps; non-zero interrupts the statement.
int past_deadline(void* user) {
  auto* deadline = static_cast<Deadline*>(user);
  deadline->passed = std::chrono::steady_clock::now() >= deadline->at;
  return deadline->passed ? 1 : 0;
}
constexpr int kProgressSteps = 10'000;

// Puts the limits and the read-only guards on the connection and restores it, whatever happens.
class QueryGuard {
 public:
  QueryGuard(sqlite3* db, const std::string& path, Refusal* refusal, const QueryLimits& limits,
             Deadline* deadline)
      : db_(db) {
    {
      sqlite::Statement current(db_, path, "PRAGMA query_only");
      query_only_before_ = current.step() && current.column_int64(0) != 0;
    }
    sqlite::execute(db_, path, "PRAGMA query_only = 1");
    sqlite3_set_authorizer(db_, authorize, refusal);
    const auto bytes = static_cast<int>(std::min<std::size_t>(limits.max_bytes, 1'000'000'000));
    length_limit_ = sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, std::max(bytes, 1));
    heap_limit_ = sqlite3_soft_heap_limit64(static_cast<sqlite3_int64>(limits.max_bytes) * 2);
    sqlite3_progress_handler(db_, kProgressSteps, past_deadline, deadline);
  }
  ~QueryGuard() {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    sqlite3_soft_heap_limit64(heap_limit_);
    sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, length_limit_);
    sqlite3_set_authorizer(db_, nullptr, nullptr);
    if (!query_only_before_) sqlite3_exec(db_, "PRAGMA query_only = 0", nullptr, nullptr, nullptr);
  }
  QueryGuard(const QueryGuard&) = delete;
  QueryGuard& operator=(const QueryGuard&) = delete;

 private:
  sqlite3* db_;
  bool query_only_before_ = false;  // a read-only store's connection keeps it on
  int length_limit_ = 0;
  sqlite3_int64 heap_limit_ = 0;
};

std::string megabytes(std::size_t bytes) {
  return format_number(static_cast<double>(bytes) / (1 << 20)) + " MB";
}

}  // namespace

QueryResult TrialStore::query(const std::string& sql, const QueryLimits& limits) const {
  if (!sqlite::has_statement(db_, sql)) {
    throw Error("tandem query needs an SQL statement; got none");
  }
  Refusal refusal;
  Deadline deadline{std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        std::chrono::duration<double>(limits.seconds))};
  QueryGuard guard(db_, path_, &refusal, limits, &deadline);
  std::unique_ptr<sqlite::Statement> statement;
  try {
    statement = std::make_unique<sqlite::Statement>(db_, path_, sql);
  } catch (const Error&) {
    if (!refusal.reason.empty()) {
      throw Error("tandem query is read-only: " + refusal.reason + " ('" + one_line(sql) + "')");
    }
    throw;
  }
  if (sqlite::has_statement(db_, statement->rest())) {
    throw Error("tandem query runs exactly one statement; '" + one_line(sql) +
                "' holds more (run them one at a time)");
  }
  if (!statement->readonly()) {
    throw Error("tandem query is read-only: '" + one_line(sql) +
                "' would change the database (use the sqlite3 tool to modify it)");
  }
  QueryResult result;
  for (int column = 0; column < statement->column_count(); ++column) {
    result.columns.push_back(statement->column_name(column));
  }
  std::size_t bytes = 0;
  auto too_big = [&] {
    return Error("the result of '" + one_line(sql) + "' exceeds " +
                 megabytes(limits.max_bytes) +
                 " (--max-mb); narrow it with WHERE or LIMIT, or raise the limit");
  };
  try {
    while (statement->step()) {
      std::vector<std::string> row;
      for (int column = 0; column < statement->column_count(); ++column) {
        row.push_back(cell_text(*statement, column));
        bytes += row.back().size() + 1;
      }
      if (bytes > limits.max_bytes) throw too_big();
      result.rows.push_back(std::move(row));
    }
  } catch (const Error&) {
    if (deadline.passed)
      throw Error("'" + one_line(sql) + "' was stopped after " +
                  format_number(limits.seconds) +
                  " s (--timeout); narrow it, or raise the limit");
    const int code = sqlite3_errcode(db_);
    if ((code & 0xff) == SQLITE_TOOBIG || (code & 0xff) == SQLITE_NOMEM) throw too_big();
    throw;
  }
  return result;
}

}  // namespace tandem
