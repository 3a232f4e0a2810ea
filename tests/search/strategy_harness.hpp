// Helpers shared by the strategy tests: build a registered strategy on a space, score a ToySpace
// candidate, and run a strategy's ask/tell loop for a budget, returning the best score.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "search/strategy.hpp"
#include "tests/search/toy_space.hpp"

namespace tandem::testing {

inline std::unique_ptr<Strategy> make(
    const std::string& name, const SearchSpace& space, const std::string& options_yaml,
    std::uint64_t seed, std::vector<Objective> objectives = {Objective{"score", false, {}}}) {
  ConfigNode options = ConfigNode::parse(options_yaml, "options.yaml");
  StrategyContext context{space, options, seed, std::move(objectives)};
  return strategy_registry().create(name, context);
}

inline TrialResult scored(const Candidate& c) {
  Metrics m;
  m.set("score", ToySpace::score(c));
  return TrialResult::complete(m);
}

inline double best_of(Strategy& strategy, int budget) {
  double best = -1;
  for (int i = 0; i < budget; ++i) {
    auto asked = strategy.ask(1);
    REQUIRE(asked.size() == 1);
    TrialResult r = scored(asked[0]);
    strategy.tell(asked[0], r);
    best = std::max(best, r.metrics.at("score"));
  }
  return best;
}

}  // namespace tandem::testing
