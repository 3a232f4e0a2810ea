// The non-dominated filter of the exact-front computation (exact_front.hpp): a lexicographic sweep
// (Kung, Luccio, Preparata, "On finding the maxima of a set of vectors", JACM 1975). Points sorted
// lexicographically can only be dominated by earlier points, so one pass decides each point:
//   2 objectives: against the running minimum of the second coordinate, O(n);
//   3 objectives: against a staircase of the kept points' (second, third) coordinates, O(n log n);
//   4 objectives: against every kept point, O(n * front).
// Every coordinate is minimised. Identical vectors do not dominate each other: all are kept.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace tandem {

// One (network, accelerator) pair's minimised objectives (the first `k` coordinates are used).
struct FrontPoint {
  std::array<double, 4> v{};
  std::uint32_t network = 0;
  std::uint32_t accelerator = 0;
};

// Lexicographic order of the first k coordinates, then network, then accelerator.
bool lexicographically_less(const FrontPoint& a, const FrontPoint& b, int k);

// Appends to `out` the points of [begin, end) that no point of the range dominates, in order.
// The range must be sorted by lexicographically_less on the first k coordinates. 2 <= k <= 4.
void sweep_sorted(const FrontPoint* begin, const FrontPoint* end, int k,
                  std::vector<FrontPoint>& out);

// Sorts `points` and keeps the non-dominated ones (sorted) in place.
void keep_non_dominated(std::vector<FrontPoint>& points, int k);

}  // namespace tandem
