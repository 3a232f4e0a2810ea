// Pareto dominance, non-dominated sorting, crowding distance and hypervolume (see pareto.hpp).
#include "core/pareto.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

bool dominates(const ObjectiveVector& a, const ObjectiveVector& b) {
  bool better = false;
  for (std::size_t m = 0; m < a.size(); ++m) {
    if (a[m] > b[m]) return false;
    if (a[m] < b[m]) better = true;
  }
  return better;
}

bool constrained_dominates(const ConstrainedPoint& a, const ConstrainedPoint& b) {
  const bool a_feasible = a.violation <= 0.0, b_feasible = b.violation <= 0.0;
  if (a_feasible && !b_feasible) return true;
  if (!a_feasible && !b_feasible) return a.violation < b.violation;
  if (!a_feasible) return false;
  return dominates(a.objectives, b.objectives);
}

std::vector<std::vector<std::size_t>> non_dominated_fronts(
    const std::vector<ConstrainedPoint>& points) {
  const std::size_t n = points.size();
  std::vector<std::vector<std::size_t>> dominated_by(n);  // i dominates these
  std::vector<int> domination_count(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      if (constrained_dominates(points[i], points[j])) {
        dominated_by[i].push_back(j);
        ++domination_count[j];
      } else if (constrained_dominates(points[j], points[i])) {
        dominated_by[j].push_back(i);
        ++domination_count[i];
      }
    }
  std::vector<std::vector<std::size_t>> fronts;
  std::vector<std::size_t> current;
  for (std::size_t i = 0; i < n; ++i)
    if (domination_count[i] == 0) current.push_back(i);
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (std::size_t i : current)
      for (std::size_t j : dominated_by[i])
        if (--domination_count[j] == 0) next.push_back(j);
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

std::vector<std::size_t> pareto_front(const std::vector<ObjectiveVector>& points) {
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < points.size() && !dominated; ++j)
      dominated = j != i && dominates(points[j], points[i]);
    if (!dominated) front.push_back(i);
  }
  return front;
}

std::vector<double> crowding_distances(const std::vector<ObjectiveVector>& points,
                                       const std::vector<std::size_t>& front) {
  constexpr double kInfinite = 1e14;
  const std::size_t n = front.size();
  if (n <= 2) return std::vector<double>(n, kInfinite);
  const std::size_t objectives = points[front[0]].size();
  std::vector<double> distance(n, 0.0);
  std::vector<bool> boundary(n, false);
  std::vector<std::size_t> order(n);
  for (std::size_t m = 0; m < objectives; ++m) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return points[front[a]][m] < points[front[b]][m];
    });
    const double low = points[front[order.front()]][m], high = points[front[order.back()]][m];
    boundary[order.front()] = boundary[order.back()] = true;
    const double range = high - low;
    if (!(range > 0) || !std::isfinite(range)) continue;
    for (std::size_t k = 1; k + 1 < n; ++k)
      distance[order[k]] +=
          (points[front[order[k + 1]]][m] - points[front[order[k - 1]]][m]) / range;
  }
  for (std::size_t i = 0; i < n; ++i)
    distance[i] = boundary[i] ? kInfinite : distance[i] / static_cast<double>(objectives);
  return distance;
}

