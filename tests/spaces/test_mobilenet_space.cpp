// Tests for the ProxylessNAS MobileNetV2 macro space: decisions, text form, make_divisible, a small
// network counted by hand, and the released ProxylessNAS-Mobile network against the parameter and
// FLOP counts its authors published.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "spaces/mobilenet_space.hpp"

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

// ProxylessNAS-Mobile as released by the authors: the "blocks" of proxyless_mobile.config
// (https://raw.githubusercontent.com/han-cai/files/master/proxylessnas/proxyless_mobile.config,
// loaded by mit-han-lab/proxylessnas proxyless_nas/model_zoo.py; read here from the copy in
// zhengxiawu/pytorch_image_classification models/proxyless/network_config/). Each
// MBInvertedConvLayer (kernel_size, expand_ratio) is written as ProxylessNAS names it; ZeroLayer
// is "zero". Its first stage is 32 channels wide (16 -> 32), so the space is built with stage
// widths 32, 40, 80, 96, 192, 320.
const std::string kProxylessMobile =
    "5x5_MBConv3|3x3_MBConv3|zero|zero|"
    "7x7_MBConv3|3x3_MBConv3|5x5_MBConv3|5x5_MBConv3|"
    "7x7_MBConv6|5x5_MBConv3|5x5_MBConv3|5x5_MBConv3|"
    "5x5_MBConv6|5x5_MBConv3|5x5_MBConv3|5x5_MBConv3|"
    "7x7_MBConv6|7x7_MBConv6|7x7_MBConv3|7x7_MBConv3|"
    "7x7_MBConv6";

}  // namespace

TEST_CASE("mobilenet: 21 blocks with zero only where a block keeps its shape") {
  MobileNetSpace space;
  REQUIRE(space.decisions().size() == 21);
  const int firsts[] = {0, 4, 8, 12, 16, 20};  // first block of each stage
  int zero_blocks = 0;
  for (std::size_t i = 0; i < 21; ++i) {
    bool first =
        std::find(std::begin(firsts), std::end(firsts), static_cast<int>(i)) != std::end(firsts);
    CHECK(space.decisions()[i].choices.size() == (first ? 6u : 7u));
    zero_blocks += space.decisions()[i].choices.back() == "zero";
  }
  CHECK(zero_blocks == 15);
  CHECK(space.decisions()[0].name == "stage 1 block 1");
  CHECK(space.decisions()[20].name == "stage 6 block 1");
  // 6 first blocks x 6 choices, 15 others x 7 choices.
  CHECK(space.size() == doctest::Approx(std::pow(6.0, 6) * std::pow(7.0, 15)).epsilon(1e-12));
}

TEST_CASE("mobilenet: make_divisible follows ProxylessNAS") {
  // int(v + 4) // 8 * 8, at least 8, bumped by 8 when more than 10% below v.
  CHECK(MobileNetSpace::make_divisible(32 * 1.0) == 32);
  CHECK(MobileNetSpace::make_divisible(32 * 1.4) == 48);   // 44.8 -> 48
  CHECK(MobileNetSpace::make_divisible(16 * 1.4) == 24);   // 22.4 -> 24
  CHECK(MobileNetSpace::make_divisible(24 * 1.4) == 32);   // 33.6 -> 32
  CHECK(MobileNetSpace::make_divisible(32 * 0.35) == 16);  // 11.2 -> 8 < 10.08 -> 16
  CHECK(MobileNetSpace::make_divisible(96 * 0.5) == 48);
  CHECK(MobileNetSpace::make_divisible(3) == 8);
}

TEST_CASE("mobilenet: the released ProxylessNAS-Mobile has its published params and FLOPs") {
  // mit-han-lab/proxylessnas logs/imagenet_mobile_log.txt, the authors' evaluation of
  // proxyless_mobile on ImageNet: "Total training params: 4.08M", "Total FLOPs: 320.4M"
  // (224x224, 1000 classes). An independent re-count from the config's layers gives exactly
  // 4,080,512 parameters and 320,427,584 multiply-accumulates.
  auto space = MobileNetSpace::create(
      ConfigNode::parse("stage_widths: [32, 40, 80, 96, 192, 320]\n", "<test>"));
  Candidate mobile = space->parse(kProxylessMobile);
  CHECK(space->to_string(mobile) == kProxylessMobile);
  ComputeGraph graph = space->to_graph(mobile);  // defaults: 3x224x224, 1000 classes, 1.0
  CHECK(std::abs(graph.total_params() / 1e6 - 4.08) < 0.005);
  CHECK(std::abs(graph.total_macs() / 1e6 - 320.4) < 0.05);
  CHECK(graph.total_params() == 4080512);
  CHECK(graph.total_macs() == 320427584);
  CHECK(graph.layer(graph.outputs().at(0)).output == TensorShape{1000, 1, 1});
}

