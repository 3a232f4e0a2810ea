// The trial database schema: DDL for each version, forward migrations, and the human-facing
// trial_summary view whose metric columns are regenerated as new metric names appear.
// docs/database.md describes every table, column and view.
#pragma once

#include <string>
#include <vector>

struct sqlite3;

namespace tandem::schema {

// The PRAGMA user_version that this tandem writes. Version 1: experiments, trials, trial_values,
// intermediate_values, strategy_states + immutability triggers. Version 2: heartbeats table and the
// experiment_summary and trial_summary views. Version 3: trials.ask_seq, tell_seq and retry_of (the
// ask/tell order of runs with concurrent workers, for exact resume). Version 4: experiment_values
// (per-experiment values such as the hypervolume). Version 5: trials.failure_cause (why a FAILED
// trial failed, typed: error, interrupted, worker_lost). Version 6: run_locks (which process is
// running an experiment, so that a second writer is refused).
constexpr int current_version = 6;

// Applies the migrations from version `from` (0 = empty file) up to current_version and sets
// user_version. The caller holds a write transaction (BEGIN IMMEDIATE) and commits it.
void migrate(sqlite3* db, const std::string& path, int from);

// Makes sure trial_summary has a column for each metric in `names`, recreating the view (inside
// the caller's write transaction) from every metric name stored when one is missing.
void ensure_summary_columns(sqlite3* db, const std::string& path,
                            const std::vector<std::string>& names);

// Drops and recreates trial_summary with one column per metric name stored in trial_values, in
// the order the names first appeared.
void rebuild_trial_summary(sqlite3* db, const std::string& path);

// The view column each metric name gets: the name itself, unless it clashes (case-insensitively,
// as SQLite compares identifiers) with a fixed column or an earlier metric; then "metric_<name>",
// then "metric_<name>_2", ... `names` is in first-appearance order (so an existing column never
// changes its name when a new metric arrives); the result is parallel to it.
std::vector<std::string> summary_column_names(const std::vector<std::string>& names);

}  // namespace tandem::schema
