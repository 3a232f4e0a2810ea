// One REINFORCE controller over all the decisions of a space: the ask/tell loop that the
// `reinforce` and `codesign_rl` strategies share (they differ only in the reward they tell it).
// It owns the strategy's generator (seeded by the trial seed), a PolicyGradientLearner over the
// space's decisions (parameters initialised from rng.derive(1)), and the asked/told counters.
// Williams 1992; AutoDL-Projects exps/NAS-Bench-201-algos/reinforce.py (procedure:
// policy_gradient.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "search/rl/policy_gradient.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

// The decision cardinalities of a space (one categorical per decision).
std::vector<int> cardinalities_of(const SearchSpace& space);

// The first of up to 100 draws that satisfies space.is_valid(), else one uniform sample of the
// space (from `rng`).
Candidate sample_valid(const SearchSpace& space, Rng& rng, const std::function<Candidate()>& draw);

class SpaceController {
 public:
  SpaceController(const SearchSpace& space, const PolicyGradientOptions& options,
                  std::uint64_t seed);
  // n valid samples of the current policy.
  std::vector<Candidate> ask(std::size_t n);
  // One told trial with its reward; a trial without one (nullopt) is learned with
  // options.failure_reward when set, else skipped. Counts the trial either way.
  void tell(const Candidate& candidate, std::optional<double> reward);
  // "<strategy> asked=A told=T<counters> rng=... <learner state>".
  std::string state(const std::string& strategy, const std::string& counters = "") const;
  const PolicyGradientLearner& learner() const { return learner_; }

 private:
  const SearchSpace& space_;
  PolicyGradientOptions options_;
  Rng rng_;
  Rng init_rng_;
  PolicyGradientLearner learner_;
  long long asked_ = 0, told_ = 0;
};

}  // namespace tandem
