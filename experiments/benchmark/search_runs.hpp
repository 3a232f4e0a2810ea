// The runs of `tandem bench search`: a strategy's ask/tell loop in-process, without a database,
// one trial at a time, on evaluations cached per candidate (the benchmark's evaluators must be
// deterministic, as tables and analytic cost models are), and what is read off a run per budget
// (the first `budget` told trials).
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "core/pareto.hpp"
#include "experiments/runner/experiment.hpp"

namespace tandem {

class CachedEvaluation {
 public:
  explicit CachedEvaluation(Experiment& experiment) : experiment_(experiment) {}
  const TrialResult& operator()(const Candidate& candidate);

 private:
  Experiment& experiment_;
  std::map<Candidate, TrialResult> cache_;
};

struct RunTrace {
  std::vector<TrialResult> results;  // in tell order
};

// One run of `strategy` (registry name and options) with `seed`, until `budget` trials are told
// or the strategy finishes.
RunTrace run_strategy(const Experiment& experiment, const ComponentConfig& strategy,
                      std::uint64_t seed, long long budget, CachedEvaluation& evaluate);

// The `truth` metric of the best complete trial by `objective` among the first `budget` (ties:
// the earliest); nullopt when none has the objective.
std::optional<double> best_truth(const RunTrace& trace, long long budget,
                                 const Objective& objective, const std::string& truth);

// The oriented (larger is better) objective of that best trial.
std::optional<double> best_fitness(const RunTrace& trace, long long budget,
                                   const Objective& objective);

// The minimised objective vectors of the complete trials among the first `budget`.
std::vector<ObjectiveVector> complete_points(const RunTrace& trace, long long budget,
                                             const std::vector<Objective>& objectives);

}  // namespace tandem
