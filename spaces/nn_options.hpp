// Option helpers shared by the built-in NN spaces: which config keys a space accepts, and how
// zero ("use the space's default") fields of GraphOptions are filled in.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

// graph_option_keys() minus the ones a space does not use (so a key that would be silently
// ignored is rejected instead), plus the space's own keys.
inline std::vector<std::string> space_option_keys(const std::vector<std::string>& unused,
                                                  const std::vector<std::string>& own) {
  std::vector<std::string> keys;
  for (const auto& key : graph_option_keys())
    if (std::find(unused.begin(), unused.end(), key) == unused.end()) keys.push_back(key);
  keys.insert(keys.end(), own.begin(), own.end());
  return keys;
}

// `given` with its zero width / cells_per_stage / width_multiplier taken from `defaults`
// (input shape and classes are always taken from `given`).
inline GraphOptions resolve_graph_options(GraphOptions given, const GraphOptions& defaults) {
  if (given.width <= 0) given.width = defaults.width;
  if (given.cells_per_stage <= 0) given.cells_per_stage = defaults.cells_per_stage;
  if (!(given.width_multiplier > 0.0)) given.width_multiplier = defaults.width_multiplier;
  return given;
}

}  // namespace tandem
