// Pruner: decides, from intermediate values, whether a running trial should stop early. One file
// per pruner (pruner_median.cpp, pruner_successive_halving.cpp, pruner_hyperband.cpp,
// pruner_learning_curve.cpp), each registered by name in the pruner registry
// (pruner_registry.hpp); the trial loop's PruningSession (pruner_session.hpp) feeds them.
//
// A pruner is a pure function of what it is given: the judged trial's values of the designated
// metric up to the current step, and its PEERS — the finished trials it may be compared with
// (chosen by the session so that every decision can be recomputed from the database, see
// pruner_session.hpp). Values are the metric's raw values; the pruner applies the direction.
// Pruners may cache models between calls (the learning-curve rule), keyed so that the cache never
// changes a decision.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/trial.hpp"
#include "experiments/pruners/pruner_options.hpp"

namespace tandem {

// What a pruner sees of one trial.
struct PrunerTrial {
  int number = 0;  // trial number
  // The position of the candidate it evaluates among the experiment's asked candidates (from 0):
  // its trial number in a run nothing interrupted, the same for a re-run of an interrupted or lost
  // trial. Rules that key by trial (Hyperband's bracket, the SVR's training set) use this, so a
  // resumed run decides as an uninterrupted one.
  int ask_index = 0;
  TrialStatus state = TrialStatus::running;  // how a peer ended
  std::string metric;                        // the intermediate value's name (for reasons)
  std::map<int, double> values;              // step -> value of that metric
  std::vector<double> architecture;          // one-hot features (learning_curve with svr only)

  // The last reported step (nullopt when there is none).
  std::optional<int> last_step() const;
};

struct PruneDecision {
  bool prune = false;
  std::string reason;  // for a prune: the pruner's name and the numbers that decided it
};

class Pruner {
 public:
  virtual ~Pruner() = default;
  virtual std::string name() const = 0;
  // Judges `trial` just after it reported `step` (trial.values holds steps <= step only);
  // `peers` are in the order their results were told.
  virtual PruneDecision decide(const PrunerTrial& trial, int step,
                               const std::vector<const PrunerTrial*>& peers) = 0;
  // True when the pruner reads PrunerTrial::architecture (the candidate's one-hot encoding), which
  // the session then fills in.
  virtual bool uses_architecture() const { return false; }
};

// Builds the pruner that `options` names, from the pruner registry (pruner_registry.hpp).
// `experiment` is the experiment's name (Hyperband hashes it with PrunerTrial::ask_index, as
// Optuna hashes the study name with the trial number); `seed` seeds the SVR's search.
std::unique_ptr<Pruner> make_pruner(const PrunerOptions& options, const std::string& experiment,
                                    std::uint64_t seed);

// Shared helpers.
// Four significant digits, for reasons ("41.23").
std::string format_short(double value);
// True when `a` is better than `b` in the direction (NaN is never better).
inline bool better(double a, double b, bool minimize) {
  return minimize ? a < b : a > b;
}
// The last step of a peer that COMPLETED, largest over `peers` (nullopt when none completed).
std::optional<int> largest_completed_step(const std::vector<const PrunerTrial*>& peers);

}  // namespace tandem
