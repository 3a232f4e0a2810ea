// ParEGO's scalarisation and the expected improvement (see scalarization.hpp).
#include "search/model_based/scalarization.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>

#include "core/error.hpp"

namespace tandem {

std::vector<std::vector<double>> simplex_lattice(std::size_t objectives, int divisions) {
  TANDEM_ASSERT(objectives >= 1 && divisions >= 1);
  std::vector<std::vector<double>> out;
  std::vector<int> parts(objectives, 0);
  // Compositions of `divisions` into `objectives` parts >= 0, first part slowest.
  std::function<void(std::size_t, int)> fill = [&](std::size_t index, int left) {
    if (index + 1 == objectives) {
      parts[index] = left;
      std::vector<double> lambda(objectives);
      for (std::size_t j = 0; j < objectives; ++j)
        lambda[j] = static_cast<double>(parts[j]) / static_cast<double>(divisions);
      out.push_back(std::move(lambda));
      return;
    }
    for (int value = 0; value <= left; ++value) {
      parts[index] = value;
      fill(index + 1, left - value);
    }
  };
  fill(0, divisions);
  return out;
}

int parego_divisions(std::size_t objectives) {
  switch (objectives) {
    case 2:
      return 10;
    case 3:
      return 4;
    case 4:
      return 5;
    default:
      return 0;
  }
}

ObjectiveRanges ObjectiveRanges::of(const std::vector<std::vector<double>>& points) {
  ObjectiveRanges out;
  for (const auto& point : points) {
    if (out.min.empty()) {
      out.min = out.max = point;
      continue;
    }
    TANDEM_ASSERT(point.size() == out.min.size());
    for (std::size_t j = 0; j < point.size(); ++j) {
      out.min[j] = std::min(out.min[j], point[j]);
      out.max[j] = std::max(out.max[j], point[j]);
    }
  }
  return out;
}

std::vector<double> ObjectiveRanges::normalise(const std::vector<double>& point) const {
  TANDEM_ASSERT(point.size() == min.size());
  std::vector<double> out(point.size(), 0.0);
  for (std::size_t j = 0; j < point.size(); ++j) {
    const double range = max[j] - min[j];
    out[j] = range > 0.0 ? (point[j] - min[j]) / range : 0.0;
  }
  return out;
}

double augmented_tchebycheff(const std::vector<double>& normalised,
                             const std::vector<double>& lambda, double rho) {
  TANDEM_ASSERT(normalised.size() == lambda.size() && !lambda.empty());
  double largest = -INFINITY, sum = 0.0;
  for (std::size_t j = 0; j < lambda.size(); ++j) {
    const double weighted = lambda[j] * normalised[j];
    largest = std::max(largest, weighted);
    sum += weighted;
  }
  return largest + rho * sum;
}

double expected_improvement(double mean, double stddev, double best) {
  const double gain = best - mean;
  if (!(stddev > 0.0)) return std::max(gain, 0.0);
  const double z = gain / stddev;
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
  return gain * cdf + stddev * pdf;
}

}  // namespace tandem
