// check_ranges(): the part of SearchSpace::check() that to_string() may use. SearchSpace::check()
// renders an invalid candidate with to_string() in its message, so a to_string() that called
// check() would recurse forever on a candidate that breaks a constraint (is_valid() false).
#pragma once

#include <string>

#include "core/error.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

// Throws Error unless `candidate` has one in-range value index per decision of `space`.
inline void check_ranges(const SearchSpace& space, const Candidate& candidate) {
  const auto& decisions = space.decisions();
  TANDEM_CHECK(candidate.decisions.size() == decisions.size(),
               "space '" + space.name() + "': candidate has " +
                   std::to_string(candidate.decisions.size()) + " decisions, expected " +
                   std::to_string(decisions.size()));
  for (std::size_t i = 0; i < decisions.size(); ++i)
    TANDEM_CHECK(candidate.decisions[i] >= 0 &&
                     candidate.decisions[i] < static_cast<int>(decisions[i].choices.size()),
                 "space '" + space.name() + "': decision '" + decisions[i].name +
                     "' has value index " + std::to_string(candidate.decisions[i]) +
                     ", expected 0.." + std::to_string(decisions[i].choices.size() - 1));
}

}  // namespace tandem
