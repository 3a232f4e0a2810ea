// The pieces of ParEGO (Knowles, "ParEGO: a hybrid algorithm with on-line landscape approximation
// for expensive multiobjective optimization problems", IEEE TEVC 10(1), 2006, section III) that
// turn several minimised objectives into one, and the expected improvement (Jones, Schonlau, Welch,
// "Efficient global optimization of expensive black-box functions", J. Global Optim. 13, 1998,
// eq. 15) that ParEGO maximises on its surrogate. Used by search/model_based/parego.hpp.
#pragma once

#include <cstddef>
#include <vector>

namespace tandem {

// Every weight vector of the simplex lattice {lambda : sum_j lambda_j = 1, lambda_j in {0, 1/s,
// ..., s/s}} for `objectives` k >= 1 and `divisions` s >= 1: C(s + k - 1, k - 1) vectors, in
// lexicographic order of (s lambda_1, ..., s lambda_k) (the first is (0, ..., 0, 1)).
std::vector<std::vector<double>> simplex_lattice(std::size_t objectives, int divisions);

// ParEGO's s per number of objectives: 10 for 2 (11 vectors) and 4 for 3 (15 vectors), as the
// paper; the paper has no 4-objective case: 5 (56 vectors, the count zhandawei/ParEGO uses
// beyond 3 objectives). 0 for other counts.
int parego_divisions(std::size_t objectives);

// Per-objective minimum and maximum of `points` (each of the same length; none when empty), and
// the map to [0, 1]: (f - min) / (max - min), 0 for an objective whose range is zero.
struct ObjectiveRanges {
  std::vector<double> min, max;
  static ObjectiveRanges of(const std::vector<std::vector<double>>& points);
  std::vector<double> normalise(const std::vector<double>& point) const;
};

// The augmented Tchebycheff function max_j(lambda_j f_j) + rho sum_j lambda_j f_j of a normalised,
// minimised objective vector (ParEGO eq. 2; lower is better).
double augmented_tchebycheff(const std::vector<double>& normalised,
                             const std::vector<double>& lambda, double rho);

// Expected improvement below `best` of a normal prediction N(mean, stddev^2), for minimisation:
// (best - mean) Phi(z) + stddev phi(z), z = (best - mean) / stddev; max(best - mean, 0) when
// stddev is 0 (a model without uncertainty).
double expected_improvement(double mean, double stddev, double best);

}  // namespace tandem
