// REINFORCE (Williams 1992) over any space's decisions, with two policies:
//   policy: categorical — independent logits per decision, as AutoDL-Projects'
//     exps/NAS-Bench-201-algos/reinforce.py (the NAS-Bench-201 paper's REINFORCE baseline);
//   policy: lstm — an LSTM controller emitting the decisions in sequence, as ENAS (Pham et al.
//     2018) and AutoDL's NB201 ENAS controller.
// Procedure and defaults: policy_gradient.hpp (algorithms.md §9.3–9.4). The reward is the first
// objective, negated when minimised; trials without it (failed, pruned, infeasible) are skipped
// unless `failure_reward` is set. Each ask samples from the current policy; each tell is one
// REINFORCE sample. Like AutoDL, the answer is the best-reward trial of the history (the database
// holds it), not the argmax of the policy.
#pragma once

#include "search/rl/space_controller.hpp"
#include "search/strategy.hpp"

namespace tandem {

class Reinforce final : public Strategy {
 public:
  Reinforce(const SearchSpace& space, const PolicyGradientOptions& options, Objective objective,
            std::uint64_t seed);
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  std::string state() const override;
  const PolicyGradientLearner& learner() const { return controller_.learner(); }

 private:
  Objective objective_;
  SpaceController controller_;
};

void register_reinforce(StrategyRegistry& registry);

}  // namespace tandem
