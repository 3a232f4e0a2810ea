// Opening a trial database file: checks the location, opens the SQLite connection, proves the file
// is an SQLite database before anything is written, checks its schema version against this
// tandem's, and sets the connection's pragmas (WAL, busy timeout, foreign keys, synchronous).
#pragma once

#include <string>

struct sqlite3;

namespace tandem::connection {

// How long a connection waits for another writer's lock before giving up.
constexpr int kBusyTimeoutMs = 10'000;

// Opens `path`. read_write creates a missing file, switches it to WAL and leaves migration to the
// caller (the file's version is <= schema::current_version on return). read_only opens with
// SQLITE_OPEN_READONLY and requires the file to be at exactly the current version. Every problem
// is a one-line tandem::Error naming the path; the file is never modified on error.
sqlite3* open(const std::string& path, bool read_only);

// PRAGMA user_version of the open file.
int user_version(sqlite3* db, const std::string& path);

}  // namespace tandem::connection
