// TrialStore: the SQLite file every trial lands in. One transaction per trial event (start,
// intermediate values, finish), WAL journal, busy timeout, BEGIN IMMEDIATE for writes, schema
// versioned with PRAGMA user_version and migrated forward on open. Finished trials are immutable.
// Tables and views are documented in docs/database.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/trial.hpp"
#include "db/failure_cause.hpp"
#include "db/run_lock.hpp"

struct sqlite3;

namespace tandem {

struct ExperimentRecord {
  std::int64_t id = 0;
  std::string name;
  std::string config_text;  // the experiment's YAML, verbatim
  std::uint64_t seed = 0;
  std::string status;       // "running", "finished", "interrupted"
  std::string created;      // UTC, ISO 8601
};

struct TrialRecord {
  std::int64_t id = 0;
  std::int64_t experiment_id = 0;
  int number = 0;            // 0, 1, 2, ... within the experiment, in start order
  TrialStatus state = TrialStatus::running;
  std::string space;
  std::string candidate;     // the space's canonical string
  std::string accelerator;   // accelerator configuration text ("" if none)
  std::string reason;        // why pruned / infeasible / failed
  std::string worker;        // who evaluated it (host:pid, rank)
  std::string started;       // UTC, ISO 8601
  std::string finished;      // "" while running
  Metrics values;            // final values (NaN and infinities round-trip)
  // Schema 3, the ask/tell order that lets --resume replay runs with concurrent workers exactly.
  // One counter per experiment numbers the strategy's ask() calls and tell() calls together.
  std::optional<std::int64_t> ask_seq;   // the ask() call that proposed the candidate; none for a
                                         // retry (and for trials written before schema 3)
  std::optional<std::int64_t> tell_seq;  // the tell() of its result; none when not told
  std::optional<int> retry_of;           // number of the trial whose candidate this one re-runs
  // Schema 5: why a FAILED trial failed (none for every other state); see failure_cause.hpp.
  FailureCause cause = FailureCause::none;
};

// Where a started trial's candidate came from (schema 3 bookkeeping, see TrialRecord).
struct TrialOrigin {
  std::optional<std::int64_t> ask_seq;
  std::optional<int> retry_of;
};

struct IntermediateValue {
  int step = 0;
  std::string name;
  double value = 0.0;
};

// Bounds on one `tandem query` statement: past either, it stops with one line saying which.
struct QueryLimits {
  double seconds = 30.0;                     // wall time of the statement
  std::size_t max_bytes = 256u << 20;        // the result's text, and any one value built
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // NULL as "NULL"
};

// Thread safety: one TrialStore per thread (an instance is one SQLite connection and must not be
// used by two threads at once). Any number of TrialStores, in any number of processes, may open
// the same file: readers never wait for or fail because of a writer (WAL), and writers queue for
// up to 10 s (busy_timeout). See docs/database.md for durability and the schema.
class TrialStore {
 public:
  enum class Mode { read_write, read_only };

  // Opens `path` (creating it in read_write mode) and migrates it to the current schema. A file that
  // is not an SQLite database, an unwritable location or a database from a newer tandem raises
  // tandem::Error naming the path; the file is left untouched.
  explicit TrialStore(const std::string& path, Mode mode = Mode::read_write);
  ~TrialStore();
  TrialStore(const TrialStore&) = delete;
  TrialStore& operator=(const TrialStore&) = delete;

  static int current_schema_version();
  int schema_version() const;  // PRAGMA user_version of the open file
  const std::string& path() const { return path_; }

  // Experiments (name unique).
  std::optional<ExperimentRecord> find_experiment(const std::string& name) const;
  std::vector<ExperimentRecord> experiments() const;
  std::int64_t create_experiment(const std::string& name, const std::string& config_text,
                                 std::uint64_t seed);
  void set_experiment_status(std::int64_t experiment_id, const std::string& status);

