// TrialStore::query: runs one read-only SQL statement for `tandem query` and returns its rows as
// text. Three layers keep it read-only: sqlite3_stmt_readonly must be true, an authorizer refuses
// what stmt_readonly lets through (ATTACH, transaction control, pragmas that set something), and
// PRAGMA query_only is on while the statement runs.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
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

// Restores the connection after the query, whatever happens.
class QueryGuard {
 public:
  QueryGuard(sqlite3* db, const std::string& path, Refusal* refusal) : db_(db) {
    sqlite::execute(db_, path, "PRAGMA query_only = 1");
    sqlite3_set_authorizer(db_, authorize, refusal);
  }
  ~QueryGuard() {
    sqlite3_set_authorizer(db_, nullptr, nullptr);
    sqlite3_exec(db_, "PRAGMA query_only = 0", nullptr, nullptr, nullptr);
  }
  QueryGuard(const QueryGuard&) = delete;
  QueryGuard& operator=(const QueryGuard&) = delete;

 private:
  sqlite3* db_;
};

}  // namespace

QueryResult TrialStore::query(const std::string& sql) const {
  if (!sqlite::has_statement(db_, sql)) {
    throw Error("tandem query needs an SQL statement; got none");
  }
  Refusal refusal;
  QueryGuard guard(db_, path_, &refusal);
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
  while (statement->step()) {
    std::vector<std::string> row;
    for (int column = 0; column < statement->column_count(); ++column) {
      row.push_back(cell_text(*statement, column));
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace tandem