namespace {

// HSO: slice along the last coordinate; each slab's cross-section is the hypervolume of the points
// below it in the remaining coordinates. `points` are strictly better than the reference.
double hypervolume_recursive(std::vector<ObjectiveVector> points, const ObjectiveVector& reference,
                             std::size_t dims) {
  if (points.empty()) return 0.0;
  if (dims == 1) {
    double best = reference[0];
    for (const auto& p : points) best = std::min(best, p[0]);
    return reference[0] - best;
  }
  const std::size_t last = dims - 1;
  std::sort(points.begin(), points.end(),
            [&](const ObjectiveVector& a, const ObjectiveVector& b) { return a[last] < b[last]; });
  if (dims == 2) {  // sweep: the staircase
    double volume = 0.0, best_x = reference[0];
    for (std::size_t i = 0; i < points.size(); ++i) {
      best_x = std::min(best_x, points[i][0]);
      const double top = i + 1 < points.size() ? points[i + 1][1] : reference[1];
      volume += (reference[0] - best_x) * (top - points[i][1]);
    }
    return volume;
  }
  double volume = 0.0;
  std::vector<ObjectiveVector> slab;
  for (std::size_t i = 0; i < points.size(); ++i) {
    // Keep the slab's set non-dominated in the remaining coordinates (smaller recursion).
    ObjectiveVector projected(points[i].begin(), points[i].begin() + static_cast<long>(last));
    bool dominated = false;
    for (const auto& q : slab) {
      bool q_weakly_better = true;
      for (std::size_t m = 0; m < last && q_weakly_better; ++m)
        q_weakly_better = q[m] <= projected[m];
      if (q_weakly_better) {
        dominated = true;
        break;
      }
    }
    if (!dominated) {
      std::erase_if(slab, [&](const ObjectiveVector& q) {
        for (std::size_t m = 0; m < last; ++m)
          if (projected[m] > q[m]) return false;
        return true;
      });
      slab.push_back(std::move(projected));
    }
    const double top = i + 1 < points.size() ? points[i + 1][last] : reference[last];
    const double height = top - points[i][last];
    if (height > 0) volume += height * hypervolume_recursive(slab, reference, last);
  }
  return volume;
}

}  // namespace

double hypervolume(const std::vector<ObjectiveVector>& points, const ObjectiveVector& reference) {
  std::vector<ObjectiveVector> inside;
  for (const auto& p : points) {
    TANDEM_CHECK(p.size() == reference.size(),
                 "hypervolume: a point has " + std::to_string(p.size()) +
                     " objectives but the reference point has " + std::to_string(reference.size()));
    bool strictly_better = true;
    for (std::size_t m = 0; m < p.size() && strictly_better; ++m)
      strictly_better = p[m] < reference[m];
    if (strictly_better) inside.push_back(p);
  }
  if (reference.empty()) return 0.0;
  return hypervolume_recursive(std::move(inside), reference, reference.size());
}

std::optional<ObjectiveVector> minimised_objectives(const TrialResult& result,
                                                    const std::vector<Objective>& objectives) {
  ObjectiveVector out;
  for (const auto& objective : objectives) {
    auto value = result.metrics.find(objective.metric);
    if (!value || std::isnan(*value)) return std::nullopt;
    out.push_back(objective.minimize ? *value : -*value);
  }
  return out;
}

double constraint_violation(const TrialResult& result) {
  if (result.status != TrialStatus::infeasible) return 0.0;
  // "constraint 'METRIC OP BOUND' violated: METRIC = VALUE"
  const std::string& reason = result.reason;
  const auto open = reason.find('\''), close = reason.find('\'', open + 1);
  const auto equals = reason.rfind(" = ");
  if (open == std::string::npos || close == std::string::npos || equals == std::string::npos)
    return std::numeric_limits<double>::infinity();
  const auto parts = split(trim(reason.substr(open + 1, close - open - 1)), ' ');
  if (parts.size() != 3) return std::numeric_limits<double>::infinity();
  char* end = nullptr;
  const double bound = std::strtod(parts[2].c_str(), &end);
  if (end == parts[2].c_str()) return std::numeric_limits<double>::infinity();
  const std::string value_text = trim(reason.substr(equals + 3));
  const double value = std::strtod(value_text.c_str(), &end);
  if (end == value_text.c_str() || std::isnan(value)) return std::numeric_limits<double>::infinity();
  const double amount = std::abs(value - bound) / std::max(std::abs(bound), 1e-12);
  return amount > 0 ? amount : 1e-12;  // `x < 5` violated at x = 5 still counts as infeasible
}

}  // namespace tandem
