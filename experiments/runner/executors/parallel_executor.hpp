// TrialExecutor: where the trial loop's candidates are evaluated. The coordinator (the thread that
// owns the strategy and the only TrialStore that writes) dispatches a trial to a free slot and
// collects results as they arrive; executors never touch the database or the strategy.
//   InlineExecutor  — one slot, evaluates on the coordinator's thread (`tandem run`, the default)
//   ThreadExecutor  — N slots, one thread each, each with its own Experiment and a oneTBB arena of
//                     its share of the cores (`tandem run --workers N`)
//   MpiExecutor     — one slot per MPI rank 1..K-1 (`mpirun -np K tandem run --mpi`, mpi_executor.hpp)
// Intermediate values reach the coordinator through ReportSink::report, always on the coordinator's
// thread, so every database write stays on one thread.
// Stopping: every executor is built with a StopToken; once it asks to stop, the Reporter of each
// trial in flight answers should_stop() with true (the MPI executor forwards it to the ranks).
// Errors: an evaluation that raises anything but a tandem::Error (Experiment::evaluate turns those
// into FAILED results) is a bug: next() rethrows it on the coordinator's thread, and the trial
// loop ends without finishing that trial.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/trial.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/runner/stop_token.hpp"

namespace tandem {

// One trial handed to a slot.
struct TrialWork {
  std::int64_t trial_id = 0;
  int number = 0;
  Candidate candidate;
};

// What an executor reports back: a finished evaluation, or a slot that stopped answering
// (its trial is lost: the coordinator marks it FAILED "worker lost" and runs the candidate again).
struct ExecutorEvent {
  enum class Kind { finished, lost };
  Kind kind = Kind::finished;
  std::size_t slot = 0;
  std::int64_t trial_id = 0;
  TrialResult result;  // finished only
  std::string detail;  // lost only: why (e.g. "no heartbeat for 30 s")
};

// Receives intermediate values on the coordinator's thread; may throw tandem::Error (for example
// a metric reported twice at one step), which fails the trial with that message. Returns true when
// the trial should stop (a pruner decided, docs/pruners.md): the inline and thread executors hand
// that answer to the evaluator before its report() returns, so its next should_stop() sees it; the
// MPI executor sends it to the rank as a stop request.
using ReportSink = std::function<bool(std::int64_t trial_id, int step, const Metrics& values)>;

class TrialExecutor {
 public:
  virtual ~TrialExecutor() = default;
  // Number of slots (including ones that were lost).
  virtual std::size_t slots() const = 0;
  // A live, idle slot, if any.
  virtual std::optional<std::size_t> free_slot() const = 0;
  // Live, idle slots.
  virtual std::size_t free_slots() const = 0;
  // Live slots, busy or not (0 means nothing can run any more).
  virtual std::size_t live_slots() const = 0;
  // Who evaluates on `slot` (stored in trials.worker).
  virtual std::string worker_name(std::size_t slot) const = 0;
  // Starts `work` on an idle live slot.
  virtual void dispatch(std::size_t slot, const TrialWork& work) = 0;
  // Waits up to `timeout` for the next event, feeding intermediate values to `sink` meanwhile.
  // Rethrows what an evaluation raised other than a tandem::Error (InternalError: a bug).
  virtual std::optional<ExecutorEvent> next(std::chrono::milliseconds timeout,
                                            const ReportSink& sink) = 0;
  // Ends the workers (after the last event); idempotent.
  virtual void shutdown() = 0;
};

// One slot on the calling thread: next() evaluates the dispatched trial synchronously and the
// sink's errors propagate into the evaluator, exactly like the sequential loop always did.
std::unique_ptr<TrialExecutor> make_inline_executor(Experiment& experiment, std::string worker,
                                                    StopToken stop);

// `workers` threads. Slot 0 evaluates with `experiment`; every other slot builds its own
// Experiment from experiment.config() (evaluators need not be thread-safe). Each slot runs its
// evaluations in a oneTBB task_arena of max(1, cores / workers) threads. `worker` names the
// process; slots are named "<worker>/t<slot>".
std::unique_ptr<TrialExecutor> make_thread_executor(Experiment& experiment, std::size_t workers,
                                                    std::string worker, StopToken stop);

// Threads one evaluation may use when `workers` evaluate at once on this machine.
int threads_per_worker(std::size_t workers);

}  // namespace tandem
