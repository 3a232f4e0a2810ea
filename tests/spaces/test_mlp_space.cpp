// Tests for the MLP example space (docs/adding-a-space.md): text form, constraint and size,
// hand-counted parameters, options and registration.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "spaces/mlp_space.hpp"

using namespace tandem;

namespace {

std::string parse_error(const SearchSpace& space, const std::string& text) {
  try {
    space.parse(text);
  } catch (const ParseError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("mlp: decisions and constraint and exact size") {
  MlpSpace space(3, {16, 32, 64, 128});
  REQUIRE(space.decisions().size() == 4);
  CHECK(space.decisions()[0].choices == std::vector<std::string>{"16", "32", "64", "128"});
  CHECK(space.decisions()[1].choices == std::vector<std::string>{"none", "16", "32", "64", "128"});
  CHECK(space.decisions()[3].name == "activation");
  // 2 activations x (4 + 16 + 64) networks of depth 1, 2, 3.
  CHECK(space.size() == 168.0);
  CHECK(space.is_valid(Candidate{{2, 0, 0, 0}}));
  CHECK_FALSE(space.is_valid(Candidate{{2, 0, 3, 0}}));  // layer 3 after a missing layer 2
}

TEST_CASE("mlp: every valid candidate is reached by sampling and has one spelling") {
  MlpSpace space(3, {16, 32, 64, 128});
  Rng rng(5);
  std::set<std::string> texts;
  for (int i = 0; i < 5000; ++i) {
    Candidate candidate = space.sample(rng);
    std::string text = space.to_string(candidate);
    CHECK(space.parse(text) == candidate);
    texts.insert(text);
    Candidate child = space.mutate(candidate, rng);
    CHECK(space.is_valid(child));
    int changed = 0;
    for (std::size_t d = 0; d < 4; ++d) changed += child.decisions[d] != candidate.decisions[d];
    CHECK(changed == 1);
  }
  CHECK(texts.size() == 168);
}

TEST_CASE("mlp: text form and the network it lowers to") {
  MlpSpace space(3, {16, 32, 64, 128});
  Candidate candidate = space.parse("64-32:relu");
  CHECK(candidate.decisions == std::vector<int>{2, 2, 0, 0});
  CHECK(space.to_string(candidate) == "64-32:relu");
  // 8x8 digits: 64 inputs -> 64 -> 32 -> 10, weights + biases.
  ComputeGraph graph = space.to_graph(candidate);
  CHECK(graph.total_params() == (64 * 64 + 64) + (64 * 32 + 32) + (32 * 10 + 10));
  CHECK(graph.total_macs() == 64 * 64 + 64 * 32 + 32 * 10);
  CHECK(graph.layer(graph.outputs().at(0)).output == TensorShape{10, 1, 1});

  Candidate deep = space.parse(" 128 - 16 - 16 : relu6 ");
  CHECK(space.to_string(deep) == "128-16-16:relu6");
  int relu6_layers = 0;
  ComputeGraph deep_graph = space.to_graph(deep);
  for (const auto& layer : deep_graph.layers()) relu6_layers += layer.kind == OpKind::relu6;
  CHECK(relu6_layers == 3);
}

TEST_CASE("mlp: malformed text names the position") {
  MlpSpace space(3, {16, 32, 64, 128});
  std::string message = parse_error(space, "64-48:relu");
  CHECK(message.find("position 3: unknown width '48'") != std::string::npos);
  CHECK(message.find("accepted: 16, 32, 64, 128") != std::string::npos);
  message = parse_error(space, "64-32-16-16:relu");
  CHECK(message.find("position 9: at most 3 hidden layers") != std::string::npos);
  message = parse_error(space, "64:tanh");
  CHECK(message.find("position 3: unknown activation 'tanh'") != std::string::npos);
  message = parse_error(space, "64 relu");
  CHECK(message.find("position 3: expected ':'") != std::string::npos);
  message = parse_error(space, ":relu");
  CHECK(message.find("position 0: expected a layer width") != std::string::npos);
}

TEST_CASE("mlp: options and registration") {
  auto space = MlpSpace::create(ConfigNode::parse(
      "max_layers: 2\nwidths: [8, 24]\nclasses: 3\ninput_shape: [1, 4, 4]\n", "<test>"));
  CHECK(space->size() == 2.0 * (2 + 4));
  ComputeGraph graph = space->to_graph(space->parse("24-8:relu"));
  CHECK(graph.total_params() == (16 * 24 + 24) + (24 * 8 + 8) + (8 * 3 + 3));
  CHECK_THROWS_AS(MlpSpace::create(ConfigNode::parse("widths: [8, 8]\n", "<t>")), ConfigError);
  CHECK_THROWS_AS(MlpSpace::create(ConfigNode::parse("width: 8\n", "<t>")), ConfigError);
  CHECK_THROWS_AS(MlpSpace::create(ConfigNode::parse("max_layers: 0\n", "<t>")), ConfigError);

  auto from_registry = space_registry().create("mlp", ConfigNode());
  CHECK(from_registry->name() == "mlp");
  CHECK(from_registry->graph_options().input == TensorShape{1, 8, 8});
}
