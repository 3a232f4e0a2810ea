// ProxylessNAS MobileNetV2 macro space ("mobilenet"): 21 searchable inverted-residual blocks, each
// an MBConv with kernel {3, 5, 7} x expansion {3, 6}, or `zero` (the block is skipped, leaving its
// identity shortcut) where the block keeps its shape (every block but the first of a stage).
// Fixed parts: first conv 3x3 s2 (32 ch), first block 3x3_MBConv1 (16 ch), feature-mix 1x1 conv
// (1280 ch), global pool, linear. ImageNet 224x224 by default; any input of at least 1x1 after
// the 5 stride-2 steps works (32x32 gives 1x1 features).
//
// Candidate text: the 21 block names in order, '|'-separated, with ProxylessNAS's names, e.g.
//   5x5_MBConv3|3x3_MBConv3|zero|zero|7x7_MBConv3|...
//
// Source: Cai, Zhu & Han, "ProxylessNAS: Direct Neural Architecture Search on Target Task and
// Hardware", ICLR 2019; code mit-han-lab/proxylessnas, search/models/super_nets/super_proxyless.py
// (SuperProxylessNASNets), search/modules/layers.py (MBInvertedConvLayer), search/utils
// (make_divisible), search/imagenet_arch_search.py (stage widths/depths/strides defaults).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

class MobileNetSpace : public SearchSpace {
 public:
  static constexpr int kStages = 6;

  // `stage_widths`: output channels of the 6 stages before the width multiplier.
  explicit MobileNetSpace(std::vector<int> stage_widths = default_stage_widths());

  // The search default of imagenet_arch_search.py: 24, 40, 80, 96, 192, 320. (The released
  // ProxylessNAS-Mobile model was searched with 32, 40, 80, 96, 192, 320.)
  static std::vector<int> default_stage_widths();
  // Blocks per stage 4, 4, 4, 4, 4, 1 and first-block strides 2, 2, 2, 1, 2, 1.
  static const std::vector<int>& blocks_per_stage();
  static const std::vector<int>& stage_strides();
  // 3x3_MBConv3, 3x3_MBConv6, 5x5_MBConv3, 5x5_MBConv6, 7x7_MBConv3, 7x7_MBConv6 (+ "zero").
  static const std::vector<std::string>& mbconv_choices();
  // ImageNet: 3x224x224 input, 1000 classes, width multiplier 1.0.
  static GraphOptions published_defaults();
  // ProxylessNAS make_divisible(v, 8): round to the nearest multiple of 8, at least 8, and never
  // more than 10% below v.
  static int make_divisible(double value, int divisor = 8);
  // Registry factory; accepts input_shape, classes, width_multiplier, stage_widths.
  static std::unique_ptr<SearchSpace> create(const ConfigNode& options);

  std::string name() const override { return "mobilenet"; }
  std::string summary() const override;
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string to_string(const Candidate& candidate) const override;
  Candidate parse(const std::string& text) const override;
  using SearchSpace::to_graph;
  // Widths are make_divisible(width * multiplier, 8); the feature-mix layer keeps 1280 channels
  // unless the multiplier exceeds 1 (as in ProxylessNAS). Zero choices are offered on the
  // structural positions (not first in a stage) whatever the multiplier; ProxylessNAS would also
  // offer one on a stage's first stride-1 block if rounding made its width equal the previous
  // stage's (possible only for multipliers below about 0.4).
  ComputeGraph to_graph(const Candidate& candidate, const GraphOptions& options) const override;
  // ProxylessNAS's search supernet (SuperProxylessNASNets, spaces/mobilenet_supernet.cpp): the
  // same skeleton with every searchable block's MBConv a mixed edge over the block's choices
  // (candidate k = decision value k, zero included where offered), alpha key "block<d>" and
  // MixedEdge::decision = d; the identity shortcut stays in the skeleton.
  SupernetDescription supernet(const GraphOptions& options) const override;

  const std::vector<int>& stage_widths() const { return stage_widths_; }

 private:
  // The fixed layers around the searchable blocks, shared by to_graph() and supernet(): the stem
  // (first_conv, block0) and the head (feature_mix, global pool, classifier; marked output).
  static LayerId add_stem(ComputeGraph& graph, LayerId input, double multiplier);
  static void add_head(ComputeGraph& graph, LayerId x, double multiplier, int classes);

  std::vector<int> stage_widths_;
  std::vector<Decision> decisions_;
};

}  // namespace tandem
