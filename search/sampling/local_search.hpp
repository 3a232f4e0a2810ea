// Local search — White, Nolen, Savani, "Exploring the loss landscape in neural architecture
// search", UAI 2021 ("local search is state of the art for NAS benchmarks"); procedure as in
// NASLib optimizers/discrete/ls/optimizer.py:
//   1. evaluate `num_init` uniformly random candidates; the best becomes the current point;
//   2. evaluate the current point's neighbours (every candidate one decision away) in a random
//      order; with `first_improvement` (NASLib's default, query_full_nbhd = False) move to the
//      first neighbour that is better, otherwise (`first_improvement: false`) evaluate the whole
//      neighbourhood and move to its best if that improves;
//   3. at a local optimum (no neighbour improves), restart from step 1.
// Works on any space (neighbours() is the space's one-decision move). Asynchronous use hands out
// further neighbours of the current point while results are pending. Failed, pruned and infeasible
// trials never become the current point.
#pragma once

#include <optional>

#include "core/rng.hpp"
#include "search/strategy.hpp"

namespace tandem {

struct LocalSearchOptions {
  int num_init = 10;              // NASLib nb201 defaults: num_init 10
  bool first_improvement = true;  // NASLib: query_full_nbhd False

  static LocalSearchOptions parse(const ConfigNode& options);
};

class LocalSearch final : public Strategy {
 public:
  LocalSearch(const SearchSpace& space, LocalSearchOptions options, Objective objective,
              std::uint64_t seed);
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  std::string state() const override;

  const std::optional<Candidate>& current() const { return current_; }
  int restarts() const { return restarts_; }

 private:
  void move_to(const Candidate& candidate, double fitness);
  void restart();

  const SearchSpace& space_;
  LocalSearchOptions options_;
  Objective objective_;
  Rng rng_;
  // Initial phase: samples asked and told so far, and the best told.
  int init_asked_ = 0;
  int init_told_ = 0;
  std::optional<Candidate> best_init_;
  double best_init_fitness_ = 0.0;
  // Neighbourhood phase.
  std::optional<Candidate> current_;
  double current_fitness_ = 0.0;
  std::vector<Candidate> queue_;     // neighbours not yet asked (asked from the back)
  std::vector<Candidate> pending_;   // neighbours asked, not yet told
  std::optional<Candidate> best_neighbour_;
  double best_neighbour_fitness_ = 0.0;
  int restarts_ = 0;
  long long asked_ = 0;
};

void register_local_search(StrategyRegistry& registry);

}  // namespace tandem
