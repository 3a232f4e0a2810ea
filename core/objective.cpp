// Objective helpers: orientation of a result and the METRIC:min|max list parser.
#include "core/objective.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

std::optional<double> oriented_value(const TrialResult& result, const Objective& objective) {
  if (result.status != TrialStatus::complete) return std::nullopt;
  auto value = result.metrics.find(objective.metric);
  if (!value || std::isnan(*value)) return std::nullopt;
  return objective.minimize ? -*value : *value;
}

std::vector<Objective> parse_objective_list(const std::string& text, const std::string& what) {
  std::vector<Objective> out;
  for (const auto& raw : split(text, ',')) {
    const std::string item = trim(raw);
    const auto colon = item.rfind(':');
    const std::string direction = colon == std::string::npos ? "" : item.substr(colon + 1);
    if (colon == std::string::npos || colon == 0 || (direction != "min" && direction != "max"))
      throw Error(what + " '" + text + "': item '" + item +
                  "' needs a metric and its direction, METRIC:min or METRIC:max (e.g. "
                  "accuracy:max,latency_ms:min)");
    out.push_back(Objective{item.substr(0, colon), direction == "min", {}});
  }
  return out;
}

}  // namespace tandem
