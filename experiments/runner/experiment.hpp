// Experiment: the parts an ExperimentConfig names, built and cross-checked before anything touches
// the database — the space, a fresh strategy on demand, the evaluator chain and the constraints.
// evaluate() runs the evaluators in order, merges their metrics, applies the constraints and turns
// a tandem::Error raised while evaluating one candidate into a FAILED trial (the search goes on).
// An InternalError (a bug) or any other exception propagates: it is never a trial's result.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/evaluator.hpp"
#include "core/constraint.hpp"
#include "experiments/config/experiment_config.hpp"
#include "search/strategy.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

class Experiment {
 public:
  // `build_evaluators` false leaves the evaluator chain empty and unchecked: the ask/tell
  // interface (ask_tell.hpp) never evaluates, its caller measures the candidates.
  explicit Experiment(ExperimentConfig config, bool build_evaluators = true);

  const ExperimentConfig& config() const { return config_; }
  const SearchSpace& space() const { return *space_; }
  // A new strategy in its initial state (seeded from the experiment seed). The first call hands
  // out the instance built to validate the options (a weight-sharing strategy has its dataset
  // loaded by then, so it is not read twice).
  std::unique_ptr<Strategy> make_strategy() const;
  TrialResult evaluate(const Candidate& candidate, Reporter& reporter);
  const std::vector<Constraint>& constraints() const { return constraints_; }
  // The evaluator chain, in config order (config().evaluators[i] built evaluators()[i]).
  const std::vector<std::unique_ptr<Evaluator>>& evaluators() const { return evaluators_; }
  // For each objective whose best possible value an evaluator knows exactly (a benchmark table's
  // optimum), that value by metric name; the trial loop stores them as "optimum/<metric>".
  std::map<std::string, double> known_optima() const;

 private:
  ExperimentConfig config_;
  std::unique_ptr<SearchSpace> space_;
  std::vector<std::unique_ptr<Evaluator>> evaluators_;
  std::vector<Constraint> constraints_;
  mutable std::unique_ptr<Strategy> validated_strategy_;  // until the first make_strategy()

  std::unique_ptr<Strategy> build_strategy() const;
};

}  // namespace tandem
