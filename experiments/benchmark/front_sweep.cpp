// The lexicographic-sweep non-dominated filter (see front_sweep.hpp).
#include "experiments/benchmark/front_sweep.hpp"

#include <algorithm>
#include <iterator>
#include <map>

#include "core/error.hpp"

namespace tandem {
namespace {

bool same_vector(const FrontPoint& a, const FrontPoint& b, int k) {
  for (int j = 0; j < k; ++j)
    if (a.v[j] != b.v[j]) return false;
  return true;
}

bool dominates_first(const FrontPoint& a, const FrontPoint& b, int k) {
  bool strictly = false;
  for (int j = 0; j < k; ++j) {
    if (a.v[j] > b.v[j]) return false;
    strictly = strictly || a.v[j] < b.v[j];
  }
  return strictly;
}

// Two objectives: the earliest point holding the minimum second coordinate decides.
void sweep_two(const FrontPoint* begin, const FrontPoint* end, std::vector<FrontPoint>& out) {
  bool any = false;
  double best_second = 0, first_at_best = 0;
  for (const FrontPoint* p = begin; p != end; ++p) {
    // An earlier q has q0 <= p0. It dominates p iff q1 <= p1 and q != p.
    const bool dominated =
        any && (best_second < p->v[1] || (best_second == p->v[1] && first_at_best < p->v[0]));
    if (dominated) continue;
    out.push_back(*p);
    if (!any || p->v[1] < best_second) {
      best_second = p->v[1];
      first_at_best = p->v[0];
      any = true;
    }
  }
}

// Three objectives: `stairs` maps the second coordinate of kept points to the third, both
// strictly monotone (second ascending, third descending), so the entry with the largest key
// <= p1 holds the smallest third coordinate among earlier points with second <= p1.
void sweep_three(const FrontPoint* begin, const FrontPoint* end, std::vector<FrontPoint>& out) {
  std::map<double, double> stairs;
  const FrontPoint* last_kept = nullptr;
  for (const FrontPoint* p = begin; p != end; ++p) {
    // Identical vectors are adjacent in lexicographic order: a copy of a kept point is kept.
    if (last_kept && same_vector(*last_kept, *p, 3)) {
      out.push_back(*p);
      continue;
    }
    auto above = stairs.upper_bound(p->v[1]);
    if (above != stairs.begin() && std::prev(above)->second <= p->v[2]) continue;
    out.push_back(*p);
    last_kept = p;
    // Remove the steps p now covers (second >= p1 and third >= p2), then add p's.
    auto it = stairs.lower_bound(p->v[1]);
    while (it != stairs.end() && it->second >= p->v[2]) it = stairs.erase(it);
    stairs[p->v[1]] = p->v[2];
  }
}

void sweep_many(const FrontPoint* begin, const FrontPoint* end, int k,
                std::vector<FrontPoint>& out) {
  const std::size_t first = out.size();
  for (const FrontPoint* p = begin; p != end; ++p) {
    bool dominated = false;
    for (std::size_t i = first; i < out.size() && !dominated; ++i)
      dominated = dominates_first(out[i], *p, k);
    if (!dominated) out.push_back(*p);
  }
}

}  // namespace

bool lexicographically_less(const FrontPoint& a, const FrontPoint& b, int k) {
  for (int j = 0; j < k; ++j)
    if (a.v[j] != b.v[j]) return a.v[j] < b.v[j];
  if (a.network != b.network) return a.network < b.network;
  return a.accelerator < b.accelerator;
}

void sweep_sorted(const FrontPoint* begin, const FrontPoint* end, int k,
                  std::vector<FrontPoint>& out) {
  if (k == 2) return sweep_two(begin, end, out);
  if (k == 3) return sweep_three(begin, end, out);
  if (k == 4) return sweep_many(begin, end, k, out);
  throw InternalError("sweep_sorted: " + std::to_string(k) + " objectives (2 to 4 supported)");
}

void keep_non_dominated(std::vector<FrontPoint>& points, int k) {
  std::sort(points.begin(), points.end(), [k](const FrontPoint& a, const FrontPoint& b) {
    return lexicographically_less(a, b, k);
  });
  std::vector<FrontPoint> kept;
  sweep_sorted(points.data(), points.data() + points.size(), k, kept);
  points = std::move(kept);
}

}  // namespace tandem
