// The move set of decomposed_codesign's accelerator climb (decomposed_codesign.hpp, step 2): the
// one-decision changes of a candidate's accelerator part, and the exchanges of two ordered
// numeric parameters (one a step up, the other a step down). Network decisions never move.
#pragma once

#include <cstddef>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

class AcceleratorMoves {
 public:
  // The accelerator part is every decision from `first_decision` on (a joint space's hw.*).
  AcceleratorMoves(const SearchSpace& space, std::size_t first_decision);
  // Per accelerator decision: its choice indices in ascending numeric order, or empty when a
  // choice is not a number or there is only one (no exchanges through it).
  const std::vector<std::vector<int>>& ordered() const { return ordered_; }
  // Every valid candidate one accelerator decision away, then (exchanges) every valid exchange,
  // in a fixed order.
  std::vector<Candidate> neighbours(const Candidate& candidate, bool exchanges) const;

 private:
  const SearchSpace& space_;
  std::size_t first_;
  std::vector<std::vector<int>> ordered_;
};

}  // namespace tandem
