// TrialStore: experiments, trials, values and strategy states over one SQLite file (see
// trial_store.hpp; the schema is in schema.cpp, opening in connection.cpp, query() in query.cpp,
// how a row maps to a record in trial_rows.cpp).
// Every public write is one BEGIN IMMEDIATE transaction; multi-statement reads run in one read
// transaction so they see a single snapshot while other processes write.
#include "db/trial_store.hpp"

#include <sqlite3.h>

#include <map>

#include "core/error.hpp"
#include "db/connection.hpp"
#include "db/schema.hpp"
#include "db/sqlite_statement.hpp"
#include "db/trial_rows.hpp"

namespace tandem {
namespace {

using sqlite::Statement;
using sqlite::Transaction;
using namespace trial_rows;

// Loads the final values of the trials selected by `where` (SQL over trials AS t, one parameter).
void load_values(sqlite3* db, const std::string& path, const std::string& where,
                 std::int64_t parameter, std::map<std::int64_t, Metrics>& out) {
  Statement select(db, path,
                   "SELECT v.trial_id, v.name, v.value, v.value_kind FROM trial_values AS v "
                   "JOIN trials AS t ON t.id = v.trial_id WHERE " +
                       where);
  select.bind(1, parameter);
  while (select.step()) {
    out[select.column_int64(0)].set(select.column_text(1), read_value(select, 2, 3, path));
  }
}

struct TrialIdentity {
  std::int64_t experiment_id = 0;
  int number = 0;
  std::string state;
  std::string experiment_name;
};

// Who a trial is, for checks and messages; raises when there is no such trial.
TrialIdentity identify_trial(sqlite3* db, const std::string& path, std::int64_t trial_id) {
  Statement select(db, path,
                   "SELECT t.experiment_id, t.number, t.state, e.name FROM trials AS t "
                   "JOIN experiments AS e ON e.id = t.experiment_id WHERE t.id = ?");
  select.bind(1, trial_id);
  if (!select.step()) {
    throw Error("trial database '" + path + "': no trial with id " + std::to_string(trial_id));
  }
  return {select.column_int64(0), static_cast<int>(select.column_int64(1)), select.column_text(2),
          select.column_text(3)};
}

std::string describe(const TrialIdentity& trial) {
  return "trial " + std::to_string(trial.number) + " of experiment '" + trial.experiment_name + "'";
}

// Inside the caller's write transaction: the values of one step, each metric once per step.
void insert_intermediate(sqlite3* db, const std::string& path, const TrialIdentity& trial,
                         std::int64_t trial_id, int step, const Metrics& values) {
  Statement insert(db, path,
                   "INSERT INTO intermediate_values (trial_id, step, name, value, value_kind) "
                   "VALUES (?, ?, ?, ?, ?)");
  for (const auto& [name, value] : values) {
    {
      Statement existing(db, path,
                         "SELECT 1 FROM intermediate_values "
                         "WHERE trial_id = ? AND step = ? AND name = ?");
      existing.bind(1, trial_id).bind(2, step).bind(3, name);
      if (existing.step()) {
        throw Error("trial database '" + path + "': " + describe(trial) + " already has '" + name +
                    "' at step " + std::to_string(step) + "; each step reports a metric once");
      }
    }
    insert.reset();
    insert.bind(1, trial_id).bind(2, step).bind(3, name);
    bind_value(insert, 4, value);
    insert.run();
  }
}

void require_experiment(sqlite3* db, const std::string& path, std::int64_t experiment_id) {
  Statement select(db, path, "SELECT 1 FROM experiments WHERE id = ?");
  select.bind(1, experiment_id);
  if (!select.step()) {
    throw Error("trial database '" + path + "': no experiment with id " +
                std::to_string(experiment_id));
  }
}

}  // namespace

TrialStore::TrialStore(const std::string& path, Mode mode) : path_(path), mode_(mode) {
  db_ = connection::open(path_, mode_ == Mode::read_only);
  if (mode_ == Mode::read_write) {
    try {
      migrate();
    } catch (...) {
      sqlite3_close_v2(db_);
      throw;
    }
  }
}

TrialStore::~TrialStore() {
  sqlite3_close_v2(db_);
}

void TrialStore::migrate() {
  if (connection::user_version(db_, path_) == schema::current_version) return;
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  // Another process may have migrated the file while this one waited for the write lock.
  int version = connection::user_version(db_, path_);
  if (version == schema::current_version) return;
  schema::migrate(db_, path_, version);
  transaction.commit();
}

int TrialStore::current_schema_version() {
  return schema::current_version;
}

int TrialStore::schema_version() const {
  return connection::user_version(db_, path_);
}

void TrialStore::require_writable(const char* action) const {
  if (mode_ == Mode::read_only) {
    throw Error("trial database '" + path_ + "' is open read-only; cannot " + action);
  }
}

std::optional<ExperimentRecord> TrialStore::find_experiment(const std::string& name) const {
  Statement select(
      db_, path_, std::string("SELECT ") + kExperimentColumns + " FROM experiments WHERE name = ?");
  select.bind(1, name);
  if (!select.step()) return std::nullopt;
  return read_experiment(select);
}

std::vector<ExperimentRecord> TrialStore::experiments() const {
  Statement select(db_, path_,
                   std::string("SELECT ") + kExperimentColumns + " FROM experiments ORDER BY id");
  std::vector<ExperimentRecord> out;
  while (select.step()) out.push_back(read_experiment(select));
  return out;
}

std::int64_t TrialStore::create_experiment(const std::string& name, const std::string& config_text,
                                           std::uint64_t seed) {
  require_writable("create an experiment");
  if (name.empty()) throw Error("trial database '" + path_ + "': experiment name is empty");
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  {
    Statement select(db_, path_, "SELECT 1 FROM experiments WHERE name = ?");
    select.bind(1, name);
    if (select.step()) {
      throw Error("experiment '" + name + "' already exists in trial database '" + path_ +
                  "'; choose another name or resume it");
    }
  }
  Statement insert(db_, path_,
                   "INSERT INTO experiments (name, config_text, seed, status, created) "
                   "VALUES (?, ?, ?, 'running', ?)");
  insert.bind(1, name).bind(2, config_text).bind(3, static_cast<std::int64_t>(seed));
  insert.bind(4, now_utc());
  insert.run();
  std::int64_t id = sqlite3_last_insert_rowid(db_);
  transaction.commit();
  return id;
}

void TrialStore::set_experiment_status(std::int64_t experiment_id, const std::string& status) {
  require_writable("set an experiment's status");
  if (status != "running" && status != "finished" && status != "interrupted") {
    throw Error("unknown experiment status '" + status +
                "'; accepted: running, finished, interrupted");
  }
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  Statement update(db_, path_, "UPDATE experiments SET status = ? WHERE id = ?");
  update.bind(1, status).bind(2, experiment_id);
  if (update.run() == 0) require_experiment(db_, path_, experiment_id);
  transaction.commit();
}

TrialRecord TrialStore::start_trial(std::int64_t experiment_id, const std::string& space,
                                    const std::string& candidate, const std::string& accelerator,
                                    const std::string& worker) {
  return start_trial(experiment_id, space, candidate, accelerator, worker, TrialOrigin{});
}

TrialRecord TrialStore::start_trial(std::int64_t experiment_id, const std::string& space,
                                    const std::string& candidate, const std::string& accelerator,
                                    const std::string& worker, const TrialOrigin& origin) {
  return start_trial(experiment_id, space, candidate, accelerator, worker, origin, {});
}

TrialRecord TrialStore::start_trial(std::int64_t experiment_id, const std::string& space,
                                    const std::string& candidate, const std::string& accelerator,
                                    const std::string& worker, const TrialOrigin& origin,
                                    const std::vector<std::pair<int, Metrics>>& logged) {
  require_writable("start a trial");
  for (const auto& step_values : logged) check_metric_names(step_values.second, path_);
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  require_experiment(db_, path_, experiment_id);
  TrialRecord trial;
  {
    // The write lock is held, so no other process can take the same number.
    Statement next(db_, path_,
                   "SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE experiment_id = ?");
    next.bind(1, experiment_id);
    next.step();
    trial.number = static_cast<int>(next.column_int64(0));
  }
  trial.experiment_id = experiment_id;
  trial.state = TrialStatus::running;
  trial.space = space;
  trial.candidate = candidate;
  trial.accelerator = accelerator;
  trial.worker = worker;
  trial.started = now_utc();
  trial.ask_seq = origin.ask_seq;
  trial.retry_of = origin.retry_of;
  Statement insert(db_, path_,
                   "INSERT INTO trials (experiment_id, number, state, space, candidate, "
                   "accelerator, worker, started, ask_seq, retry_of) "
                   "VALUES (?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, experiment_id).bind(2, trial.number).bind(3, space).bind(4, candidate);
  insert.bind(5, accelerator).bind(6, worker).bind(7, trial.started);
  if (origin.ask_seq) insert.bind(8, *origin.ask_seq); else insert.bind_null(8);
  if (origin.retry_of) insert.bind(9, *origin.retry_of); else insert.bind_null(9);
  insert.run();
  trial.id = sqlite3_last_insert_rowid(db_);
  if (!logged.empty()) {
    const TrialIdentity identity = identify_trial(db_, path_, trial.id);
    for (const auto& [step, values] : logged)
      insert_intermediate(db_, path_, identity, trial.id, step, values);
  }
  transaction.commit();
  return trial;
}

void TrialStore::log_intermediate(std::int64_t trial_id, int step, const Metrics& values) {
  require_writable("log intermediate values");
  check_metric_names(values, path_);
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  TrialIdentity trial = identify_trial(db_, path_, trial_id);
  if (trial.state != "RUNNING") {
    throw Error("trial database '" + path_ + "': " + describe(trial) + " is " + trial.state +
                "; intermediate values can only be logged while a trial runs");
  }
  insert_intermediate(db_, path_, trial, trial_id, step, values);
  transaction.commit();
}


void TrialStore::finish_trial(std::int64_t trial_id, const TrialResult& result,
                              const std::optional<std::string>& strategy_state) {
  finish_trial(trial_id, result, strategy_state, std::nullopt);
}

void TrialStore::finish_trial(std::int64_t trial_id, const TrialResult& result,
                              const std::optional<std::string>& strategy_state,
                              std::optional<std::int64_t> tell_seq) {
  finish_trial(trial_id, result, strategy_state, tell_seq,
               result.status == TrialStatus::failed ? FailureCause::error : FailureCause::none);
}

void TrialStore::finish_trial(std::int64_t trial_id, const TrialResult& result,
                              const std::optional<std::string>& strategy_state,
                              std::optional<std::int64_t> tell_seq, FailureCause cause) {
  require_writable("finish a trial");
  if (result.status == TrialStatus::running) {
    throw Error("trial database '" + path_ +
                "': a trial cannot finish in state RUNNING; use "
                "COMPLETE, PRUNED, INFEASIBLE or FAILED");
  }
  if ((result.status == TrialStatus::failed) != (cause != FailureCause::none)) {
    throw Error("trial database '" + path_ + "': a " + to_string(result.status) +
                " trial cannot have failure cause '" + to_string(cause) +
                "' (FAILED trials need one other than none, other states none)");
  }
  check_metric_names(result.metrics, path_);
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  TrialIdentity trial = identify_trial(db_, path_, trial_id);
  if (trial.state != "RUNNING") {
    throw Error("trial database '" + path_ + "': " + describe(trial) + " is already " +
                trial.state + "; finished trials are immutable");
  }
  // Values and the strategy state go in while the trial is still RUNNING (the schema's triggers
  // refuse them afterwards); the state change comes last.
  Statement insert(db_, path_,
                   "INSERT INTO trial_values (trial_id, name, value, value_kind) "
                   "VALUES (?, ?, ?, ?)");
  for (const auto& [name, value] : result.metrics) {
    insert.reset();
    insert.bind(1, trial_id).bind(2, name);
    bind_value(insert, 3, value);
    insert.run();
  }
  if (strategy_state) {
    Statement insert_state(db_, path_,
                           "INSERT INTO strategy_states (trial_id, state) VALUES (?, ?)");
    insert_state.bind(1, trial_id).bind_blob(2, *strategy_state);
    insert_state.run();
  }
  Statement update(db_, path_,
                   "UPDATE trials SET state = ?, reason = ?, finished = ?, tell_seq = ?, "
                   "failure_cause = ? WHERE id = ?");
  update.bind(1, to_string(result.status)).bind(2, result.reason).bind(3, now_utc());
  if (tell_seq) update.bind(4, *tell_seq); else update.bind_null(4);
  update.bind(5, to_string(cause)).bind(6, trial_id);
  update.run();
  schema::ensure_summary_columns(db_, path_, result.metrics.names());
  transaction.commit();
}

int TrialStore::fail_running_trials(std::int64_t experiment_id, const std::string& reason,
                                    FailureCause cause) {
  require_writable("fail running trials");
  if (cause == FailureCause::none)
    throw Error("trial database '" + path_ +
                "': failed trials need a failure cause other than none");
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  require_experiment(db_, path_, experiment_id);
  Statement update(db_, path_,
                   "UPDATE trials SET state = 'FAILED', reason = ?, finished = ?, "
                   "failure_cause = ? WHERE experiment_id = ? AND state = 'RUNNING'");
  update.bind(1, reason).bind(2, now_utc()).bind(3, to_string(cause)).bind(4, experiment_id);
  int marked = update.run();
  transaction.commit();
  return marked;
}

std::vector<TrialRecord> TrialStore::trials(std::int64_t experiment_id) const {
  Transaction snapshot(db_, path_, Transaction::Kind::read);
  std::vector<TrialRecord> out;
  {
    Statement select(db_, path_,
                     std::string("SELECT ") + kTrialColumns +
                         " FROM trials WHERE experiment_id = ? ORDER BY number");
    select.bind(1, experiment_id);
    while (select.step()) out.push_back(read_trial(select));
  }
  std::map<std::int64_t, Metrics> values;
  load_values(db_, path_, "t.experiment_id = ?", experiment_id, values);
  snapshot.commit();
  for (auto& trial : out) {
    auto found = values.find(trial.id);
    if (found != values.end()) trial.values = std::move(found->second);
  }
  return out;
}

std::optional<TrialRecord> TrialStore::trial(std::int64_t experiment_id, int number) const {
  Transaction snapshot(db_, path_, Transaction::Kind::read);
  std::optional<TrialRecord> out;
  {
    Statement select(db_, path_,
                     std::string("SELECT ") + kTrialColumns +
                         " FROM trials WHERE experiment_id = ? AND number = ?");
    select.bind(1, experiment_id).bind(2, number);
    if (select.step()) out = read_trial(select);
  }
  if (out) {
    std::map<std::int64_t, Metrics> values;
    load_values(db_, path_, "t.id = ?", out->id, values);
    out->values = std::move(values[out->id]);
  }
  snapshot.commit();
  return out;
}

std::vector<IntermediateValue> TrialStore::intermediate_values(std::int64_t trial_id) const {
  Statement select(db_, path_,
                   "SELECT step, name, value, value_kind FROM intermediate_values "
                   "WHERE trial_id = ? ORDER BY step, name");
  select.bind(1, trial_id);
  std::vector<IntermediateValue> out;
  while (select.step()) {
    out.push_back({static_cast<int>(select.column_int64(0)), select.column_text(1),
                   read_value(select, 2, 3, path_)});
  }
  return out;
}

std::optional<std::string> TrialStore::latest_strategy_state(std::int64_t experiment_id) const {
  // strategy_states.id grows in commit order, so the largest id is the latest finish.
  Statement select(db_, path_,
                   "SELECT s.state FROM strategy_states AS s JOIN trials AS t ON t.id = s.trial_id "
                   "WHERE t.experiment_id = ? ORDER BY s.id DESC LIMIT 1");
  select.bind(1, experiment_id);
  if (!select.step()) return std::nullopt;
  return select.column_text(0);
}

std::optional<std::string> TrialStore::strategy_state(std::int64_t trial_id) const {
  Statement select(db_, path_, "SELECT state FROM strategy_states WHERE trial_id = ?");
  select.bind(1, trial_id);
  if (!select.step()) return std::nullopt;
  return select.column_text(0);
}

void TrialStore::heartbeat(std::int64_t experiment_id, const std::string& worker) {
  require_writable("record a heartbeat");
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  require_experiment(db_, path_, experiment_id);
  Statement upsert(
      db_, path_,
      "INSERT INTO heartbeats (experiment_id, worker, last_seen) VALUES (?, ?, ?) "
      "ON CONFLICT (experiment_id, worker) DO UPDATE SET last_seen = excluded.last_seen");
  upsert.bind(1, experiment_id).bind(2, worker).bind(3, now_utc());
  upsert.run();
  transaction.commit();
}

void TrialStore::set_experiment_value(std::int64_t experiment_id, const std::string& name,
                                      double value) {
  require_writable("store an experiment value");
  TANDEM_CHECK(!name.empty(), "trial database '" + path_ + "': empty experiment value name");
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  require_experiment(db_, path_, experiment_id);
  Statement upsert(db_, path_,
                   "INSERT INTO experiment_values (experiment_id, name, value, value_kind, updated) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (experiment_id, name) DO UPDATE SET "
                   "value = excluded.value, value_kind = excluded.value_kind, "
                   "updated = excluded.updated");
  upsert.bind(1, experiment_id).bind(2, name);
  bind_value(upsert, 3, value);
  upsert.bind(5, now_utc());
  upsert.run();
  transaction.commit();
}

std::optional<double> TrialStore::experiment_value(std::int64_t experiment_id,
                                                   const std::string& name) const {
  Statement select(db_, path_,
                   "SELECT value, value_kind FROM experiment_values WHERE experiment_id = ? AND "
                   "name = ?");
  select.bind(1, experiment_id).bind(2, name);
  if (!select.step()) return std::nullopt;
  return read_value(select, 0, 1, path_);
}

}  // namespace tandem
