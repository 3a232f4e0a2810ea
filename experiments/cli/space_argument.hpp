// The network a sub-command names as `--space NAME [--space-options YAML] --arch TEXT` (tandem
// train, tandem proxy, tandem hw eval): the space from the registry and the candidate parsed and
// checked in it.
#pragma once

#include <cxxopts.hpp>

#include <memory>

#include "spaces/search_space.hpp"

namespace tandem {

struct SpaceArchitecture {
  std::unique_ptr<SearchSpace> space;
  Candidate candidate;
};

// Reads --space, --space-options (optional) and --arch of `args`; the caller checks that --space
// and --arch are present.
SpaceArchitecture read_space_architecture(const cxxopts::ParseResult& args);

}  // namespace tandem
