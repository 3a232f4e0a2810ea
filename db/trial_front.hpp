// The Pareto front and the hypervolume of stored trials: shared by the trial loop (which stores
// the experiment's hypervolume), `tandem trials --pareto/--summary` and the benchmarks.
// The multi-objective primitives themselves are in core/pareto.hpp.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "core/objective.hpp"
#include "db/trial_store.hpp"

namespace tandem {

// The complete trials that no other complete trial dominates on `objectives` (trials lacking one
// of the metrics are left out), best first by the first objective.
std::vector<TrialRecord> pareto_trials(const std::vector<TrialRecord>& trials,
                                       const std::vector<Objective>& objectives);

// Hypervolume of the complete trials on `objectives` (all minimised internally). The reference
// point is `reference` (in the metrics' own units and directions) when given, else the worst
// value of each objective over the complete trials ("worst observed"; trials at the worst value
// of an objective then add no volume). `used` receives the reference point in metric units.
// nullopt when no complete trial has every metric.
std::optional<double> experiment_hypervolume(const std::vector<TrialRecord>& trials,
                                             const std::vector<Objective>& objectives,
                                             const std::optional<std::vector<double>>& reference,
                                             std::vector<double>* used = nullptr);

// The hypervolume as the search went on: (trial number, hypervolume of the complete trials up to
// that number) at up to `max_points` evenly spaced trials, the last trial included. The reference
// point is the one experiment_hypervolume uses for all `trials`, fixed over the history so the
// curve never decreases. Empty when no complete trial has every metric.
std::vector<std::pair<int, double>> hypervolume_history(
    const std::vector<TrialRecord>& trials, const std::vector<Objective>& objectives,
    const std::optional<std::vector<double>>& reference, std::size_t max_points = 200);

}  // namespace tandem
