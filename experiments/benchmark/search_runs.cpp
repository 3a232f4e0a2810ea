// In-process strategy runs of the search benchmark (see search_runs.hpp).
#include "experiments/benchmark/search_runs.hpp"

#include <algorithm>

namespace tandem {

const TrialResult& CachedEvaluation::operator()(const Candidate& candidate) {
  auto found = cache_.find(candidate);
  if (found != cache_.end()) return found->second;
  NullReporter reporter;
  return cache_.emplace(candidate, experiment_.evaluate(candidate, reporter)).first->second;
}

RunTrace run_strategy(const Experiment& experiment, const ComponentConfig& strategy,
                      std::uint64_t seed, long long budget, CachedEvaluation& evaluate) {
  StrategyContext context{experiment.space(), strategy.options, seed,
                          experiment.config().objectives, experiment.config().directory,
                          experiment.constraints()};
  std::unique_ptr<Strategy> search = strategy_registry().create(strategy.name, context);
  RunTrace trace;
  while (static_cast<long long>(trace.results.size()) < budget && !search->finished()) {
    std::vector<Candidate> asked = search->ask(1);
    if (asked.empty()) break;
    const TrialResult& result = evaluate(asked.front());
    search->tell(asked.front(), result);
    trace.results.push_back(result);
  }
  return trace;
}

namespace {
std::size_t first(const RunTrace& trace, long long budget) {
  return std::min<std::size_t>(trace.results.size(), static_cast<std::size_t>(budget));
}
}  // namespace

std::optional<double> best_truth(const RunTrace& trace, long long budget,
                                 const Objective& objective, const std::string& truth) {
  std::optional<double> best, reported;
  for (std::size_t i = 0; i < first(trace, budget); ++i) {
    auto value = oriented_value(trace.results[i], objective);
    if (value && (!best || *value > *best)) {
      best = value;
      reported = trace.results[i].metrics.find(truth);
    }
  }
  return reported;
}

std::optional<double> best_fitness(const RunTrace& trace, long long budget,
                                   const Objective& objective) {
  std::optional<double> best;
  for (std::size_t i = 0; i < first(trace, budget); ++i) {
    auto value = oriented_value(trace.results[i], objective);
    if (value && (!best || *value > *best)) best = value;
  }
  return best;
}

std::vector<ObjectiveVector> complete_points(const RunTrace& trace, long long budget,
                                             const std::vector<Objective>& objectives) {
  std::vector<ObjectiveVector> points;
  for (std::size_t i = 0; i < first(trace, budget); ++i) {
    if (trace.results[i].status != TrialStatus::complete) continue;
    if (auto point = minimised_objectives(trace.results[i], objectives)) points.push_back(*point);
  }
  return points;
}

}  // namespace tandem