TEST_CASE("mobilenet: a small network on 32x32 counted by hand (MobileNetV2 formulas)") {
  // Every stage's first block 3x3_MBConv3, all other blocks zero; default stage widths, width
  // multiplier 1, CIFAR input 3x32x32, 10 classes.
  MobileNetSpace space;
  std::string text;
  const int blocks[] = {4, 4, 4, 4, 4, 1};
  for (int stage = 0; stage < 6; ++stage)
    for (int block = 0; block < blocks[stage]; ++block)
      text += std::string(text.empty() ? "" : "|") + (block == 0 ? "3x3_MBConv3" : "zero");
  GraphOptions options;
  options.input = TensorShape{3, 32, 32};
  options.classes = 10;
  ComputeGraph graph = space.to_graph(space.parse(text), options);

  // MBConv(c_in -> c_out, kernel k, expansion e): [1x1 expand + BN] + depthwise kxk + BN +
  // 1x1 project + BN; BN has 2 parameters per channel.
  auto params = [](std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t e) {
    const std::int64_t mid = in * e;
    return (e == 1 ? 0 : in * mid + 2 * mid) + mid * k * k + 2 * mid + mid * out + 2 * out;
  };
  // MACs: expansion at the input resolution, depthwise and projection at the output resolution.
  auto macs = [](std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t e,
                 std::int64_t h_in, std::int64_t h_out) {
    const std::int64_t mid = in * e;
    return (e == 1 ? 0 : in * mid * h_in * h_in) + mid * k * k * h_out * h_out +
           mid * out * h_out * h_out;
  };
  // Resolutions: 32 -> first conv s2 -> 16; stage strides 2, 2, 2, 1, 2, 1 -> 8, 4, 2, 2, 1, 1.
  std::int64_t expected_params = 3 * 32 * 9 + 64 + params(32, 16, 3, 1) + params(16, 24, 3, 3) +
                                 params(24, 40, 3, 3) + params(40, 80, 3, 3) +
                                 params(80, 96, 3, 3) + params(96, 192, 3, 3) +
                                 params(192, 320, 3, 3) + 320 * 1280 + 2 * 1280 + 1280 * 10 + 10;
  std::int64_t expected_macs =
      3 * 32 * 9 * 16 * 16 + macs(32, 16, 3, 1, 16, 16) + macs(16, 24, 3, 3, 16, 8) +
      macs(24, 40, 3, 3, 8, 4) + macs(40, 80, 3, 3, 4, 2) + macs(80, 96, 3, 3, 2, 2) +
      macs(96, 192, 3, 3, 2, 1) + macs(192, 320, 3, 3, 1, 1) + 320 * 1280 + 1280 * 10;
  CHECK(graph.total_params() == expected_params);
  CHECK(graph.total_macs() == expected_macs);
}

