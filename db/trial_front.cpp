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

std::vector<std::pair<int, double>> hypervolume_history(
    const std::vector<TrialRecord>& trials, const std::vector<Objective>& objectives,
    const std::optional<std::vector<double>>& reference, std::size_t max_points) {
  std::vector<std::pair<int, double>> history;
  std::vector<double> used;
  if (trials.empty() || max_points == 0 ||
      !experiment_hypervolume(trials, objectives, reference, &used))
    return history;
  ObjectiveVector minimised_reference(objectives.size());
  for (std::size_t m = 0; m < objectives.size(); ++m)
    minimised_reference[m] = objectives[m].minimize ? used[m] : -used[m];

  std::vector<const TrialRecord*> ordered;
  for (const auto& trial : trials) ordered.push_back(&trial);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const TrialRecord* a, const TrialRecord* b) { return a->number < b->number; });
  const std::size_t n = ordered.size();
  const std::size_t points = std::min(max_points, n);
  std::vector<ObjectiveVector> front;  // non-dominated complete points so far
  double volume = 0.0;
  bool changed = false;
  std::size_t next_checkpoint = 0;  // checkpoint k is at index floor((k + 1) * n / points) - 1
  for (std::size_t i = 0; i < n; ++i) {
    const TrialRecord& trial = *ordered[i];
    if (trial.state == TrialStatus::complete) {
      if (auto point = minimised_objectives(TrialResult{trial.state, trial.values, trial.reason},
                                            objectives)) {
        bool dominated = false;
        for (const auto& member : front)
          if (dominates(member, *point) || member == *point) { dominated = true; break; }
        if (!dominated) {
          std::erase_if(front, [&](const ObjectiveVector& member) {
            return dominates(*point, member);
          });
          front.push_back(*point);
          changed = true;
        }
      }
    }
    if (i + 1 == (next_checkpoint + 1) * n / points) {
      if (changed) volume = hypervolume(front, minimised_reference);
      changed = false;
      history.emplace_back(trial.number, volume);
      ++next_checkpoint;
    }
  }
  return history;
}

}  // namespace tandem
