// The NB201 weight-sharing supernet: AutoDL's DARTS search network on NAS-Bench-201
// (xautodl/models/cell_searchs/search_model_darts.py TinyNetworkDarts, search_cells.py
// NAS201SearchCell, cell_operations.py OPS), described as core::ComputeGraph pieces.
//
//   stem Conv3x3(no bias)+BN -> N search cells at C -> ResNet block (2C, stride 2) -> N cells at
//   2C -> ResNet block (4C) -> N cells at 4C -> BN+ReLU -> global pool -> linear.
//   Search cell: node_i = sum_{j<i} sum_k softmax(alpha[i<-j])_k op_k(node_j), output = node 3.
//   Cell ops are built with affine=False: ReLU-Conv-BN with BN(affine=False) and, as AutoDL's
//   `bias = not affine`, conv WITH bias; avg_pool_3x3 has no BN (count_include_pad=False).
//   The stem, the ResNet blocks and the last BN are affine (AutoDL defaults).
//   alpha in R^{6x5} is one parameter shared by all 3N cells: edge i<-j of every cell has the
//   alpha key "i<-j" and realises the space decision of that edge.
#include "spaces/nb201_space.hpp"

#include "spaces/nn_blocks.hpp"
#include "spaces/nn_options.hpp"

namespace tandem {
namespace {

// One candidate op of a search-cell edge (C -> C, stride 1) as a one-input graph.
ComputeGraph search_op(const std::string& op, TensorShape shape) {
  ComputeGraph g;
  const int C = shape.channels;
  LayerId x = g.add_input("x", shape);
  LayerId out = x;
  if (op == "none") {
    out = g.zero("zero", x);
  } else if (op == "skip_connect") {
    out = g.identity("skip", x);
  } else if (op == "nor_conv_1x1" || op == "nor_conv_3x3") {
    const int k = op == "nor_conv_1x1" ? 1 : 3;
    out = g.relu("relu", x);
    out = g.conv2d("conv", out, C, k, 1, k / 2, 1, 1, /*bias=*/true);
    out = g.batch_norm("bn", out, /*affine=*/false);
  } else if (op == "avg_pool_3x3") {
    out = g.avg_pool("avg_pool", x, 3, 1, 1, /*count_include_pad=*/false);
  } else {
    throw Error("nb201 supernet: unknown op '" + op + "'");
  }
  g.mark_output(out);
  return g;
}

// ResNetBasicblock(C_in, C_out, stride 2), affine (as nb201_space.cpp's lowering).
LayerId resnet_block(ComputeGraph& graph, const std::string& name, LayerId input,
                     int out_channels) {
  LayerId a = relu_conv_bn(graph, name + ".conv_a", input, out_channels, 3, 2, 1);
  LayerId b = relu_conv_bn(graph, name + ".conv_b", a, out_channels, 3, 1, 1);
  LayerId pooled = graph.avg_pool(name + ".shortcut.avg_pool", input, 2, 2, 0);
  LayerId shortcut = graph.conv2d(name + ".shortcut.conv", pooled, out_channels, 1);
  return graph.add_sum(name + ".add", {shortcut, b});
}

}  // namespace

SupernetDescription Nb201Space::supernet(const GraphOptions& given) const {
  const GraphOptions options = resolve_graph_options(given, published_defaults());
  const int C = options.width;
  const int N = options.cells_per_stage;
  SupernetDescription description;
  ComputeGraph& graph = description.skeleton;
  LayerId x = graph.add_input("input", options.input);
  x = graph.batch_norm("stem.bn", graph.conv2d("stem.conv", x, C, 3, 1, 1));
  int index = 0;
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) x = resnet_block(graph, "cell" + std::to_string(index++), x, C << stage);
    for (int cell = 0; cell < N; ++cell, ++index) {
      const std::string name = "cell" + std::to_string(index);
      std::vector<LayerId> nodes = {x};
      int decision = 0;  // edges in the official order 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2
      for (int to = 1; to < 4; ++to) {
        std::vector<LayerId> terms;
        for (int from = 0; from < to; ++from, ++decision) {
          const std::string key = std::to_string(to) + "<-" + std::to_string(from);
          MixedEdge edge;
          edge.placeholder = graph.identity(name + ".edge" + key, nodes[static_cast<std::size_t>(from)]);
          edge.alpha_key = key;
          edge.decision = decision;
          const TensorShape shape = graph.layer(edge.placeholder).output;
          for (const std::string& op : operations()) edge.candidates.push_back({op, search_op(op, shape)});
          terms.push_back(edge.placeholder);
          description.edges.push_back(std::move(edge));
        }
        nodes.push_back(graph.add_sum(name + ".node" + std::to_string(to), terms));
      }
      x = nodes.back();
    }
  }
  x = graph.relu("lastact.relu", graph.batch_norm("lastact.bn", x));
  x = graph.linear("classifier", graph.global_avg_pool("global_pool", x), options.classes);
  graph.mark_output(x);
  return description;
}

}  // namespace tandem
