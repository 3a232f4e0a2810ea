// Multi-layer perceptron space (see mlp_space.hpp); the worked example of docs/adding-a-space.md.
#include "spaces/mlp_space.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"
#include "spaces/nn_candidate.hpp"
#include "spaces/nn_options.hpp"
#include "spaces/nn_text_cursor.hpp"

namespace tandem {
namespace {

const std::vector<std::string> kActivations = {"relu", "relu6"};

std::vector<std::string> width_names(const std::vector<int>& widths) {
  std::vector<std::string> names;
  for (int width : widths) names.push_back(std::to_string(width));
  return names;
}

}  // namespace

MlpSpace::MlpSpace(int max_layers, std::vector<int> widths)
    : max_layers_(max_layers), widths_(std::move(widths)) {
  TANDEM_CHECK(max_layers_ >= 1, "mlp: max_layers must be at least 1");
  TANDEM_CHECK(!widths_.empty(), "mlp: widths must not be empty");
  for (int layer = 1; layer <= max_layers_; ++layer) {
    std::vector<std::string> choices = width_names(widths_);
    if (layer > 1) choices.insert(choices.begin(), "none");  // index 0 = layer absent
    decisions_.push_back(Decision{"layer " + std::to_string(layer) + " width", choices});
  }
  decisions_.push_back(Decision{"activation", kActivations});
  GraphOptions defaults;
  defaults.input = TensorShape{1, 8, 8};  // the 8x8 digits
  defaults.classes = 10;
  set_graph_options(defaults);
}

std::unique_ptr<SearchSpace> MlpSpace::create(const ConfigNode& options) {
  options.check_keys(space_option_keys({"width", "cells_per_stage", "width_multiplier"},
                                       {"max_layers", "widths"}));
  const int max_layers = static_cast<int>(options.get_int_in("max_layers", 3, 1, 16));
  std::vector<int> widths = {16, 32, 64, 128};
  if (ConfigNode list = options.optional("widths"); list.present()) {
    if (!list.is_sequence() || list.size() == 0)
      list.fail("expected a list of widths, e.g. [16, 32]");
    widths.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const long long width = list.element(i).as_int();
      if (width <= 0 || width > 1000000 ||
          std::find(widths.begin(), widths.end(), width) != widths.end())
        list.element(i).fail("expected distinct positive widths, got " + std::to_string(width));
      widths.push_back(static_cast<int>(width));
    }
  }
  auto space = std::make_unique<MlpSpace>(max_layers, widths);
  space->set_graph_options(read_graph_options(options, space->graph_options()));
  return space;
}

std::string MlpSpace::summary() const {
  return "MLP: up to " + std::to_string(max_layers_) + " hidden linear layers of widths " +
         join(width_names(widths_), "/") + ", relu or relu6";
}

bool MlpSpace::is_valid(const Candidate& candidate) const {
  for (int layer = 1; layer + 1 < max_layers_; ++layer)
    if (candidate.decisions[layer] == 0 && candidate.decisions[layer + 1] != 0) return false;
  return true;
}

double MlpSpace::size() const {
  double networks = 0.0;
  for (int depth = 1; depth <= max_layers_; ++depth)
    networks += std::pow(static_cast<double>(widths_.size()), depth);
  return networks * static_cast<double>(kActivations.size());
}

std::string MlpSpace::to_string(const Candidate& candidate) const {
  check_ranges(*this, candidate);
  std::vector<std::string> hidden;
  for (int layer = 0; layer < max_layers_; ++layer)
    if (layer == 0 || candidate.decisions[layer] != 0)
      hidden.push_back(decisions_[layer].choices[candidate.decisions[layer]]);
  return join(hidden, "-") + ":" + kActivations[candidate.decisions.back()];
}

Candidate MlpSpace::parse(const std::string& text) const {
  TextCursor cursor(name(), text);
  Candidate candidate;
  candidate.decisions.assign(decisions_.size(), 0);  // 0 = "none" for layers 2..L
  for (int layer = 0;; ++layer) {
    cursor.skip_whitespace();
    const std::size_t at = cursor.position();
    const int width = cursor.read_int("a layer width");
    const int index = cursor.lookup(std::to_string(width), at, width_names(widths_), "width");
    candidate.decisions[layer] = layer == 0 ? index : index + 1;  // skip "none"
    if (!cursor.accept("-")) break;
    if (layer + 1 == max_layers_)
      cursor.fail("at most " + std::to_string(max_layers_) + " hidden layers");
  }
  cursor.expect(":");
  cursor.skip_whitespace();
  const std::size_t at = cursor.position();
  candidate.decisions.back() =
      cursor.lookup(cursor.read_word("an activation"), at, kActivations, "activation");
  cursor.expect_end();
  return candidate;
}

ComputeGraph MlpSpace::to_graph(const Candidate& candidate, const GraphOptions& options) const {
  check(candidate);
  ComputeGraph graph;
  LayerId x = graph.add_input("input", options.input);
  for (int layer = 0; layer < max_layers_; ++layer) {
    if (layer > 0 && candidate.decisions[layer] == 0) break;  // "none": no more layers
    const std::string name = "hidden" + std::to_string(layer + 1);
    const int width = widths_[candidate.decisions[layer] - (layer > 0 ? 1 : 0)];  // skip "none"
    x = graph.linear(name, x, width);  // flattens its input
    x = candidate.decisions.back() == 0 ? graph.relu(name + ".relu", x)
                                        : graph.relu6(name + ".relu6", x);
  }
  x = graph.linear("classifier", x, options.classes);
  graph.mark_output(x);
  return graph;
}

}  // namespace tandem
