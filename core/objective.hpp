// Objective: one metric and its direction (METRIC:min / METRIC:max), shared by strategies, the
// trial loop, the database summaries, the CLI and the benchmarks. The one parser of the
// "METRIC:min|max" text form lives here, so every user of objectives reads them the same way.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/trial.hpp"

namespace tandem {

struct Objective {
  Objective() = default;
  Objective(std::string metric_name, bool minimized, std::optional<double> reference_point = {})
      : metric(std::move(metric_name)), minimize(minimized), reference(reference_point) {}

  std::string metric;
  bool minimize = false;
  // Hypervolume reference point for this objective, in the metric's units (optional).
  std::optional<double> reference;
  std::string to_string() const { return metric + (minimize ? ":min" : ":max"); }
};

// Fitness of a result for one objective, oriented so that larger is better; nullopt when the trial
// did not complete or lacks the metric (or it is NaN).
std::optional<double> oriented_value(const TrialResult& result, const Objective& objective);

// Parses "METRIC:min|max,METRIC:min|max,..." (the --pareto argument); every metric needs its
// direction. Errors name the bad item and `what` (e.g. "--pareto").
std::vector<Objective> parse_objective_list(const std::string& text, const std::string& what);

}  // namespace tandem
