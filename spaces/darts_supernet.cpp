// The DARTS weight-sharing supernet: the search network of quark0/darts cnn/model_search.py
// (Network, Cell, MixedOp) with the ops of cnn/operations.py built with affine=False, described as
// core::ComputeGraph pieces.
//
//   stem Conv3x3(3 -> 3C, no bias) + BN (affine) -> L = 3N+2 cells (default N=2: 8 cells; cells
//   floor(L/3) and floor(2L/3) are reduction cells and double C) -> global pool -> linear.
//   Cell: s0 = FactorizedReduce (after a reduction cell) or ReLUConvBN 1x1 of cell k-2's output,
//   s1 = ReLUConvBN 1x1 of cell k-1's; node i (state 2..5) = sum_{j<i} MixedOp_{i<-j}(state j),
//   stride 2 on edges from s0/s1 in reduction cells; output = concat(states 2..5) (4C channels).
//   MixedOp: the 8 PRIMITIVES (none, max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3,
//   sep_conv_5x5, dil_conv_3x3, dil_conv_5x5), every BN affine=False, pools followed by
//   BN(affine=False), all convs bias-free.
//   Alpha keys: "normal/<i><-<j>" for the 14 edges of every normal cell, "reduce/<i><-<j>" for
//   every reduction cell (alphas_normal / alphas_reduce in R^{14x8}).
// FactorizedReduce: as spaces/nn_blocks.hpp, the shifted branch (x[:, :, 1:, 1:]) reads the
// unshifted input (ComputeGraph has no shift op); shapes, parameters and MACs are identical.
#include "spaces/darts_space.hpp"

#include "spaces/nn_options.hpp"

