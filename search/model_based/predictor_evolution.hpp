// Predictor-based evolutionary search, FBNetV3-style — Dai et al., "FBNetV3: Joint
// Architecture-Recipe Search using Predictor Pretraining", CVPR 2021: fit an accuracy predictor
// on the architectures evaluated so far, run a many-generation evolutionary search on the
// PREDICTOR (cheap: no training), evaluate the top predicted candidates for real, refit, repeat.
// The paper's search details are UNVERIFIED (algorithms.md §12.3: paper only, abstract read), so
// every choice below is an option with a documented default:
//   - population_size (100) individuals: the best evaluated candidates (up to half the
//     population) plus uniformly random ones, scored by the predictor;
//   - each of `generations` (30): population_size children, each from a tournament-selected
//     parent (tournament_size 5), with probability crossover_rate (0.5) uniformly crossed with a
//     second tournament winner, then mutated in one decision (SearchSpace::mutate); the
//     population becomes the best population_size distinct individuals of parents ∪ children
//     (elitist (μ + λ) selection);
//   - score = predicted mean + explore · predicted std (explore 0: pure exploitation, as FBNetV3's
//     search on its predictor; > 0 rewards the uncertainty of ensembles and GPs);
//   - the round hands out the queries_per_round best-scored individuals ever created in the round
//     that were never evaluated.
// The predictor is any registered one (`predictor`, default mlp_ensemble); FBNetV3's pretraining
// on free statistics belongs to the predictor. Round and ask/tell bookkeeping:
// predictor_guided.hpp.
#pragma once

#include "search/model_based/predictor_guided.hpp"

namespace tandem {

struct PredictorEvolutionOptions {
  PredictorGuidedOptions common;
  int population_size = 100;
  int generations = 30;
  int tournament_size = 5;
  double crossover_rate = 0.5;
  double explore = 0.0;

  static PredictorEvolutionOptions parse(const ConfigNode& options);
};

class PredictorEvolution final : public PredictorGuidedSearch {
 public:
  PredictorEvolution(const SearchSpace& space, PredictorEvolutionOptions options,
                     Objective objective, std::uint64_t seed);

  // Predictor calls made in the last round's evolutionary search (candidates scored).
  std::size_t last_round_scored() const { return last_round_scored_; }

 protected:
  std::vector<Candidate> propose(std::size_t count) override;

 private:
  PredictorEvolutionOptions evolution_options_;
  std::size_t last_round_scored_ = 0;
};

void register_predictor_evolution(StrategyRegistry& registry);

}  // namespace tandem
