// The pruner factory and helpers shared by the pruners (see pruner.hpp).
#include "experiments/pruners/pruner.hpp"

#include <cstdio>

#include "core/error.hpp"

namespace tandem {

std::optional<int> PrunerTrial::last_step() const {
  if (values.empty()) return std::nullopt;
  return values.rbegin()->first;
}

std::unique_ptr<Pruner> make_pruner(const PrunerOptions& options, const std::string& experiment,
                                    std::uint64_t seed) {
  if (options.name == "median") return make_median_pruner(options);
  if (options.name == "successive_halving") return make_successive_halving_pruner(options);
  if (options.name == "hyperband") return make_hyperband_pruner(options, experiment);
  if (options.name == "learning_curve") return make_learning_curve_pruner(options, seed);
  throw InternalError("make_pruner: unknown pruner '" + options.name + "' passed validation");
}

std::string format_short(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

std::optional<int> largest_completed_step(const std::vector<const PrunerTrial*>& peers) {
  std::optional<int> largest;
  for (const PrunerTrial* peer : peers) {
    if (peer->state != TrialStatus::complete) continue;
    if (auto step = peer->last_step(); step && (!largest || *step > *largest)) largest = step;
  }
  return largest;
}

}  // namespace tandem
