// The trial loop of ARCHITECTURE.md, owned by experiments/:
//   candidates = strategy.ask(n); result = evaluate(candidate, reporter);
//   strategy.tell(candidate, result); store.finish_trial(result, strategy.state())
// One coordinator (the calling thread) owns the strategy and the TrialStore and does every
// database write; a TrialExecutor evaluates up to N trials at once (inline, threads or MPI ranks)
// and results are told in the order they arrive. Every ask() call and every tell() gets the next
// number of one per-experiment counter (trials.ask_seq / tell_seq, schema 3).
// Resume: trials left RUNNING by a dead process become FAILED (cause interrupted, reason
// "interrupted"); the strategy is rebuilt by replaying the stored asks in ask order interleaved
// with the stored tells in tell order (each replayed ask must reproduce the stored candidates, and
// the state after the last tell must equal the stored one). Candidates that were asked but whose
// result was never told (interrupted, worker lost; TrialHistory decides) are evaluated again
// first, as new trials with retry_of set. Every finished trial is kept and none is duplicated.
// See docs/distributed.md.
// One writer: the run holds the experiment's run lock (db/run_lock.hpp, run_lock_keeper.hpp) from
// before its first write to its end; a second run of the experiment while this process lives is
// refused with one line and writes nothing, and a dead holder's lock is taken over.
// Stopping: RunOptions::stop (e.g. the SIGINT/SIGTERM source, stop_token.hpp) ends the loop after
// the trials in flight; executors get the same token when they are built. A trial that the stop
// cut short (its evaluator saw should_stop() and returned PRUNED, and no pruner decided it) is
// not told: it is stored FAILED "interrupted", as a kill -9 leaves it, and --resume re-runs it.
// Errors: a tandem::Error raised while evaluating fails that trial; an InternalError (a bug) or any
// other exception ends the run at once and propagates, leaving the trials in flight RUNNING (the
// next --resume marks them interrupted, as after a crash).
// Weight-sharing strategies: the search log a strategy hands over after an ask() is stored as
// intermediate values of the first trial of that ask; on resume the first trial's values go back
// through Strategy::restore_search() before the replay, so a finished search is not re-run.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "db/trial_store.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/runner/stop_token.hpp"
#include "experiments/runner/trial_history.hpp"

namespace tandem {

struct RunOptions {
  bool resume = false;
  std::optional<long long> trials;  // overrides budget.trials
  bool show_progress = true;
  std::FILE* progress_stream = stderr;
  std::string worker;  // "" = host:pid
  std::size_t workers = 1;  // trials evaluated at once on this machine (threads when > 1)
  StopToken stop;           // when it asks to stop, no new trial starts (default: never)
};

struct RunSummary {
  std::int64_t experiment_id = 0;
  long long replayed = 0;      // finished trials rebuilt from the database
  long long new_trials = 0;    // trials finished by this invocation
  long long interrupted = 0;   // RUNNING trials of a dead process marked FAILED
  long long lost = 0;          // trials whose worker stopped answering (FAILED "worker lost")
  long long retried = 0;       // trials that re-ran an interrupted or lost trial's candidate
  bool stopped_by_signal = false;
  long long stopped_trials = 0;  // trials cut short by the stop: FAILED "interrupted", re-run on resume
  double seconds = 0.0;
};

class TrialExecutor;

// Runs (or resumes) the experiment in `store`. Throws tandem::Error for an existing experiment
// without resume, or a stored experiment whose configuration differs.
// options.workers == 1 evaluates inline (the sequential loop), more uses that many threads; both
// executors get options.stop.
RunSummary run_experiment(Experiment& experiment, TrialStore& store, const RunOptions& options);
// The same with a given executor (the MPI coordinator uses this; build it with the same stop
// token as options.stop); options.workers is ignored.
RunSummary run_experiment(Experiment& experiment, TrialStore& store, const RunOptions& options,
                          TrialExecutor& executor);

// Multi-objective experiments keep their hypervolume in experiment_values ("hypervolume";
// reference point: the config's objectives[].reference, else the worst observed value of each
// objective). Single-objective experiments store nothing.
void store_hypervolume(TrialStore& store, std::int64_t experiment_id,
                       const std::vector<Objective>& objectives);

// "host:pid" of this process.
std::string default_worker_name();

}  // namespace tandem
