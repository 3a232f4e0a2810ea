// How the trial store's rows map to records and back: timestamps, the (value, value_kind) encoding
// of doubles (NaN and the infinities survive), metric-name checks, and the column lists and
// readers of the trials and experiments tables. Used by trial_store.cpp only.
#pragma once

#include <string>

#include "core/trial.hpp"
#include "db/sqlite_statement.hpp"
#include "db/trial_store.hpp"

namespace tandem::trial_rows {

// UTC now as ISO 8601 with milliseconds: 2024-05-01T12:34:56.789Z (sorts as text, and SQLite's
// date functions read it).
std::string now_utc();

// Values are stored as (value REAL, value_kind TEXT): NaN and the infinities as NULL with kind
// 'nan', 'inf' or '-inf', every other double as itself with kind 'finite'.
const char* value_kind(double value);
// Binds `value` at `index` and its kind at `index + 1`.
void bind_value(sqlite::Statement& statement, int index, double value);
double read_value(const sqlite::Statement& statement, int value_column, int kind_column,
                  const std::string& path);

// Metric names must be non-empty text without NUL characters.
void check_metric_names(const Metrics& values, const std::string& path);

// The columns read_trial() expects, in order.
extern const char* const kTrialColumns;
TrialRecord read_trial(const sqlite::Statement& row);

// The columns read_experiment() expects, in order.
extern const char* const kExperimentColumns;
ExperimentRecord read_experiment(const sqlite::Statement& row);

}  // namespace tandem::trial_rows
