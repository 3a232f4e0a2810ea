// BANANAS — White, Neiswanger, Savani, "BANANAS: Bayesian Optimization with Neural Architectures
// for Neural Architecture Search", AAAI 2021; procedure and defaults as the official code,
// naszilla/naszilla: nas_algorithms.py bananas(), nas_benchmarks.py get_candidates(),
// nas_bench_201/cell_201.py mutate(), acquisition_functions.py acq_fn(), params.py:
//   1. evaluate num_init = 10 distinct random architectures;
//   2. each round: fit the predictor (default `mlp_ensemble`, 5 networks) on the path encodings of
//      every evaluated architecture; build candidates by mutating the best evaluated ones
//      (get_candidates, acq_opt_type 'mutation'): take the num_arches_to_mutate × patience_factor
//      (1 × 5) best; for each, while fewer than num_candidates (100) candidates exist, make
//      num_candidates / num_arches_to_mutate / max_mutation_rate mutants at each rate
//      1..max_mutation_rate and keep those never evaluated nor already candidates;
//      mutation (cell_201 mutate, 'adj'): every decision changes, with probability
//      rate / (#decisions − 2) (1/4 on nb201's 6 edges), to a different value chosen uniformly;
//   3. score candidates by the acquisition — independent Thompson sampling (`its`, default): one
//      draw from N(mean, std) of the ensemble per candidate; or `ucb`: mean + ucb_beta · std
//      (ucb_beta 0.5) — and evaluate the best queries_per_round = 10; repeat.
// tandem maximises the oriented fitness (naszilla minimises validation loss; the orderings agree).
// Round and ask/tell bookkeeping: predictor_guided.hpp.
#pragma once

#include "search/model_based/predictor_guided.hpp"

namespace tandem {

enum class Acquisition { independent_thompson, upper_confidence_bound };

struct BananasOptions {
  PredictorGuidedOptions common;
  Acquisition acquisition = Acquisition::independent_thompson;
  double ucb_beta = 0.5;     // naszilla explore_factor
  int num_candidates = 100;  // get_candidates num
  int num_arches_to_mutate = 1;
  int max_mutation_rate = 1;
  int patience_factor = 5;

  static BananasOptions parse(const ConfigNode& options);
};

// naszilla's mutation: each decision changes with probability rate / (#decisions − 2) (rate /
// #decisions for spaces of at most 2 decisions; capped at 1) to a uniformly chosen different
// value. May return the candidate unchanged (no decision drawn); an invalid result (a space with
// extra constraints) is returned as is and rejected by the caller.
Candidate bananas_mutate(const SearchSpace& space, const Candidate& candidate, int rate, Rng& rng);

// Indices of `mean`/`stddev` ordered best first by the acquisition (stable: ties keep index
// order). ITS draws one normal variate per index, in index order, from `rng`.
std::vector<std::size_t> acquisition_order(const Eigen::VectorXd& mean,
                                           const Eigen::VectorXd& stddev, Acquisition acquisition,
                                           double ucb_beta, Rng& rng);

class Bananas final : public PredictorGuidedSearch {
 public:
  Bananas(const SearchSpace& space, BananasOptions options, Objective objective,
          std::uint64_t seed);

  // The candidate pool of get_candidates(): mutants of the best evaluated candidates, distinct
  // and never seen. Public for tests.
  std::vector<Candidate> mutation_candidates();

 protected:
  std::vector<Candidate> propose(std::size_t count) override;

 private:
  BananasOptions bananas_options_;
};

void register_bananas(StrategyRegistry& registry);

}  // namespace tandem