namespace tandem {
namespace {

constexpr bool kAffine = false;  // every op of the search network

LayerId relu_conv_bn_search(ComputeGraph& g, const std::string& name, LayerId x, int out,
                            int kernel, int stride, int padding) {
  x = g.relu(name + ".relu", x);
  x = g.conv2d(name + ".conv", x, out, kernel, stride, padding);
  return g.batch_norm(name + ".bn", x, kAffine);
}

LayerId factorized_reduce_search(ComputeGraph& g, const std::string& name, LayerId x, int out) {
  x = g.relu(name + ".relu", x);
  LayerId a = g.conv2d(name + ".conv_1", x, out / 2, 1, 2, 0);
  LayerId b = g.conv2d(name + ".conv_2", x, out - out / 2, 1, 2, 0);
  return g.batch_norm(name + ".bn", g.concat(name + ".concat", {a, b}), kAffine);
}

// SepConv: (ReLU, depthwise kxk, pointwise 1x1, BN) twice, the stride in the first half only.
LayerId sep_conv(ComputeGraph& g, LayerId x, int C, int kernel, int stride) {
  for (int half = 1; half <= 2; ++half) {
    const std::string part = "half" + std::to_string(half);
    x = g.relu(part + ".relu", x);
    x = g.conv2d(part + ".depthwise", x, C, kernel, half == 1 ? stride : 1, kernel / 2, 1, C);
    x = g.conv2d(part + ".pointwise", x, C, 1);
    x = g.batch_norm(part + ".bn", x, kAffine);
  }
  return x;
}

// DilConv: ReLU, depthwise kxk dilation 2, pointwise 1x1, BN.
LayerId dil_conv(ComputeGraph& g, LayerId x, int C, int kernel, int stride) {
  x = g.relu("relu", x);
  x = g.conv2d("depthwise", x, C, kernel, stride, kernel - 1, 2, C);
  x = g.conv2d("pointwise", x, C, 1);
  return g.batch_norm("bn", x, kAffine);
}

// One MixedOp candidate (C -> C, `stride`) as a one-input graph.
ComputeGraph search_op(const std::string& op, TensorShape shape, int stride) {
  ComputeGraph g;
  const int C = shape.channels;
  LayerId x = g.add_input("x", shape);
  LayerId out = x;
  if (op == "none") {
    out = g.zero("zero", x, 0, stride);
  } else if (op == "max_pool_3x3") {
    out = g.batch_norm("bn", g.max_pool("max_pool", x, 3, stride, 1), kAffine);
  } else if (op == "avg_pool_3x3") {
    out = g.batch_norm("bn", g.avg_pool("avg_pool", x, 3, stride, 1, false), kAffine);
  } else if (op == "skip_connect") {
    out = stride == 1 ? g.identity("skip", x) : factorized_reduce_search(g, "reduce", x, C);
  } else if (op == "sep_conv_3x3" || op == "sep_conv_5x5") {
    out = sep_conv(g, x, C, op == "sep_conv_3x3" ? 3 : 5, stride);
  } else if (op == "dil_conv_3x3" || op == "dil_conv_5x5") {
    out = dil_conv(g, x, C, op == "dil_conv_3x3" ? 3 : 5, stride);
  } else {
    throw Error("darts supernet: unknown op '" + op + "'");
  }
  g.mark_output(out);
  return g;
}

}  // namespace

const std::vector<std::string>& DartsSpace::primitives() {
  static const std::vector<std::string> ops = [] {
    std::vector<std::string> list = {"none"};
    list.insert(list.end(), operations().begin(), operations().end());
    return list;
  }();
  return ops;
}

SupernetDescription DartsSpace::supernet(const GraphOptions& given) const {
  GraphOptions search_defaults = published_defaults();
  search_defaults.width = 16;          // cnn/train_search.py --init_channels 16
  search_defaults.cells_per_stage = 2;  // --layers 8 = 3N+2
  const GraphOptions options = resolve_graph_options(given, search_defaults);
  const int layers = 3 * options.cells_per_stage + 2;
  int C = options.width;
  SupernetDescription description;
  ComputeGraph& graph = description.skeleton;
  LayerId input = graph.add_input("input", options.input);
  LayerId stem = graph.batch_norm("stem.bn", graph.conv2d("stem.conv", input, 3 * C, 3, 1, 1));
  LayerId prev_prev = stem, prev = stem;
  bool reduction_prev = false;
  for (int index = 0; index < layers; ++index) {
    const bool reduction = index == layers / 3 || index == 2 * layers / 3;
    if (reduction) C *= 2;
    const std::string name = "cell" + std::to_string(index);
    const std::string type = reduction ? "reduce" : "normal";
    std::vector<LayerId> states = {
        reduction_prev ? factorized_reduce_search(graph, name + ".preprocess0", prev_prev, C)
                       : relu_conv_bn_search(graph, name + ".preprocess0", prev_prev, C, 1, 1, 0),
        relu_conv_bn_search(graph, name + ".preprocess1", prev, C, 1, 1, 0)};
    for (int node = 2; node <= 5; ++node) {
      std::vector<LayerId> terms;
      for (int j = 0; j < node; ++j) {
        const int stride = reduction && j < 2 ? 2 : 1;
        const std::string key = std::to_string(node) + "<-" + std::to_string(j);
        const LayerId from = states[static_cast<std::size_t>(j)];
        MixedEdge edge;
        edge.placeholder = stride == 1 ? graph.identity(name + ".edge" + key, from)
                                       : graph.zero(name + ".edge" + key, from, 0, stride);
        edge.alpha_key = type + "/" + key;
        const TensorShape shape = graph.layer(from).output;
        for (const std::string& op : primitives())
          edge.candidates.push_back({op, search_op(op, shape, stride)});
        terms.push_back(edge.placeholder);
        description.edges.push_back(std::move(edge));
      }
      states.push_back(graph.add_sum(name + ".node" + std::to_string(node), terms));
    }
    const LayerId output =
        graph.concat(name + ".concat", std::vector<LayerId>(states.begin() + 2, states.end()));
    prev_prev = prev;
    prev = output;
    reduction_prev = reduction;
  }
  LayerId x = graph.global_avg_pool("global_pool", prev);
  graph.mark_output(graph.linear("classifier", x, options.classes));
  return description;
}

}  // namespace tandem
