// sharpDARTS Cosine Power Annealing (ahundt/sharpDARTS cnn/cosine_power_annealing.py); see the
// header for the formula.
#include "search/oneshot/darts/cosine_power_annealing.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "core/error.hpp"

namespace tandem {

std::vector<double> cosine_power_annealing(const CosinePowerAnnealingOptions& o) {
  if (o.epochs < 1)
    throw ConfigError("cosine power annealing: epochs must be >= 1, got " +
                      std::to_string(o.epochs));
  if (!(o.power >= 1.0))
    throw ConfigError("cosine power annealing: the exponent order (power) must be >= 1, got " +
                      std::to_string(o.power));
  if (o.warmup_epochs < 0 || o.warmup_epochs >= o.epochs)
    throw ConfigError("cosine power annealing: warmup_epochs must be in [0, epochs = " +
                      std::to_string(o.epochs) + "), got " + std::to_string(o.warmup_epochs));
  const int shift = o.warmup_epochs;
  const double span = static_cast<double>(o.epochs - shift);
  std::vector<double> q(static_cast<std::size_t>(o.epochs));
  for (int e = 1; e <= o.epochs; ++e) {
    const double c =
        (1.0 + std::cos(std::numbers::pi * static_cast<double>(e - shift) / span)) / 2.0;
    q[static_cast<std::size_t>(e - 1)] = o.power == 1.0 ? c : std::pow(o.power, c + 1.0);
  }
  const double low = *std::min_element(q.begin(), q.end());
  for (double& v : q) v -= low;
  const double high = *std::max_element(q.begin(), q.end());
  for (double& v : q) v = high > 0.0 ? v / high : 1.0;
  if (shift > 0)
    for (int e = 1; e <= std::min(shift + 1, o.epochs); ++e)
      q[static_cast<std::size_t>(e - 1)] = static_cast<double>(e) / static_cast<double>(shift + 1);
  for (double& v : q) v = v * (o.max_lr - o.min_lr) + o.min_lr;
  return q;
}

CosinePowerAnnealing::CosinePowerAnnealing(const CosinePowerAnnealingOptions& options)
    : values_(cosine_power_annealing(options)) {}

double CosinePowerAnnealing::learning_rate(std::int64_t t) const {
  const std::int64_t last = static_cast<std::int64_t>(values_.size()) - 1;
  return values_[static_cast<std::size_t>(std::clamp<std::int64_t>(t, 0, last))];
}

}  // namespace tandem