  // Trials. start_trial inserts a RUNNING trial with the experiment's next number.
  TrialRecord start_trial(std::int64_t experiment_id, const std::string& space,
                          const std::string& candidate, const std::string& accelerator,
                          const std::string& worker);
  // The same, recording where the candidate came from (ask call or retry).
  TrialRecord start_trial(std::int64_t experiment_id, const std::string& space,
                          const std::string& candidate, const std::string& accelerator,
                          const std::string& worker, const TrialOrigin& origin);
  // The same, storing values already reported at some steps (`logged`, e.g. a weight-sharing
  // search's log) in the same transaction, so they land whole or not at all.
  TrialRecord start_trial(std::int64_t experiment_id, const std::string& space,
                          const std::string& candidate, const std::string& accelerator,
                          const std::string& worker, const TrialOrigin& origin,
                          const std::vector<std::pair<int, Metrics>>& logged);
  // Stores values reported at `step` of a RUNNING trial; reporting a metric twice for the same
  // step, or logging to a finished trial, raises tandem::Error.
  void log_intermediate(std::int64_t trial_id, int step, const Metrics& values);
  // Sets state, reason, values, finish time and, when given, the strategy's state after this trial,
  // in one transaction. Finishing a trial that is not RUNNING raises tandem::Error.
  void finish_trial(std::int64_t trial_id, const TrialResult& result,
                    const std::optional<std::string>& strategy_state = std::nullopt);
  // The same, recording the position of the result's tell() in the experiment's ask/tell order.
  // A FAILED result gets FailureCause::error, any other result FailureCause::none.
  void finish_trial(std::int64_t trial_id, const TrialResult& result,
                    const std::optional<std::string>& strategy_state,
                    std::optional<std::int64_t> tell_seq);
  // The same with an explicit cause (e.g. worker_lost). A FAILED result needs a cause other than
  // none and any other result needs none; otherwise tandem::Error.
  void finish_trial(std::int64_t trial_id, const TrialResult& result,
                    const std::optional<std::string>& strategy_state,
                    std::optional<std::int64_t> tell_seq, FailureCause cause);
  // Marks the experiment's RUNNING trials FAILED with `reason` and `cause` (a dead process left
  // them running: interrupted); returns how many were marked. `cause` none raises tandem::Error.
  int fail_running_trials(std::int64_t experiment_id, const std::string& reason,
                          FailureCause cause = FailureCause::interrupted);

  std::vector<TrialRecord> trials(std::int64_t experiment_id) const;  // by number
  std::optional<TrialRecord> trial(std::int64_t experiment_id, int number) const;
  std::vector<IntermediateValue> intermediate_values(std::int64_t trial_id) const;
  // The strategy state stored with the most recently finished trial that had one.
  std::optional<std::string> latest_strategy_state(std::int64_t experiment_id) const;
  // The strategy state stored with a given trial.
  std::optional<std::string> strategy_state(std::int64_t trial_id) const;

  // Records that `worker` of the experiment is alive now.
  void heartbeat(std::int64_t experiment_id, const std::string& worker);

  // The run lock (schema 6, db/run_lock.hpp; defined in run_lock.cpp). acquire_run_lock takes the
  // experiment's lock for `me` unless a live process holds it, and then returns that holder
  // (nothing is written); a dead holder's lock is taken over. refresh_run_lock renews `me`'s row
  // and returns false when `me` no longer holds it; release_run_lock drops `me`'s row, if any.
  std::optional<RunLockHolder> acquire_run_lock(std::int64_t experiment_id,
                                                const ProcessIdentity& me,
                                                double stale_after_seconds = kRunLockStaleSeconds);
  bool refresh_run_lock(std::int64_t experiment_id, const ProcessIdentity& me);
  void release_run_lock(std::int64_t experiment_id, const ProcessIdentity& me);
  std::optional<RunLockHolder> run_lock(std::int64_t experiment_id) const;

  // Values of a whole experiment (e.g. its hypervolume): set (insert or replace) and read back.
  void set_experiment_value(std::int64_t experiment_id, const std::string& name, double value);
  std::optional<double> experiment_value(std::int64_t experiment_id,
                                         const std::string& name) const;

  // Runs one read-only SQL statement (anything that would write raises tandem::Error) within
  // `limits` (a tandem::Error names the limit that stopped it).
  QueryResult query(const std::string& sql, const QueryLimits& limits = {}) const;

 private:
  void migrate();
  void require_writable(const char* action) const;  // tandem::Error in read_only mode
  std::string path_;
  Mode mode_;
  sqlite3* db_ = nullptr;
};

}  // namespace tandem
