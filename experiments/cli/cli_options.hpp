// Shared cxxopts plumbing for the sub-commands: parse with positional arguments, print --help,
// and report missing or extra positional arguments as one-line errors.
#pragma once

#include <cxxopts.hpp>

#include <string>
#include <vector>

namespace tandem {

// Parses argv; returns nullopt-like false when --help was printed (the command should return 0).
// `positional` names the positional arguments in order; all are required unless listed in
// `optional_positional`.
bool parse_command_line(cxxopts::Options& options, int argc, char** argv,
                        const std::vector<std::string>& positional,
                        cxxopts::ParseResult& result,
                        const std::vector<std::string>& optional_positional = {});

}  // namespace tandem
