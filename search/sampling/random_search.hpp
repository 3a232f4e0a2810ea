// Random search: uniform independent samples of the space (NAS-Bench-201's RANDOM baseline,
// AutoDL-Projects exps/NAS-Bench-201-algos/RANDOM.py).
#pragma once

#include "core/rng.hpp"
#include "search/strategy.hpp"

namespace tandem {

class RandomSearch final : public Strategy {
 public:
  RandomSearch(const SearchSpace& space, std::uint64_t seed);
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate&, const TrialResult&) override { ++told_; }
  std::string state() const override;

 private:
  const SearchSpace& space_;
  Rng rng_;
  std::size_t asked_ = 0;
  std::size_t told_ = 0;
};

void register_random_search(StrategyRegistry& registry);

}  // namespace tandem
