// Multi-objective primitives shared by NSGA-II, `tandem trials --pareto` and the search benchmark:
// Pareto dominance, Deb's constrained domination, fast non-dominated sorting, crowding distance
// (Deb, Pratap, Agarwal, Meyarivan, "A fast and elitist multiobjective genetic algorithm: NSGA-II",
// IEEE TEVC 2002; conventions of the pymoo engine used by NSGA-Net, algorithms.md §10.1) and the
// exact hypervolume by slicing objectives (HSO: While, Hingston, Barone, Huband, "A faster
// algorithm for calculating hypervolume", IEEE TEVC 2006), exact for any number of objectives and
// fast enough for 2–4 objectives and a few thousand points.
// Every point here is MINIMISED in every coordinate; callers negate maximised objectives.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/trial.hpp"
#include "core/objective.hpp"

namespace tandem {

using ObjectiveVector = std::vector<double>;  // minimised

// a <= b everywhere and a < b somewhere.
bool dominates(const ObjectiveVector& a, const ObjectiveVector& b);

// A point with its constraint violation (0 = feasible), for Deb's constrained domination.
struct ConstrainedPoint {
  ObjectiveVector objectives;
  double violation = 0.0;
};
// Deb 2002: a feasible point beats an infeasible one; of two infeasible points the one with the
// smaller violation wins; two feasible points compare by Pareto dominance.
bool constrained_dominates(const ConstrainedPoint& a, const ConstrainedPoint& b);

// Fast non-dominated sort under constrained domination: fronts[0] holds the indices of the
// non-dominated points, fronts[1] those dominated only by fronts[0], ... (indices ascending).
std::vector<std::vector<std::size_t>> non_dominated_fronts(
    const std::vector<ConstrainedPoint>& points);

// Indices of the points no other point dominates (plain Pareto dominance), ascending.
std::vector<std::size_t> pareto_front(const std::vector<ObjectiveVector>& points);

// Crowding distance of each member of one front (`front` indexes `points`): fronts of <= 2
// points are all infinite; otherwise boundary points per objective are infinite and an interior
// point accumulates (next - previous) / (max - min) per objective (0 for a zero range); the sum is
// divided by the number of objectives and infinity is reported as 1e14 (pymoo's convention).
std::vector<double> crowding_distances(const std::vector<ObjectiveVector>& points,
                                       const std::vector<std::size_t>& front);

// Volume dominated by `points` and bounded by `reference` (minimisation). Points not strictly
// better than the reference in every coordinate contribute nothing. Exact.
double hypervolume(const std::vector<ObjectiveVector>& points, const ObjectiveVector& reference);

// The objectives of a stored or told result, minimised (maximised metrics negated); nullopt when a
// metric is missing or NaN. Unlike oriented_value() this reads any status (INFEASIBLE trials keep
// their metrics).
std::optional<ObjectiveVector> minimised_objectives(const TrialResult& result,
                                                    const std::vector<Objective>& objectives);

// The amount by which an INFEASIBLE result violates its constraint, parsed from the reason the
// trial loop writes ("constraint 'latency_ms <= 5' violated: latency_ms = 6.2"): |value - bound|
// relative to max(|bound|, 1e-12). 0 for complete results; +infinity when the reason does not
// parse (an unknown violation ranks below every known one).
double constraint_violation(const TrialResult& result);

}  // namespace tandem
