// ProxylessNAS MobileNetV2 macro space (see mobilenet_space.hpp).
// Source: Cai et al., ICLR 2019; mit-han-lab/proxylessnas search/models/super_nets/
// super_proxyless.py, search/modules/layers.py, search/imagenet_arch_search.py.
#include "spaces/mobilenet_space.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "spaces/nn_blocks.hpp"
#include "spaces/nn_candidate.hpp"
#include "spaces/nn_options.hpp"
#include "spaces/nn_text_cursor.hpp"

namespace tandem {
namespace {

constexpr const char* kZero = "zero";
constexpr int kFirstConvWidth = 32;
constexpr int kFirstBlockWidth = 16;
constexpr int kFeatureMixWidth = 1280;

struct MbConv {
  int kernel;
  int expand;
};
// In mbconv_choices() order.
constexpr MbConv kMbConvs[] = {{3, 3}, {3, 6}, {5, 3}, {5, 6}, {7, 3}, {7, 6}};

}  // namespace

std::vector<int> MobileNetSpace::default_stage_widths() {
  return {24, 40, 80, 96, 192, 320};
}

const std::vector<int>& MobileNetSpace::blocks_per_stage() {
  static const std::vector<int> blocks = {4, 4, 4, 4, 4, 1};
  return blocks;
}

const std::vector<int>& MobileNetSpace::stage_strides() {
  static const std::vector<int> strides = {2, 2, 2, 1, 2, 1};
  return strides;
}

const std::vector<std::string>& MobileNetSpace::mbconv_choices() {
  static const std::vector<std::string> names = {"3x3_MBConv3", "3x3_MBConv6", "5x5_MBConv3",
                                                 "5x5_MBConv6", "7x7_MBConv3", "7x7_MBConv6"};
  return names;
}

GraphOptions MobileNetSpace::published_defaults() {
  GraphOptions defaults;
  defaults.input = TensorShape{3, 224, 224};
  defaults.classes = 1000;
  defaults.width_multiplier = 1.0;
  return defaults;
}

int MobileNetSpace::make_divisible(double value, int divisor) {
  int rounded = static_cast<int>(value + divisor / 2.0) / divisor * divisor;
  if (rounded < divisor) rounded = divisor;
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

MobileNetSpace::MobileNetSpace(std::vector<int> stage_widths)
    : stage_widths_(std::move(stage_widths)) {
  TANDEM_CHECK(stage_widths_.size() == kStages, "mobilenet: stage_widths needs " +
                                                    std::to_string(kStages) + " values, got " +
                                                    std::to_string(stage_widths_.size()));
  std::vector<std::string> with_zero = mbconv_choices();
  with_zero.push_back(kZero);
  for (int stage = 0; stage < kStages; ++stage) {
    TANDEM_CHECK(stage_widths_[stage] > 0, "mobilenet: stage widths must be positive");
    for (int block = 0; block < blocks_per_stage()[stage]; ++block)
      decisions_.push_back(
          Decision{"stage " + std::to_string(stage + 1) + " block " + std::to_string(block + 1),
                   block == 0 ? mbconv_choices() : with_zero});
  }
  set_graph_options(published_defaults());
}

std::unique_ptr<SearchSpace> MobileNetSpace::create(const ConfigNode& options) {
  options.check_keys(space_option_keys({"width", "cells_per_stage"}, {"stage_widths"}));
  std::vector<int> widths = default_stage_widths();
  ConfigNode node = options.optional("stage_widths");
  if (node.present()) {
    if (!node.is_sequence() || node.size() != kStages)
      node.fail("expected a list of 6 stage widths, e.g. [24, 40, 80, 96, 192, 320]");
    for (std::size_t i = 0; i < widths.size(); ++i) {
      long long value = node.element(i).as_int();
      if (value <= 0 || value > 100000)
        node.element(i).fail("expected a positive width, got " + std::to_string(value));
      widths[i] = static_cast<int>(value);
    }
  }
  auto space = std::make_unique<MobileNetSpace>(widths);
  space->set_graph_options(read_graph_options(options, published_defaults()));
  return space;
}

std::string MobileNetSpace::summary() const {
  return "ProxylessNAS MobileNetV2 macro space: 21 blocks of MBConv {3,5,7}x{3,6} or zero "
         "(ImageNet 224)";
}

std::string MobileNetSpace::to_string(const Candidate& candidate) const {
  check_ranges(*this, candidate);
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < decisions_.size(); ++i)
    tokens.push_back(decisions_[i].choices[candidate.decisions[i]]);
  return join(tokens, "|");
}

Candidate MobileNetSpace::parse(const std::string& text) const {
  TextCursor cursor(name(), text);
  Candidate candidate;
  const std::size_t blocks = decisions_.size();
  for (std::size_t i = 0; i < blocks; ++i) {
    if (i > 0) {
      cursor.skip_whitespace();
      if (cursor.at_end())
        cursor.fail("expected " + std::to_string(blocks) + " '|'-separated blocks, got " +
                    std::to_string(i));
      cursor.expect("|");
    }
    cursor.skip_whitespace();
    const std::size_t at = cursor.position();
    std::string token = trim(cursor.read_until("|", "a block (e.g. 3x3_MBConv6)"));
    const Decision& decision = decisions_[i];
    if (token == kZero && decision.choices.size() == mbconv_choices().size())
      cursor.fail_at(at, decision.name +
                             " cannot be zero: the first block of a stage changes "
                             "the stride or the width, so it has no identity shortcut");
    candidate.decisions.push_back(cursor.lookup(token, at, decision.choices, "block"));
  }
  cursor.skip_whitespace();
  if (cursor.peek() == '|') cursor.fail("expected " + std::to_string(blocks) + " blocks, got more");
  cursor.expect_end();
  return candidate;
}

LayerId MobileNetSpace::add_stem(ComputeGraph& graph, LayerId input, double multiplier) {
  const LayerId x = conv_bn_act(graph, "first_conv", input,
                                make_divisible(kFirstConvWidth * multiplier), 3, 2, 1, true);
  return mobile_inverted_conv(graph, "block0", x, make_divisible(kFirstBlockWidth * multiplier), 3,
                              1, 1);
}

void MobileNetSpace::add_head(ComputeGraph& graph, LayerId x, double multiplier, int classes) {
  const int last =
      multiplier > 1.0 ? make_divisible(kFeatureMixWidth * multiplier) : kFeatureMixWidth;
  x = conv_bn_act(graph, "feature_mix", x, last, 1, 1, 1, true);
  x = graph.global_avg_pool("global_pool", x);
  graph.mark_output(graph.linear("classifier", x, classes));
}

ComputeGraph MobileNetSpace::to_graph(const Candidate& candidate, const GraphOptions& given) const {
  check(candidate);
  const GraphOptions options = resolve_graph_options(given, published_defaults());
  const double multiplier = options.width_multiplier;
  ComputeGraph graph;
  LayerId x = graph.add_input("input", options.input);
  x = add_stem(graph, x, multiplier);
  std::size_t decision = 0;
  for (int stage = 0; stage < kStages; ++stage) {
    const int width = make_divisible(stage_widths_[stage] * multiplier);
    for (int block = 0; block < blocks_per_stage()[stage]; ++block, ++decision) {
      const int choice = candidate.decisions[decision];
      const std::string name =
          "stage" + std::to_string(stage + 1) + ".block" + std::to_string(block + 1);
      if (decisions_[decision].choices[choice] == kZero) continue;  // only the shortcut remains
      const MbConv conv = kMbConvs[choice];
      const int stride = block == 0 ? stage_strides()[stage] : 1;
      LayerId y = mobile_inverted_conv(graph, name, x, width, conv.kernel, conv.expand, stride);
      // ProxylessNAS gives every block but a stage's first an identity shortcut.
      x = block == 0 ? y : graph.add_sum(name + ".add", {y, x});
    }
  }
  add_head(graph, x, multiplier, options.classes);
  return graph;
}

}  // namespace tandem
