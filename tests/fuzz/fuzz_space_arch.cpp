// Fuzz target: the architecture strings of every registered search space (network, accelerator,
// joint and multi-task spaces, through the space registry, so a new space is fuzzed without a
// change here). Input: byte 0 picks the space, the rest is the text given to SearchSpace::parse
// (as `tandem spaces --arch`, stored trials read back on resume and benchmark table keys are).
// A parsed candidate must pass check(), print back to itself (parse(to_string(c)) == c), and
// lower: network spaces to a compute graph, accelerator parts to a description whose YAML builds
// a cost model. Seeds: sampled candidates of every space (TANDEM_FUZZ_SEEDS, see fuzz_support.hpp).
// Links: tandem_builtins tandem_runner (the composition root fills the registries).
#include <memory>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "hwmodels/cost_model.hpp"
#include "spaces/search_space.hpp"
#include "experiments/builtins/register_builtins.hpp"
#include "fuzz_support.hpp"

namespace {

struct Space {
  std::string label;
  std::unique_ptr<tandem::SearchSpace> space;
};

// Every registered space: from default options, or (spaces that need options: joint and
// multi-task) composed from the other registered spaces.
std::vector<Space> make_spaces() {
  using tandem::ConfigNode;
  tandem::SpaceRegistry& registry = tandem::space_registry();
  std::vector<Space> spaces;
  std::vector<std::string> networks, accelerators;
  for (const std::string& name : registry.names()) {
    const std::string& kind = registry.kind_of(name);
    if (kind == "cell" || kind == "macro" || kind == "tabular") networks.push_back(name);
    if (kind == "accelerator") accelerators.push_back(name);
  }
  for (const std::string& name : registry.names()) {
    try {
      spaces.push_back({name, registry.create(name, ConfigNode())});
      continue;
    } catch (const tandem::Error&) {
    }
    std::vector<std::string> options;
    const std::string& kind = registry.kind_of(name);
    if (kind == "joint") {
      for (const auto& network : networks)
        for (const auto& accelerator : accelerators)
          options.push_back("network: {space: " + network + "}\naccelerator: {space: " +
                            accelerator + "}\n");
    } else if (kind == "multitask") {
      for (const auto& accelerator : accelerators)
        options.push_back("tasks:\n  - {name: a, space: nb201}\n  - {name: b, space: " +
                          networks.back() + "}\naccelerator: {space: " + accelerator + "}\n");
      options.push_back("tasks:\n  - {name: a, space: mlp}\n  - {name: b, space: darts}\n");
    }
    for (const std::string& text : options) {
      try {
        spaces.push_back({name + " " + text, registry.create(name, ConfigNode::parse(text, "<fuzz>"))});
      } catch (const tandem::Error&) {
      }
    }
  }
  return spaces;
}

const std::vector<Space>& spaces() {
  static const std::vector<Space> all = [] {
    tandem::register_builtins();
    std::vector<Space> made = make_spaces();
    if (made.empty() || made.size() > 255) std::abort();
    return made;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return tandem_fuzz::write_seeds_if_asked([](tandem::Rng& rng) {
    std::vector<std::string> seeds;
    for (std::size_t s = 0; s < spaces().size(); ++s)
      for (int i = 0; i < 3; ++i)
        seeds.push_back(std::string(1, static_cast<char>(s)) +
                        spaces()[s].space->to_string(spaces()[s].space->sample(rng)));
    return seeds;
  });
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const tandem::SearchSpace& space = *spaces()[data[0] % spaces().size()].space;
  const std::string text = tandem_fuzz::text_of(data + 1, size - 1);
  tandem_fuzz::fuzz_one([&] {
    const tandem::Candidate candidate = space.parse(text);
    space.check(candidate);
    const std::string printed = space.to_string(candidate);
    tandem_fuzz::require(space.parse(printed) == candidate, "parse(to_string(c)) != c");
    (void)space.architecture_string(candidate);
    (void)space.one_hot(candidate);
    (void)space.cell_diagrams(candidate);
    const std::string& kind = tandem::space_registry().kind_of(space.name());
    if (kind == "cell" || kind == "macro") (void)space.to_graph(candidate);
    if (auto description = space.accelerator_description(candidate))
      (void)tandem::hw::create_cost_model(tandem::ConfigNode::parse(description->to_yaml(), "<fuzz>"));
  });
  return 0;
}
