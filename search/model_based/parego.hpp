// ParEGO — Knowles, "ParEGO: a hybrid algorithm with on-line landscape approximation for expensive
// multiobjective optimization problems", IEEE TEVC 10(1):50-66, 2006 — on a space's categorical
// decisions with tandem's learned predictors. Procedure (paper section III; Knowles' reference C
// code, parego.cc iterate_ParEGO, where the paper leaves details open):
//   1. evaluate `num_init` distinct uniformly random candidates;
//   2. each iteration draws one weight vector lambda uniformly from the simplex lattice
//      {lambda : sum lambda_j = 1, lambda_j in {0, 1/s, ..., 1}} (`divisions` s: 10 for 2
//      objectives, 11 vectors, and 4 for 3, 15 vectors, as the paper; 5 for 4 objectives, 56
//      vectors, as zhandawei/ParEGO — the paper has no 4-objective case);
//   3. normalises every minimised objective to [0, 1] by the minimum and maximum observed so far
//      and scalarises each evaluated point by the augmented Tchebycheff function
//      f_lambda = max_j(lambda_j f_j) + rho sum_j lambda_j f_j, `rho` = 0.05 (paper eq. 2);
//   4. fits the surrogate (`predictor`) to (encoding, f_lambda), refitted from scratch: with more
//      than `max_train_points` evaluated (default 11d + 24, d = number of decisions, the
//      reference code's limit), on the best half by f_lambda plus the rest drawn at random from
//      the others, as the reference code;
//   5. evaluates the candidate of largest expected improvement below the best f_lambda (Jones,
//      Schonlau, Welch 1998, with the predictor's mean and standard deviation); repeat from 2.
// Deviations (tandem's spaces are categorical, its surrogates any registered predictor):
//   * initial design: `num_init` (default 10) uniformly random distinct candidates instead of the
//     paper's 11d - 1 Latin-hypercube points (11d - 1 = 142 on the 13-decision NB201 x systolic
//     space would spend half of a 300-evaluation budget);
//   * the EI is maximised over a candidate pool instead of the paper's evolutionary algorithm on
//     the real-valued surrogate: BANANAS mutants (bananas_mutate; White et al. AAAI 2021) of the
//     `num_parents` (5) best points by f_lambda — the reference code seeds its EA with mutants of
//     the 5 best — `num_candidates` (100) in all, at rates 1..`max_mutation_rate` (1); the
//     one-point crossovers at every cut of `num_crossovers` (0) pairs of a best point and a
//     non-dominated one (the EA's recombination; no gain measured on the co-design benchmark);
//     and `num_random` (20) uniformly random candidates (the EA's random population of 20). A
//     candidate evaluated, pending or already chosen is never in the pool;
//   * normalisation uses the observed ranges (the paper: known or estimated limits; PlatEMO's and
//     zhandawei's ParEGO use the observed ones), taken over feasible points (see constraints);
//   * the surrogate is `predictor`, by default `mlp_ensemble` with 3 members of 2 x 20 units
//     trained 30 epochs (about 10 ms a round at 167 training points) instead of the paper's DACE
//     model (a GP with one lengthscale and exponent per variable): on the NB201 x systolic
//     benchmark it matches tandem's `gp` (hypervolume ratio 0.79 against 0.75 at 300
//     evaluations, 10 seeds) in a twelfth of the time (`gp` searches its lengthscale and noise
//     by marginal likelihood at every fit); docs/strategies.md has the figures. A predictor
//     without a std (ridge,
//     xgboost) gives EI = max(best - mean, 0); candidates of equal EI (all zero then) are ranked
//     by the lower predicted mean, so such predictors select by their prediction;
//   * batches: `queries_per_round` q > 1 draws one lambda per query and fits one surrogate per
//     lambda (qParEGO, Daulton et al. NeurIPS 2020, likewise draws one scalarisation per
//     candidate); a round waits for all q results (predictor_guided.hpp). The paper is
//     sequential (q = 1, the default).
// Constraints: INFEASIBLE trials keep their metrics and enter the model through Deb's penalty
// (Deb, "An efficient constraint handling method for genetic algorithms", CMAME 186, 2000): their
// f_lambda is the worst feasible f_lambda plus their constraint violation (core/pareto.hpp,
// relative to the bound), capped at 1 so that a far-off point does not dwarf the feasible targets
// (an unparsed violation counts 1). Every feasible point thus ranks above every infeasible one and
// infeasible ones rank by violation, as nsga2's constrained domination; with no feasible point yet
// f_lambda is the capped violation. Normalisation ranges and the EI incumbent come from the
// feasible points. FAILED and PRUNED trials, and results missing an objective, never enter it.
// Determinism: lambdas, subsets, predictor seeds and pools come from the strategy's one Rng;
// state() adds the last round's lambda indices and a 64-bit digest of the modelled points
// (candidates, objectives, violations) to predictor_guided's.
// Works with 2 to 4 objectives (all of StrategyContext::objectives).
#pragma once

