// Regularized (aging) evolution — Real, Aggarwal, Huang, Le, "Regularized Evolution for Image
// Classifier Architecture Search", AAAI 2019; procedure as in AutoDL-Projects
// exps/NAS-Bench-201-algos/R_EA.py and NASLib optimizers/discrete/re/optimizer.py:
//   1. fill a population with P uniformly random candidates (evaluated);
//   2. each cycle: draw S members uniformly WITH replacement, take the fittest (first on ties) as
//      parent, mutate one decision to a different value (uniform over decisions, as NASLib), evaluate
//      the child, append it and remove the OLDEST member.
// Asynchronous use (ask(n) with n > 1 or before results arrive) evolves from the population as it
// stands, the way NNI and NASLib's parallel variants do.
// Trials without a fitness (failed, pruned, infeasible): `on_failure: ignore` (default, as NNI)
// keeps them out of the population; `worst` adds them with the worst possible fitness.
#pragma once

#include <deque>

#include "core/rng.hpp"
#include "search/strategy.hpp"

namespace tandem {

struct RegularizedEvolutionOptions {
  int population_size = 10;  // P (AutoDL NB201 scripts: 10)
  int sample_size = 3;       // S (AutoDL NB201 scripts: 3)
  long long cycles = 0;      // children to produce after the initial population; 0 = unlimited
  bool failures_as_worst = false;

  static RegularizedEvolutionOptions parse(const ConfigNode& options);
};

class RegularizedEvolution final : public Strategy {
 public:
  RegularizedEvolution(const SearchSpace& space, RegularizedEvolutionOptions options,
                       Objective objective, std::uint64_t seed);
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  bool finished() const override;
  std::string state() const override;

  struct Member {
    Candidate candidate;
    double fitness;  // oriented: larger is better
  };
  const std::deque<Member>& population() const { return population_; }

 private:
  Candidate next_child();

  const SearchSpace& space_;
  RegularizedEvolutionOptions options_;
  Objective objective_;
  Rng rng_;
  std::deque<Member> population_;
  std::vector<Candidate> pending_random_;  // initial-population samples not yet told
  long long children_asked_ = 0;
};

void register_regularized_evolution(StrategyRegistry& registry);

}  // namespace tandem
