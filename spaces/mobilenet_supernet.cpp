// The ProxylessNAS weight-sharing supernet of the `mobilenet` space, as core::ComputeGraph pieces.
// Source: mit-han-lab/proxylessnas search/models/super_nets/super_proxyless.py
// (SuperProxylessNASNets: first conv, fixed first block, MobileInvertedResidualBlock(MixedEdge,
// shortcut) per searchable block, feature mix, classifier) and search/modules/mix_op.py
// (build_candidate_ops: the MBConv candidates and `Zero`).
//
//   * Skeleton = MobileNetSpace::to_graph's network with each searchable block's MBConv replaced
//     by a placeholder: `identity` for blocks that keep their shape (they also have the identity
//     shortcut, skeleton add(placeholder, x), as the supernet's MobileInvertedResidualBlock), and
//     `zero` with the new width and stride for a stage's first block (no shortcut).
//   * Candidates: the block's decision choices in order (3x3_MBConv3 ... 7x7_MBConv6, then `zero`
//     where offered), each one-input graph holding the MBConv (ProxylessNAS BN: affine) — or a
//     zero layer, so choosing zero leaves only the shortcut ("the layer is skipped").
//   * Alpha key "block<d>" per block (21 independent alphas, as the paper), decision = d.
#include "spaces/mobilenet_space.hpp"

#include "core/error.hpp"
#include "spaces/nn_blocks.hpp"
#include "spaces/nn_options.hpp"

namespace tandem {
namespace {

struct MbConv {
  int kernel;
  int expand;
};

// "7x7_MBConv3" -> {7, 3}
MbConv parse_mbconv(const std::string& name) {
  const auto x = name.find('x');
  const auto conv = name.find("_MBConv");
  TANDEM_CHECK(x != std::string::npos && conv != std::string::npos,
               "mobilenet supernet: unexpected block choice '" + name + "'");
  return {std::stoi(name.substr(0, x)), std::stoi(name.substr(conv + 7))};
}

ComputeGraph candidate_graph(const std::string& choice, TensorShape in, int out_channels,
                             int stride) {
  ComputeGraph g;
  LayerId x = g.add_input("x", in);
  if (choice == "zero") {
    g.mark_output(g.zero("zero", x, out_channels, stride));
    return g;
  }
  const MbConv conv = parse_mbconv(choice);
  g.mark_output(mobile_inverted_conv(g, "mbconv", x, out_channels, conv.kernel, conv.expand, stride));
  return g;
}

}  // namespace

SupernetDescription MobileNetSpace::supernet(const GraphOptions& given) const {
  const GraphOptions options = resolve_graph_options(given, published_defaults());
  const double multiplier = options.width_multiplier;
  SupernetDescription description;
  ComputeGraph& graph = description.skeleton;
  LayerId x = graph.add_input("input", options.input);
  x = add_stem(graph, x, multiplier);
  std::size_t decision = 0;
  for (int stage = 0; stage < kStages; ++stage) {
    const int width = make_divisible(stage_widths_[static_cast<std::size_t>(stage)] * multiplier);
    for (int block = 0; block < blocks_per_stage()[static_cast<std::size_t>(stage)];
         ++block, ++decision) {
      const std::string name =
          "stage" + std::to_string(stage + 1) + ".block" + std::to_string(block + 1);
      const int stride = block == 0 ? stage_strides()[static_cast<std::size_t>(stage)] : 1;
      const TensorShape in = graph.layer(x).output;
      MixedEdge edge;
      edge.placeholder = block == 0 ? graph.zero(name, x, width, stride) : graph.identity(name, x);
      edge.alpha_key = "block" + std::to_string(decision);
      edge.decision = static_cast<int>(decision);
      for (const std::string& choice : decisions_[decision].choices)
        edge.candidates.push_back({choice, candidate_graph(choice, in, width, stride)});
      const LayerId placeholder = edge.placeholder;
      description.edges.push_back(std::move(edge));
      x = block == 0 ? placeholder : graph.add_sum(name + ".add", {placeholder, x});
    }
  }
  add_head(graph, x, multiplier, options.classes);
  return description;
}

}  // namespace tandem
