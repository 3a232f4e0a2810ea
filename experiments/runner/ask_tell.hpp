// AskTellSession: a tandem search driven from outside. Any language or scheduler asks for
// candidates and tells their results (Optuna's ask/tell; the CLI's `tandem ask` and `tandem tell`,
// docs/ask-tell.md). Each session opens the experiment and takes its run lock, waiting up to
// `lock_wait_seconds` while another ask or tell holds it; a live `tandem run` of the experiment
// holds it for the whole run. It rebuilds the strategy by replaying the stored asks and tells
// (strategy_replay.hpp) and then writes like the trial loop, one transaction per trial event:
// ask() stores the new trials RUNNING with the ask's number, tell() stores a result with the
// strategy's new state and the tell's number. So the strategy's state carries over between calls
// exactly as in one `tandem run`, and a call killed at any moment loses nothing.
// Trials asked and not yet told stay RUNNING: they are being evaluated elsewhere. Asked candidates
// whose trials ended untold (a `tandem run` that was interrupted) are handed out again first, as
// the trial loop re-runs them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/trial_store.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/runner/run_lock_keeper.hpp"
#include "experiments/runner/strategy_replay.hpp"

namespace tandem {

// What `tandem tell` says about one trial.
struct TellRequest {
  int number = 0;
  // nullopt: only `intermediate` is stored and the trial stays RUNNING.
  std::optional<TrialStatus> state;
  Metrics values;      // final values
  std::string reason;  // for PRUNED, INFEASIBLE and FAILED ("" gets a default)
  std::vector<std::pair<int, Metrics>> intermediate;  // (step, values), stored first
};

// The pruner's view of a RUNNING trial after its latest intermediate values.
struct PruneAdvice {
  bool prune = false;
  std::string reason;
  int step = 0;
};

class AskTellSession {
 public:
  // Opens experiment `name` in `store`, built from its stored configuration and seed. Raises
  // tandem::Error naming the file when there is no such experiment (listing those there are).
  AskTellSession(TrialStore& store, const std::string& name, double lock_wait_seconds = 10.0);
  // Opens the experiment `config` describes, creating it first when `store` does not hold it; an
  // existing one must have the same configuration (space, strategy, evaluators, objectives,
  // constraints, pruner, seed), else tandem::Error.
  AskTellSession(TrialStore& store, ExperimentConfig config, double lock_wait_seconds = 10.0);
  ~AskTellSession();

  const Experiment& experiment() const { return *experiment_; }
  std::int64_t experiment_id() const { return experiment_id_; }

  // Up to `n` new RUNNING trials: re-runs of candidates whose trials ended untold first, then the
  // strategy's next ask. Fewer (or none) when the strategy is finished or waits for results.
  std::vector<TrialRecord> ask(std::size_t n, const std::string& worker);

  // Stores request.intermediate (values already stored identically are skipped, so a repeated
  // call is harmless) and, when request.state is set, finishes the RUNNING trial: a COMPLETE
  // result whose values violate a constraint becomes INFEASIBLE; the strategy is told.
  // Raises tandem::Error (one line) for an unknown trial, a trial that is not RUNNING, or a
  // value that conflicts with one stored. Returns the stored trial.
  TrialRecord tell(const TellRequest& request);

  // Whether the experiment's pruner would stop trial `number` after its values at `step` (as
  // stored); no pruner never prunes.
  PruneAdvice advise(int number, int step);

 private:
  void open(const std::string& name, double lock_wait_seconds);
  const TrialRecord& running_trial(int number) const;

  TrialStore& store_;
  std::unique_ptr<Experiment> experiment_;
  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<RunLockKeeper> lock_;
  std::int64_t experiment_id_ = 0;
  std::vector<TrialRecord> trials_;
  std::int64_t next_seq_ = 0;
  std::deque<Retry> retries_;
};

}  // namespace tandem
