// The trial loop of ARCHITECTURE.md, owned by experiments/:
//   candidates = strategy.ask(n); result = evaluate(candidate, reporter);
//   strategy.tell(candidate, result); store.finish_trial(result, strategy.state())
// Resume: trials left RUNNING by a dead process become FAILED ("interrupted"); the strategy is
// rebuilt by replaying the stored history through ask/tell (each replayed ask must reproduce the
// stored candidate and the final state must equal the stored one), and the interrupted work is
// asked again. Every finished trial is kept and none is duplicated.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "db/trial_store.hpp"
#include "experiments/experiment.hpp"

namespace tandem {

struct RunOptions {
  bool resume = false;
  std::optional<long long> trials;  // overrides budget.trials
  bool show_progress = true;
  std::FILE* progress_stream = stderr;
  std::string worker;  // "" = host:pid
};

struct RunSummary {
  std::int64_t experiment_id = 0;
  long long replayed = 0;      // finished trials rebuilt from the database
  long long new_trials = 0;    // trials finished by this invocation
  long long interrupted = 0;   // RUNNING trials of a dead process marked FAILED
  bool stopped_by_signal = false;
  double seconds = 0.0;
};

// Reason stored on trials whose process died mid-evaluation (they are not told to strategies).
inline constexpr const char* kInterruptedReason = "interrupted";

// Runs (or resumes) the experiment in `store`. Throws tandem::Error for an existing experiment
// without resume, or a stored experiment whose configuration differs.
RunSummary run_experiment(Experiment& experiment, TrialStore& store, const RunOptions& options);

// True when a stored trial's result was handed to the strategy (not interrupted / lost).
bool was_told(const TrialRecord& trial);

// Installs SIGINT/SIGTERM handlers that ask the loop to stop after the current trial.
void install_stop_handlers();
bool stop_requested();
void request_stop();
void clear_stop_request();

}  // namespace tandem
