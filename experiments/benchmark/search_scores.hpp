// The scores `tandem bench search` reports (docs/benchmarks.md):
//   multi-objective: the hypervolume ratio of a run's complete trials to the exact front
//     (exact_front.hpp), with the front's reference point, and the fraction of the exact front's
//     points a run found;
//   single objective: the expected reported truth of random search computed exactly from the
//     whole space's values (an oracle bound without sampling noise);
//   both: mean, sample standard deviation and the 95 % Student-t interval of the mean over seeds.
#pragma once

#include <optional>
#include <vector>

#include "core/pareto.hpp"
#include "experiments/benchmark/exact_front.hpp"

namespace tandem {

// The hypervolume reference point (minimised) for scoring against `front`: per objective the
// config's `reference` when given, else the front's nadir pushed out by a tenth of the front's
// range, nadir + 0.1 (nadir - ideal) (the range is |nadir|, or 1, when the front is one value).
ObjectiveVector front_reference_point(const ExactFront& front);

// Fraction of the front's distinct points that `found` (minimised vectors) attains, each within a
// relative 1e-9 in every coordinate (figures of the front are exact up to summation order).
double front_recovered(const std::vector<ObjectiveVector>& found, const ExactFront& front);

// The 0.975 quantile of Student's t distribution with `df` >= 1 degrees of freedom (Boost.Math).
double student_t_975(std::size_t df);

struct SeedSummary {
  std::size_t n = 0;
  double mean = 0, std = 0;     // NaN when n == 0; std 0 when n == 1
  double low = 0, high = 0;     // mean -+ t(0.975, n-1) std / sqrt(n); NaN when n < 2
};
SeedSummary summarize(const std::vector<double>& values);

// One candidate of the whole space: its objective oriented so larger is better and the metric
// reported for the best trial; nullopt objective = never a best trial (failed, missing).
struct SpaceValue {
  std::optional<double> fitness;
  double truth = 0;
};
// E[truth of the best-by-fitness of `budget` independent uniform draws from `space`], ties won by
// the first draw (uniform among the tied), conditioned on at least one draw having a fitness:
// sum over fitness levels g of (F(g)^b - F(g-)^b) * mean truth at g, / (1 - q^b) where F is the
// fraction of the space at or below g and q the fraction without fitness. Exact.
double random_search_expected_truth(const std::vector<SpaceValue>& space, long long budget);

}  // namespace tandem
