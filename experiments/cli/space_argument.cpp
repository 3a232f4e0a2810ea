// --space / --space-options / --arch of the sub-commands (see space_argument.hpp).
#include "experiments/cli/space_argument.hpp"

namespace tandem {

SpaceArchitecture read_space_architecture(const cxxopts::ParseResult& args) {
  const ConfigNode space_options =
      args.count("space-options")
          ? ConfigNode::parse(args["space-options"].as<std::string>(), "--space-options")
          : ConfigNode();
  SpaceArchitecture out;
  out.space = space_registry().create(args["space"].as<std::string>(), space_options);
  out.candidate = out.space->parse(args["arch"].as<std::string>());
  out.space->check(out.candidate);
  return out;
}

}  // namespace tandem