TEST_CASE("mobilenet: width multiplier scales every width with make_divisible") {
  MobileNetSpace space;
  Candidate candidate = space.parse(
      "3x3_MBConv6|zero|zero|zero|3x3_MBConv6|zero|zero|zero|3x3_MBConv6|zero|zero|zero|"
      "3x3_MBConv6|zero|zero|zero|3x3_MBConv6|zero|zero|zero|3x3_MBConv6");
  GraphOptions options;
  options.input = TensorShape{3, 64, 64};
  options.width_multiplier = 0.5;
  ComputeGraph half = space.to_graph(candidate, options);
  // 0.5 x (32, 16, 24, 40, 80, 96, 192, 320) -> 16, 8, 16 (12 -> 16), 24 (20 -> 24), 40, 48, 96,
  // 160; the feature mix keeps 1280 for multipliers <= 1.
  std::vector<int> conv_outputs;
  for (const auto& layer : half.layers())
    if (layer.kind == OpKind::conv2d && layer.name.find("project") != std::string::npos)
      conv_outputs.push_back(layer.output.channels);
  CHECK(conv_outputs == std::vector<int>{8, 16, 24, 40, 48, 96, 160});
  const Layer& mix = half.layer(half.outputs().at(0) - 2);  // feature_mix ..., relu6, pool, fc
  CHECK(mix.name == "feature_mix.relu6");
  CHECK(mix.output.channels == 1280);

  options.width_multiplier = 1.4;
  ComputeGraph wide = space.to_graph(candidate, options);
  const Layer& wide_mix = wide.layer(wide.outputs().at(0) - 2);
  CHECK(wide_mix.output.channels == 1792);  // make_divisible(1280 * 1.4)
}

TEST_CASE("mobilenet: text errors name the position") {
  MobileNetSpace space;
  std::string message = parse_error(space, "zero|" + kProxylessMobile.substr(12));
  CHECK(message.find("position 0") != std::string::npos);
  CHECK(message.find("stage 1 block 1 cannot be zero") != std::string::npos);

  message = parse_error(space, "5x5_MBConv3|3x3_MBConv4|" + kProxylessMobile.substr(24));
  CHECK(message.find("position 12") != std::string::npos);
  CHECK(message.find("unknown block '3x3_MBConv4'") != std::string::npos);
  CHECK(message.find("did you mean") != std::string::npos);

  message = parse_error(space, "5x5_MBConv3|3x3_MBConv3");
  CHECK(message.find("position 23") != std::string::npos);
  CHECK(message.find("expected 21 '|'-separated blocks, got 2") != std::string::npos);

  message = parse_error(space, kProxylessMobile + "|zero");
  CHECK(message.find("position " + std::to_string(kProxylessMobile.size())) != std::string::npos);
  CHECK(message.find("got more") != std::string::npos);

  // Whitespace around tokens is accepted.
  std::string spaced = kProxylessMobile;
  spaced.replace(11, 1, " | ");
  CHECK(space.parse(spaced) == space.parse(kProxylessMobile));
}

TEST_CASE("mobilenet: sample and mutate and neighbours") {
  MobileNetSpace space;
  Rng rng(3);
  for (int i = 0; i < 100; ++i) {
    Candidate candidate = space.sample(rng);
    CHECK(space.parse(space.to_string(candidate)) == candidate);
    Candidate child = space.mutate(candidate, rng);
    int changed = 0;
    for (std::size_t d = 0; d < 21; ++d) changed += child.decisions[d] != candidate.decisions[d];
    CHECK(changed == 1);
    CHECK(space.neighbours(candidate).size() == 6 * 5 + 15 * 6);
  }
  // Every candidate lowers at 32x32 (the 5 stride-2 steps leave 1x1).
  GraphOptions cifar;
  cifar.input = TensorShape{3, 32, 32};
  CHECK_NOTHROW(space.to_graph(space.sample(rng), cifar));
}

TEST_CASE("mobilenet: factory options") {
  auto space = MobileNetSpace::create(ConfigNode::parse(
      "input_shape: [3, 32, 32]\nclasses: 10\nwidth_multiplier: 0.75\n", "<test>"));
  CHECK(space->graph_options().input == TensorShape{3, 32, 32});
  CHECK(space->graph_options().width_multiplier == 0.75);
  auto defaults = MobileNetSpace::create(ConfigNode());
  CHECK(defaults->graph_options().input == TensorShape{3, 224, 224});
  CHECK(defaults->graph_options().classes == 1000);
  CHECK_THROWS_AS(MobileNetSpace::create(ConfigNode::parse("stage_widths: [1, 2]\n", "<t>")),
                  ConfigError);
  CHECK_THROWS_AS(MobileNetSpace::create(ConfigNode::parse("cells_per_stage: 2\n", "<t>")),
                  ConfigError);
  CHECK_THROWS_AS(MobileNetSpace::create(ConfigNode::parse("width_multiplier: -1\n", "<t>")),
                  ConfigError);
}
