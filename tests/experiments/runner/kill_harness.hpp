// Kill and interrupt harness: runs one experiment config uninterrupted (the reference), then again
// with SIGKILL / SIGINT / SIGTERM sent at seeded random moments (startup and replay, mid-trial,
// between trials), `--resume` after each, and `--resume` until it is done; then compares the whole
// stored history with the reference's (compare_histories below says what must be identical).
// TANDEM_KILL_SEED=<n> in the environment draws other kill points (the default seed is fixed, so
// a failure reproduces); each kill point is printed with where it landed.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "experiments/runner/trial_history.hpp"
#include "tests/experiments/cli_harness.hpp"

namespace tandem::testing {

struct KillHarnessConfig {
  std::string name;  // the experiment's name in `yaml`
  std::string yaml;
  int workers = 1;
  int kills = 5;  // kill points: one during startup, the rest anywhere in the run
  // Weight-sharing: the search log is stored with trial #0 (even when that attempt was cut short)
  // and compared there, not with the trial that evaluated the derived candidate.
  bool search_log = false;
  int min_pruned = 0;  // PRUNED trials the reference must hold (a pruner config that prunes)
};

// Where a kill landed, read from what the killed run left in the database.
enum class Landed { startup, mid_trial, between_trials, after_end };

inline const char* landed_name(Landed landed) {
  switch (landed) {
    case Landed::startup: return "startup/replay";
    case Landed::mid_trial: return "mid-trial";
    case Landed::between_trials: return "between trials";
    case Landed::after_end: return "after the run ended";
  }
  return "?";
}

// Wall-clock metrics differ between any two runs; they are left out of every comparison.
inline bool clock_metric(const std::string& name) {
  const std::string last = name.substr(name.find_last_of('/') + 1);  // "search/seconds"
  return last == "seconds" || last.ends_with("_seconds");
}

// A metric map as text (NaN == NaN; 17 digits, so equal text is equal doubles).
inline std::string metrics_text(const Metrics& metrics) {
  std::string text;
  for (const std::string& name : metrics.names()) {
    if (clock_metric(name)) continue;
    char value[40];
    std::snprintf(value, sizeof value, "%.17g", *metrics.find(name));
    text += name + "=" + value + " ";
  }
  return text;
}

struct StoredTrial {
  TrialRecord record;
  std::string intermediate;  // "step:name=value " in (step, name) order, clock metrics left out
  std::string state;         // the strategy state stored with it ("" when none)
};

struct StoredHistory {
  bool exists = false;
  std::string status;
  std::vector<StoredTrial> trials;  // by number
  std::string experiment_values;    // "name=value " in name order
};

inline StoredHistory read_history(const std::string& db, const std::string& name) {
  StoredHistory out;
  if (!std::filesystem::exists(db)) return out;
  std::unique_ptr<TrialStore> opened;
  try {
    opened = std::make_unique<TrialStore>(db, TrialStore::Mode::read_only);
  } catch (const Error&) {
    return out;  // killed while creating the file: empty, no tables yet
  }
  TrialStore& store = *opened;
  auto experiment = store.find_experiment(name);
  if (!experiment) return out;
  out.exists = true;
  out.status = experiment->status;
  for (const TrialRecord& record : store.trials(experiment->id)) {
    StoredTrial trial{record, "", store.strategy_state(record.id).value_or("")};
    std::vector<std::tuple<int, std::string, double>> values;
    for (const IntermediateValue& v : store.intermediate_values(record.id))
      if (!clock_metric(v.name)) values.emplace_back(v.step, v.name, v.value);
    std::sort(values.begin(), values.end());
    for (const auto& [step, metric, value] : values) {
      char text[40];
      std::snprintf(text, sizeof text, "%.17g", value);
      trial.intermediate += std::to_string(step) + ":" + metric + "=" + text + " ";
    }
    out.trials.push_back(std::move(trial));
  }
  QueryResult values = store.query("SELECT name, value FROM experiment_values WHERE "
                                   "experiment_id = " + std::to_string(experiment->id) +
                                   " ORDER BY name");
  for (const auto& row : values.rows) out.experiment_values += row.at(0) + "=" + row.at(1) + " ";
  return out;
}

// The stored history of a run cut short and resumed equals the reference's:
//  - every trial finished (none RUNNING), numbers 0, 1, 2, ...; a trial not told to the strategy
//    is FAILED "interrupted" and its candidate is run again by a later trial that retries it;
//  - one worker: the told trials, in number order, are the reference's trials one for one: same
//    ask/tell numbers (a re-run is asked as its original), candidate, accelerator, state, reason,
//    values, intermediate values and strategy state after it; the reference's trial number is
//    the told trial's ask index (TrialHistory::ask_index_of);
//  - several workers (random search, whose i-th asked candidate does not depend on timing): the
//    told trials ordered by ask index are the reference's trials by number: same candidate,
//    accelerator, state, reason, values and intermediate values (ask/tell numbers and strategy
//    states follow the threads' timing and are not compared);
//  - the experiment values (hypervolume, optima) and the final status ("finished") are equal.
inline void compare_histories(const StoredHistory& reference, const StoredHistory& resumed,
                              const KillHarnessConfig& config) {
  REQUIRE(reference.exists);
  REQUIRE(resumed.exists);
  CHECK(resumed.status == "finished");
  CHECK(resumed.status == reference.status);
  CHECK(resumed.experiment_values == reference.experiment_values);
  std::vector<TrialRecord> records;
  for (const StoredTrial& t : resumed.trials) records.push_back(t.record);
  const TrialHistory history(records);

  std::vector<const StoredTrial*> told;
  for (std::size_t i = 0; i < resumed.trials.size(); ++i) {
    const TrialRecord& t = resumed.trials[i].record;
    CAPTURE(t.number);
    CHECK(t.number == static_cast<int>(i));
    CHECK(t.state != TrialStatus::running);
    if (history.told(t.number)) {
      told.push_back(&resumed.trials[i]);
      continue;
    }
    CHECK(t.state == TrialStatus::failed);
    CHECK(t.cause == FailureCause::interrupted);
    CHECK(t.reason == kInterruptedReason);
    bool rerun = false;  // a later trial retries it, with its candidate
    for (std::size_t j = i + 1; j < resumed.trials.size(); ++j)
      if (resumed.trials[j].record.retry_of == t.number) {
        rerun = true;
        CHECK(resumed.trials[j].record.candidate == t.candidate);
      }
    CHECK(rerun);
  }
  if (config.workers > 1)
    std::stable_sort(told.begin(), told.end(), [&](const StoredTrial* a, const StoredTrial* b) {
      return history.ask_index_of(a->record.number) < history.ask_index_of(b->record.number);
    });
  REQUIRE(told.size() == reference.trials.size());
  for (std::size_t i = 0; i < told.size(); ++i) {
    const StoredTrial& got = *told[i];
    const StoredTrial& want = reference.trials[i];
    CAPTURE(got.record.number);
    CAPTURE(want.record.number);
    CHECK(history.ask_index_of(got.record.number) == want.record.number);
    CHECK(got.record.candidate == want.record.candidate);
    CHECK(got.record.accelerator == want.record.accelerator);
    CHECK(got.record.state == want.record.state);
    CHECK(got.record.reason == want.record.reason);
    CHECK(metrics_text(got.record.values) == metrics_text(want.record.values));
    const bool search_log_here =
        config.search_log && (got.record.number == 0 || want.record.number == 0);
    if (!search_log_here) CHECK(got.intermediate == want.intermediate);
    if (config.workers == 1) {
      CHECK(history.asked_at(got.record.number) == want.record.ask_seq);
      CHECK(got.record.tell_seq == want.record.tell_seq);
      CHECK(got.state == want.state);
    }
  }
  if (config.search_log) CHECK(resumed.trials.front().intermediate == reference.trials.front().intermediate);
}

inline std::vector<std::string> run_arguments(const std::string& config, const std::string& db,
                                              const KillHarnessConfig& harness, bool resume) {
  std::vector<std::string> args = {"run", config, "--db", db, "--quiet"};
  if (harness.workers > 1) args.insert(args.end(), {"--workers", std::to_string(harness.workers)});
  if (resume) args.push_back("--resume");
  return args;
}

inline double seconds_of(const std::vector<std::string>& args) {
  std::string line;
  for (const std::string& a : args) line += shell_quote(a) + " ";
  const auto started = std::chrono::steady_clock::now();
  const CommandResult result = run_tandem(line);
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

inline std::uint64_t kill_seed() {
  const char* text = std::getenv("TANDEM_KILL_SEED");
  return text ? std::strtoull(text, nullptr, 10) : 20261207;
}

// Trial rows stored in `db` (0 while it or its tables do not exist yet).
inline long long stored_rows(const std::string& db) {
  if (!std::filesystem::exists(db)) return 0;
  try {
    TrialStore store(db, TrialStore::Mode::read_only);
    QueryResult result = store.query("SELECT COUNT(*) FROM trials");
    return std::stoll(result.rows.at(0).at(0));
  } catch (const std::exception&) {
    return 0;  // being created
  }
}

// One kill point: `signal` sent `delay` after the run starts, or, when `rows` is set, `delay`
// after the database first holds that many trial rows (the last one just started).
struct KillPoint {
  int signal = SIGKILL;
  double delay = 0;
  std::optional<long long> rows;
};

// Starts `tandem args...` and sends the kill point's signal (nothing if it ended first).
inline void run_until(const std::vector<std::string>& args, const std::string& db,
                      const KillPoint& point) {
  const pid_t pid = spawn_tandem(args);
  int status = 0;
  if (point.rows) {
    while (stored_rows(db) < *point.rows) {
      if (waitpid(pid, &status, WNOHANG) == pid) return;  // it ended before
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(point.delay));
  kill(pid, point.signal);
  waitpid(pid, &status, 0);
}

// Runs the harness on one config; returns how many kills landed where.
inline std::map<Landed, int> kill_and_compare(const KillHarnessConfig& config) {
  TempDir dir;
  const std::string yaml = dir.write("exp.yaml", config.yaml);
  const std::string reference_db = dir.file("reference.db");
  const std::string db = dir.file("killed.db");

  // The reference, and how long a run and a startup (resuming the finished run: open, replay,
  // exit) take, to place the kill points.
  const double whole = seconds_of(run_arguments(yaml, reference_db, config, false));
  const double startup =
      std::min(seconds_of(run_arguments(yaml, reference_db, config, true)), whole);
  const StoredHistory reference = read_history(reference_db, config.name);
  const auto budget = static_cast<long long>(reference.trials.size());
  int pruned = 0;
  for (const StoredTrial& t : reference.trials) pruned += t.record.state == TrialStatus::pruned;
  MESSAGE(config.name << ": the reference run has " << pruned << " PRUNED trials of " << budget);
  CHECK(pruned >= config.min_pruned);
  const double trial_seconds = std::max(0.0, whole - startup) / static_cast<double>(budget);

  std::seed_seq seeds{kill_seed(), static_cast<std::uint64_t>(std::hash<std::string>{}(config.name))};
  std::mt19937_64 rng(seeds);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const std::vector<int> signal_cycle = {SIGKILL, SIGINT, SIGKILL, SIGTERM};
  const auto first_signal = static_cast<std::size_t>(rng() % signal_cycle.size());
  const auto startup_kill = static_cast<int>(rng() % static_cast<std::uint64_t>(config.kills));

  std::map<Landed, int> landed;
  for (int k = 0; k < config.kills; ++k) {
    const StoredHistory before = read_history(db, config.name);
    long long told = 0;
    for (const StoredTrial& t : before.trials) told += was_told(t.record) ? 1 : 0;
    KillPoint point;
    point.signal = signal_cycle[(first_signal + static_cast<std::size_t>(k)) % signal_cycle.size()];
    if (k == startup_kill) {  // process start, config, database, replay
      point.delay = unit(rng) * startup;
    } else if (config.search_log || told >= budget) {  // in the search (in ask), before its end
      point.delay = startup + unit(rng) * 0.7 * (whole - startup);
    } else {  // when trial `rows` - 1 has started, then up to one trial's time later; at most
              // half the trials still to run go by, so later kill points still find a run
      point.rows = static_cast<long long>(before.trials.size()) + 1 +
                   static_cast<long long>(rng() % static_cast<std::uint64_t>(
                                                      std::max<long long>(1, (budget - told) / 2)));
      point.delay = unit(rng) * trial_seconds;
    }
    run_until(run_arguments(yaml, db, config, true), db, point);
    const StoredHistory after = read_history(db, config.name);
    Landed where = Landed::between_trials;
    if (after.status == "finished") {  // it ended before the signal came
      where = Landed::after_end;
    } else if (after.trials.size() == before.trials.size()) {
      where = Landed::startup;
    } else {
      for (std::size_t i = before.trials.size(); i < after.trials.size(); ++i) {
        const TrialRecord& t = after.trials[i].record;
        if (t.state == TrialStatus::running || t.cause == FailureCause::interrupted)
          where = Landed::mid_trial;
      }
    }
    ++landed[where];
    MESSAGE(config.name << ": kill " << k << ": signal " << point.signal << " "
                        << static_cast<int>(point.delay * 1000) << " ms after "
                        << (point.rows ? "row " + std::to_string(*point.rows) : std::string("start"))
                        << " (run " << static_cast<int>(whole * 1000) << " ms, startup "
                        << static_cast<int>(startup * 1000) << " ms): "
                        << std::string(landed_name(where)) << ", " << after.trials.size()
                        << " trials stored, experiment " << after.status);
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (read_history(db, config.name).status == "finished") break;
    std::string line;
    for (const std::string& a : run_arguments(yaml, db, config, true)) line += shell_quote(a) + " ";
    const CommandResult result = run_tandem(line);
    REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  }
  compare_histories(reference, read_history(db, config.name), config);
  return landed;
}

// Runs kill_and_compare and checks that every kill point landed somewhere.
inline void check_kills(const KillHarnessConfig& config) {
  const auto landed = kill_and_compare(config);
  int total = 0;
  for (const auto& [where, count] : landed) total += count;
  CHECK(total == config.kills);
}

// The `table` evaluator on the shipped NAS-Bench-201 table (YAML list item of `evaluators:`).
inline std::string nb201_table_evaluator() {
  return "  - name: table\n    options:\n      path: " + source_dir() +
         "/data/nas-bench-201/nb201_accuracy_cost.csv\n"
         "      metrics: [c10valid_val_acc_12ep, c10_test_acc_200ep, flops_M_c10]\n";
}

// A few milliseconds per trial in 2 reported steps, so kills land inside trials too.
inline const char* const kShortTrialEvaluator =
    "  - name: synthetic\n    options: {sleep_seconds: 0.006, steps: 2}\n";

// NAS-Bench-201 looked up in the table (plus the short synthetic trial unless `short_trials` is
// false); `strategy` is the YAML value of `strategy:`.
inline KillHarnessConfig nb201_table_config(const std::string& name, const std::string& strategy,
                                            int trials, bool short_trials = true) {
  KillHarnessConfig config;
  config.name = name;
  config.yaml = "name: " + name + "\nseed: 3\nspace: {name: nb201}\nstrategy: " + strategy +
                "\nevaluators:\n" + nb201_table_evaluator() +
                (short_trials ? kShortTrialEvaluator : "") +
                "objectives: [{metric: c10valid_val_acc_12ep, direction: maximize}]\n"
                "budget: {trials: " + std::to_string(trials) + "}\n";
  return config;
}

}  // namespace tandem::testing
