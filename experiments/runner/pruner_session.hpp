// PruningSession: the trial loop's side of pruning. It keeps, for every trial of the experiment,
// the designated metric's intermediate values and how the trial ended, asks the pruner after each
// report, and turns a pruned trial's reason into the pruner's.
//
// Reproducibility. The peers a trial is judged against are the trials whose results were TOLD
// before the trial's candidate was ASKED (tell_seq < ask_seq of the asked trial; a retry of an
// interrupted or lost trial uses the original trial's ask_seq, legacy trials without ask/tell
// numbers precede everything). Which trial roots a retry chain and which were told is lineage,
// read from a TrialHistory (trial_history.hpp). Both numbers are stored (trials.ask_seq / tell_seq), so every
// decision is a function of the database alone: --resume rebuilds the session from the stored
// trials and intermediate values (load) and makes the same decisions, and decide_stored()
// recomputes a stored decision. With one worker every earlier trial is a peer (Optuna's semantics);
// with several, trials still running when a trial started are not its peers, whatever the timing —
// Optuna's own parallel pruning compares with whatever happens to be stored at that moment.
//
// The metric: PrunerOptions::metric; when it defaulted to the first objective and a report lacks
// it, "val_<metric>" is judged instead (the train evaluator's per-epoch name). A report that has
// neither raises tandem::Error (the trial fails with that message): a pruner that never sees its
// metric would silently prune nothing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/trial_store.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/pruners/pruner.hpp"
#include "experiments/runner/trial_history.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

class ArchitectureEncoder;

class PruningSession {
 public:
  PruningSession(const PrunerOptions& options, const std::string& experiment, std::uint64_t seed,
                 const SearchSpace& space);
  ~PruningSession();

  // Resume: every stored trial of the experiment (none RUNNING) and its intermediate values.
  void load(const TrialStore& store, const std::vector<TrialRecord>& trials);
  // A trial just started (its record carries ask_seq or retry_of).
  void started(const TrialRecord& trial, const Candidate& candidate);
  // The values a running trial reported at `step` (already stored): the pruner's decision.
  PruneDecision report(std::int64_t trial_id, int step, const Metrics& values);
  // The result of a trial the pruner stopped: PRUNED results get the pruner's reason.
  TrialResult explain(std::int64_t trial_id, TrialResult result) const;
  // Whether the pruner decided to stop this trial (a PRUNED result it did not decide came from
  // somewhere else: a user's Ctrl-C).
  bool decided_to_stop(std::int64_t trial_id) const;
  // The trial's result was told (tell_seq) or not (lost: nullopt); told trials become peers of
  // trials asked later.
  void finished(std::int64_t trial_id, const TrialResult& result,
                std::optional<std::int64_t> tell_seq);
  // The decision for trial `number` at `step` from what is stored (its values up to `step`, its
  // peers as defined above). Throws tandem::Error for an unknown trial.
  PruneDecision decide_stored(int number, int step);

  const PrunerOptions& options() const { return options_; }

 private:
  struct Entry {
    PrunerTrial trial;
    std::optional<std::string> stop_reason;
  };

  Entry& add(const TrialRecord& trial, const Candidate& candidate);
  Entry& entry_of_id(std::int64_t trial_id);
  std::vector<const PrunerTrial*> peers_of(const Entry& entry) const;

  PrunerOptions options_;
  std::unique_ptr<Pruner> pruner_;
  const SearchSpace& space_;
  std::unique_ptr<ArchitectureEncoder> encoder_;  // learning_curve/svr with architecture features
  std::map<int, Entry> entries_;                  // by trial number
  TrialHistory history_;                          // lineage of the same trials
  std::map<std::int64_t, int> number_of_id_;
};

// The session for `config`'s pruner; nullptr when the experiment has none.
std::unique_ptr<PruningSession> make_pruning_session(const ExperimentConfig& config,
                                                     const SearchSpace& space);

}  // namespace tandem
