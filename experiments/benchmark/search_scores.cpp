// Scores of the search benchmark (see search_scores.hpp).
#include "experiments/benchmark/search_scores.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/students_t.hpp>

namespace tandem {

ObjectiveVector front_reference_point(const ExactFront& front) {
  const std::size_t k = front.objectives.size();
  ObjectiveVector reference(k, 0.0);
  for (std::size_t j = 0; j < k; ++j) {
    const Objective& objective = front.objectives[j];
    if (objective.reference) {
      reference[j] = objective.minimize ? *objective.reference : -*objective.reference;
      continue;
    }
    double ideal = INFINITY, nadir = -INFINITY;
    for (const auto& point : front.points) {
      ideal = std::min(ideal, point[j]);
      nadir = std::max(nadir, point[j]);
    }
    double range = nadir - ideal;
    if (!(range > 0)) range = std::abs(nadir) > 0 ? std::abs(nadir) : 1.0;
    reference[j] = nadir + 0.1 * range;
  }
  return reference;
}

double front_recovered(const std::vector<ObjectiveVector>& found, const ExactFront& front) {
  if (front.points.empty()) return NAN;
  auto close = [](double a, double b) {
    return std::abs(a - b) <= 1e-9 * std::max({std::abs(a), std::abs(b), 1e-300});
  };
  std::size_t hit = 0;
  for (const auto& point : front.points) {
    bool matched = false;
    for (const auto& candidate : found) {
      if (candidate.size() != point.size()) continue;
      bool same = true;
      for (std::size_t j = 0; j < point.size() && same; ++j) same = close(candidate[j], point[j]);
      if (same) {
        matched = true;
        break;
      }
    }
    hit += matched;
  }
  return static_cast<double>(hit) / static_cast<double>(front.points.size());
}

double student_t_975(std::size_t df) {
  if (df == 0) return NAN;
  return boost::math::quantile(boost::math::students_t(static_cast<double>(df)), 0.975);
}

SeedSummary summarize(const std::vector<double>& values) {
  SeedSummary out;
  out.n = values.size();
  if (values.empty()) {
    out.mean = out.std = out.low = out.high = NAN;
    return out;
  }
  double sum = 0;
  for (double v : values) sum += v;
  out.mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - out.mean) * (v - out.mean);
  if (values.size() < 2) {
    out.std = 0;
    out.low = out.high = NAN;
    return out;
  }
  out.std = std::sqrt(squares / static_cast<double>(values.size() - 1));
  const double half = student_t_975(values.size() - 1) * out.std /
                      std::sqrt(static_cast<double>(values.size()));
  out.low = out.mean - half;
  out.high = out.mean + half;
  return out;
}

double random_search_expected_truth(const std::vector<SpaceValue>& space, long long budget) {
  if (space.empty() || budget < 1) return NAN;
  std::vector<const SpaceValue*> ranked;
  for (const auto& value : space)
    if (value.fitness) ranked.push_back(&value);
  if (ranked.empty()) return NAN;
  std::sort(ranked.begin(), ranked.end(),
            [](const SpaceValue* a, const SpaceValue* b) { return *a->fitness < *b->fitness; });
  const double total = static_cast<double>(space.size());
  const double b = static_cast<double>(budget);
  double below = static_cast<double>(space.size() - ranked.size());  // never best: no fitness
  const double none = std::pow(below / total, b);
  double expected = 0;
  for (std::size_t begin = 0; begin < ranked.size();) {
    std::size_t end = begin + 1;
    while (end < ranked.size() && *ranked[end]->fitness == *ranked[begin]->fitness) ++end;
    double truth = 0;
    for (std::size_t i = begin; i < end; ++i) truth += ranked[i]->truth;
    truth /= static_cast<double>(end - begin);
    const double at_most = below + static_cast<double>(end - begin);
    expected += (std::pow(at_most / total, b) - std::pow(below / total, b)) * truth;
    below = at_most;
    begin = end;
  }
  return expected / (1 - none);
}

}  // namespace tandem
