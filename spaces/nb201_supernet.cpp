// The NB201 weight-sharing supernet: AutoDL's DARTS search network on NAS-Bench-201
// (xautodl/models/cell_searchs/search_model_darts.py TinyNetworkDarts, search_cells.py
// NAS201SearchCell, cell_operations.py OPS), described as core::ComputeGraph pieces.
//
//   The TinyNetwork skeleton of spaces/nb201_network.hpp (stem Conv3x3(no bias)+BN, 3 stages of
//   N search cells with ResNet blocks between them, BN+ReLU, global pool, linear).
//   Search cell: node_i = sum_{j<i} sum_k softmax(alpha[i<-j])_k op_k(node_j), output = node 3.
//   Cell ops are built with affine=False: ReLU-Conv-BN with BN(affine=False) and, as AutoDL's
//   `bias = not affine`, conv WITH bias; avg_pool_3x3 has no BN (count_include_pad=False).
//   The stem, the ResNet blocks and the last BN are affine (AutoDL defaults).
//   alpha in R^{6x5} is one parameter shared by all 3N cells: edge i<-j of every cell has the
//   alpha key "i<-j" and realises the space decision of that edge.
#include "spaces/nb201_space.hpp"

#include "core/error.hpp"
#include "spaces/nb201_network.hpp"
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

// One search cell: node_i = sum over j < i of the mixed edge i<-j (an identity placeholder of
// node_j, one candidate graph per op), appended to `edges`; returns node 3.
LayerId search_cell(ComputeGraph& graph, const std::string& name, LayerId input,
                    std::vector<MixedEdge>& edges) {
  std::vector<LayerId> nodes = {input};
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
      for (const std::string& op : Nb201Space::operations())
        edge.candidates.push_back({op, search_op(op, shape)});
      terms.push_back(edge.placeholder);
      edges.push_back(std::move(edge));
    }
    nodes.push_back(graph.add_sum(name + ".node" + std::to_string(to), terms));
  }
  return nodes.back();
}

}  // namespace

SupernetDescription Nb201Space::supernet(const GraphOptions& given) const {
  const GraphOptions options = resolve_graph_options(given, published_defaults());
  SupernetDescription description;
  build_nb201_network(description.skeleton, options,
                      [&](ComputeGraph& graph, const std::string& name, LayerId input) {
                        return search_cell(graph, name, input, description.edges);
                      });
  return description;
}

}  // namespace tandem
