// Pareto front and hypervolume of stored trials (see trial_front.hpp).
#include "db/trial_front.hpp"

#include <algorithm>

#include "core/pareto.hpp"

namespace tandem {

namespace {

// Complete trials with every objective, and their minimised objective vectors.
void complete_points(const std::vector<TrialRecord>& trials, const std::vector<Objective>& objectives,
                     std::vector<const TrialRecord*>& records, std::vector<ObjectiveVector>& points) {
  for (const auto& trial : trials) {
    if (trial.state != TrialStatus::complete) continue;
    auto point = minimised_objectives(TrialResult{trial.state, trial.values, trial.reason}, objectives);
    if (!point) continue;
    records.push_back(&trial);
    points.push_back(*point);
  }
}

}  // namespace

std::vector<TrialRecord> pareto_trials(const std::vector<TrialRecord>& trials,
                                       const std::vector<Objective>& objectives) {
  std::vector<const TrialRecord*> records;
  std::vector<ObjectiveVector> points;
  complete_points(trials, objectives, records, points);
  std::vector<std::size_t> front = pareto_front(points);
  std::stable_sort(front.begin(), front.end(),
                   [&](std::size_t a, std::size_t b) { return points[a][0] < points[b][0]; });
  std::vector<TrialRecord> out;
  for (std::size_t i : front) out.push_back(*records[i]);
  return out;
}

std::optional<double> experiment_hypervolume(const std::vector<TrialRecord>& trials,
                                             const std::vector<Objective>& objectives,
                                             const std::optional<std::vector<double>>& reference,
                                             std::vector<double>* used) {
  std::vector<const TrialRecord*> records;
  std::vector<ObjectiveVector> points;
  complete_points(trials, objectives, records, points);
  if (points.empty()) return std::nullopt;
  ObjectiveVector minimised_reference(objectives.size());
  for (std::size_t m = 0; m < objectives.size(); ++m) {
    if (reference) {
      minimised_reference[m] = objectives[m].minimize ? (*reference)[m] : -(*reference)[m];
    } else {
      minimised_reference[m] = points[0][m];
      for (const auto& p : points) minimised_reference[m] = std::max(minimised_reference[m], p[m]);
    }
  }
  if (used) {
    used->clear();
    for (std::size_t m = 0; m < objectives.size(); ++m)
      used->push_back(objectives[m].minimize ? minimised_reference[m] : -minimised_reference[m]);
  }
  return hypervolume(points, minimised_reference);
}

}  // namespace tandem
