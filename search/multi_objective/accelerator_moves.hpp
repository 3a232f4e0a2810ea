// The move set of decomposed_codesign's accelerator climb (decomposed_codesign.hpp, step 2): the
// one-decision changes of a candidate's accelerator part, and the exchanges of two ordered
// numeric parameters (one a step up, the other a step down). Network decisions never move.
#pragma once

#include <cstddef>
#include <optional>
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
  // The pattern move of Hooke & Jeeves ("'Direct search' solution of numerical and statistical
  // problems", JACM 8(2), 1961): the step that led from `from` to `to`, taken once more from `to`
  // (rows 16 -> 32 after 8 -> 16). Nullopt when the step changed a non-numeric parameter, would
  // leave a parameter's range, or gives an invalid candidate.
  std::optional<Candidate> pattern(const Candidate& from, const Candidate& to) const;

 private:
  const SearchSpace& space_;
  std::size_t first_;
  std::vector<std::vector<int>> ordered_;
};

}  // namespace tandem