#include "core/pareto.hpp"
#include "search/model_based/predictor_guided.hpp"

namespace tandem {

struct ParegoOptions {
  PredictorGuidedOptions common;  // num_init 10, queries_per_round 1, encoding auto, mlp_ensemble
  double rho = 0.05;              // paper: rho = 0.05
  int divisions = 0;              // s; 0 = the paper's per number of objectives
  int max_train_points = 0;       // 0 = 11d + 24 (d = number of decisions), the reference code
  int num_parents = 5;            // reference code: EA seeded with mutants of the 5 best
  int num_candidates = 100;       // mutants per query (BANANAS num_candidates)
  int max_mutation_rate = 1;      // BANANAS max_mutation_rate
  int num_crossovers = 0;         // parent pairs recombined at every cut (the EA's crossover)
  int num_random = 20;            // reference code: EA population of 20 random points

  static ParegoOptions parse(const ConfigNode& options);
};

class Parego final : public PredictorGuidedSearch {
 public:
  Parego(const SearchSpace& space, ParegoOptions options, std::vector<Objective> objectives,
         std::uint64_t seed);

  void tell(const Candidate& candidate, const TrialResult& result) override;

  // One evaluated point the model learns from: a COMPLETE result with every objective, or an
  // INFEASIBLE one (its objectives, possibly empty, and its violation).
  struct Point {
    Candidate candidate;
    bool feasible = true;
    ObjectiveVector objectives;  // minimised; empty for an infeasible result missing one
    double violation = 0.0;
  };
  const std::vector<Point>& points() const { return points_; }
  const std::vector<std::vector<double>>& weights() const { return weights_; }
  // f_lambda of every point (index-aligned with points()), the penalty included.
  std::vector<double> scalarised(const std::vector<double>& lambda) const;
  // The pool one query scores: mutants of the best points by `targets`, then random unseen ones;
  // none in `excluded`. Public for tests.
  std::vector<Candidate> candidate_pool(const std::vector<double>& targets,
                                        const std::set<Candidate>& excluded);
  // The indices of the training subset for `targets`: all when they fit, else the best half and
  // a random draw from the others (ascending). Public for tests.
  std::vector<std::size_t> training_subset(const std::vector<double>& targets);

 protected:
  std::vector<Candidate> propose(std::size_t count) override;
  std::string extra_state() const override;

 private:
  std::optional<Candidate> propose_one(const std::vector<double>& lambda,
                                       const std::set<Candidate>& taken);

  ParegoOptions parego_options_;
  std::vector<Objective> objectives_;
  std::vector<std::vector<double>> weights_;  // the simplex lattice
  std::size_t max_train_points_ = 0;
  std::vector<Point> points_;
  std::vector<std::size_t> last_weights_;  // indices of the lambdas of the last round
};

void register_parego(StrategyRegistry& registry);

}  // namespace tandem
