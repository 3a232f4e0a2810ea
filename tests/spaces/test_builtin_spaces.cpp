// Tests of the built-in space list (spaces/builtin_spaces.cpp): every built-in NN space is registered under its config
// name with a one-line help text, builds from default options and lowers a sampled candidate.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "spaces/search_space.hpp"

using namespace tandem;

TEST_CASE("builtin spaces: the NN spaces are registered and usable from defaults") {
  const SpaceRegistry& registry = space_registry();
  // The built-in network spaces by kind.
  CHECK(registry.names_of_kind("cell") == std::vector<std::string>{"darts", "nb201"});
  CHECK(registry.names_of_kind("macro") == std::vector<std::string>{"mlp", "mobilenet"});
  CHECK(registry.names_of_kind("tabular") == std::vector<std::string>{"nb_macro"});
  // Every network space that lowers to a compute graph, including any registered later, builds
  // from default options and lowers a sampled candidate.
  std::vector<std::string> network_spaces = registry.names_of_kind("cell");
  for (const auto& name : registry.names_of_kind("macro")) network_spaces.push_back(name);
  for (const std::string& name : network_spaces) {
    CAPTURE(name);
    const std::string& help = registry.help(name);
    CHECK(!help.empty());
    CHECK(help.find('\n') == std::string::npos);
    auto space = registry.create(name, ConfigNode());
    CHECK(space->name() == name);
    CHECK(space->summary().find('\n') == std::string::npos);
    Rng rng(1);
    Candidate candidate = space->sample(rng);
    CHECK(space->parse(space->to_string(candidate)) == candidate);
    ComputeGraph graph = space->to_graph(candidate);
    CHECK(graph.outputs().size() == 1);
    CHECK(graph.total_params() > 0);
    CHECK(space->one_hot(candidate).size() == space->one_hot_size());
  }
  // Unknown option keys are configuration errors naming the key.
  try {
    registry.create("nb201", ConfigNode::parse("widht: 8\n", "<test>"));
    FAIL("expected a ConfigError");
  } catch (const ConfigError& error) {
    CHECK(std::string(error.what()).find("widht") != std::string::npos);
  }
}
