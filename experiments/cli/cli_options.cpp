// Shared command-line parsing for the sub-commands (see cli_options.hpp).
#include "experiments/cli/cli_options.hpp"

#include <algorithm>
#include <iostream>

#include "core/error.hpp"

namespace tandem {

bool parse_command_line(cxxopts::Options& options, int argc, char** argv,
                        const std::vector<std::string>& positional,
                        cxxopts::ParseResult& result,
                        const std::vector<std::string>& optional_positional) {
  options.add_options()("h,help", "show this help");
  std::vector<std::string> all = positional;
  all.insert(all.end(), optional_positional.begin(), optional_positional.end());
  for (const auto& name : all)
    options.add_options("positional")(name, "", cxxopts::value<std::string>());
  options.add_options("positional")("extra", "", cxxopts::value<std::vector<std::string>>());
  std::vector<std::string> with_extra = all;
  with_extra.push_back("extra");
  options.parse_positional(with_extra);
  std::string help_positional;
  for (const auto& name : positional) help_positional += " " + name;
  for (const auto& name : optional_positional) help_positional += " [" + name + "]";
  options.positional_help(help_positional);
  result = options.parse(argc, argv);
  if (result.count("help")) {
    std::cout << options.help({""}) << "\n";
    return false;
  }
  for (const auto& name : positional) {
    if (!result.count(name))
      throw Error("missing argument " + name + " (usage: " + options.program() +
                  help_positional + " [options])");
  }
  if (result.count("extra")) {
    throw Error("unexpected argument '" + result["extra"].as<std::vector<std::string>>().front() +
                "' (usage: " + options.program() + help_positional + " [options])");
  }
  return true;
}

}  // namespace tandem
