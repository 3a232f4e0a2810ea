// Helpers shared by the pruners (see pruner.hpp).
#include "experiments/pruners/pruner.hpp"

#include <cstdio>

namespace tandem {

std::optional<int> PrunerTrial::last_step() const {
  if (values.empty()) return std::nullopt;
  return values.rbegin()->first;
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
