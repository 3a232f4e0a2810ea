// NAS-Bench-201 cell space (see nb201_space.hpp).
// Source: Dong & Yang, ICLR 2020; D-X-Y/AutoDL-Projects xautodl/models/cell_infers/
// tiny_network.py (TinyNetwork), cells.py (InferCell, ResNetBasicblock), cell_operations.py (OPS).
#include "spaces/nb201_space.hpp"

#include "core/error.hpp"
#include "spaces/nb201_network.hpp"
#include "spaces/nn_blocks.hpp"
#include "spaces/nn_candidate.hpp"
#include "spaces/nn_options.hpp"
#include "spaces/nn_text_cursor.hpp"

namespace tandem {
namespace {

constexpr int kNodes = 4;  // node 0 = cell input, nodes 1..3 computed, output = node 3

// Decision index of edge i<-j in the official order 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
int edge_index(int to, int from) {
  return to * (to - 1) / 2 + from;
}

enum Op { kNone = 0, kSkip = 1, kConv1x1 = 2, kConv3x3 = 3, kAvgPool = 4 };

// One InferCell edge op (C -> C, stride 1; inside NB201 cells shapes never change).
LayerId lower_edge(ComputeGraph& graph, const std::string& name, LayerId input, int op) {
  const int channels = graph.layer(input).output.channels;
  switch (op) {
    case kNone:
      return graph.zero(name + ".zero", input);
    case kSkip:
      return graph.identity(name + ".skip", input);
    case kConv1x1:
      return relu_conv_bn(graph, name + ".conv1x1", input, channels, 1, 1, 0);
    case kConv3x3:
      return relu_conv_bn(graph, name + ".conv3x3", input, channels, 3, 1, 1);
    case kAvgPool:
      return graph.avg_pool(name + ".avg_pool", input, 3, 1, 1, /*count_include_pad=*/false);
  }
  TANDEM_ASSERT(false);
  return input;
}

LayerId lower_cell(ComputeGraph& graph, const std::string& name, LayerId input,
                   const Candidate& candidate) {
  std::vector<LayerId> nodes = {input};
  for (int to = 1; to < kNodes; ++to) {
    std::vector<LayerId> terms;
    for (int from = 0; from < to; ++from) {
      const std::string edge = name + ".edge" + std::to_string(to) + "<-" + std::to_string(from);
      terms.push_back(
          lower_edge(graph, edge, nodes[from], candidate.decisions[edge_index(to, from)]));
    }
    const std::string node = name + ".node" + std::to_string(to);
    nodes.push_back(terms.size() == 1 ? terms[0] : graph.add_sum(node, terms));
  }
  return nodes.back();
}

}  // namespace

const std::vector<std::string>& Nb201Space::operations() {
  static const std::vector<std::string> ops = {"none", "skip_connect", "nor_conv_1x1",
                                               "nor_conv_3x3", "avg_pool_3x3"};
  return ops;
}

GraphOptions Nb201Space::published_defaults() {
  GraphOptions defaults;
  defaults.input = TensorShape{3, 32, 32};
  defaults.classes = 10;
  defaults.width = 16;
  defaults.cells_per_stage = 5;
  return defaults;
}

Nb201Space::Nb201Space() {
  for (int to = 1; to < kNodes; ++to)
    for (int from = 0; from < to; ++from)
      decisions_.push_back(
          Decision{"edge " + std::to_string(to) + "<-" + std::to_string(from), operations()});
  set_graph_options(published_defaults());
}

std::unique_ptr<SearchSpace> Nb201Space::create(const ConfigNode& options) {
  options.check_keys(space_option_keys({"width_multiplier"}, {}));
  auto space = std::make_unique<Nb201Space>();
  space->set_graph_options(read_graph_options(options, published_defaults()));
  return space;
}

std::string Nb201Space::summary() const {
  return "NAS-Bench-201 cell: 6 edges x 5 ops (15,625 cells) in the C=16, N=5 TinyNetwork";
}

std::string Nb201Space::to_string(const Candidate& candidate) const {
  check_ranges(*this, candidate);
  std::string text;
  for (int to = 1; to < kNodes; ++to) {
    if (to > 1) text += "+";
    text += "|";
    for (int from = 0; from < to; ++from)
      text += operations()[candidate.decisions[edge_index(to, from)]] + "~" + std::to_string(from) +
              "|";
  }
  return text;
}

Candidate Nb201Space::parse(const std::string& text) const {
  TextCursor cursor(name(), text);
  Candidate candidate;
  candidate.decisions.assign(decisions_.size(), 0);
  cursor.skip_whitespace();
  for (int to = 1; to < kNodes; ++to) {
    if (to > 1) cursor.expect("+", false);
    cursor.expect("|", false);
    for (int from = 0; from < to; ++from) {
      if (cursor.at_end() || cursor.peek() == '+')
        cursor.fail("node " + std::to_string(to) + " has " + std::to_string(from) +
                    " inputs, expected " + std::to_string(to) + " ('op~0|...|op~" +
                    std::to_string(to - 1) + "|')");
      const std::size_t op_at = cursor.position();
      std::string op = cursor.read_until("~|+", "an op name");
      candidate.decisions[edge_index(to, from)] = cursor.lookup(op, op_at, operations(), "op");
      cursor.expect("~", false);
      const std::size_t input_at = cursor.position();
      int input = cursor.read_int("an input node");
      if (input != from)
        cursor.fail_at(input_at, "node " + std::to_string(to) + " lists input " +
                                     std::to_string(input) + " where input " +
                                     std::to_string(from) + " is expected (inputs 0.." +
                                     std::to_string(to - 1) + " in order)");
      cursor.expect("|", false);
    }
  }
  cursor.expect_end();
  return candidate;
}

ComputeGraph Nb201Space::to_graph(const Candidate& candidate, const GraphOptions& given) const {
  check(candidate);
  const GraphOptions options = resolve_graph_options(given, published_defaults());
  ComputeGraph graph;
  build_nb201_network(graph, options,
                      [&](ComputeGraph& g, const std::string& name, LayerId input) {
                        return lower_cell(g, name, input, candidate);
                      });
  return graph;
}

std::vector<CellDiagram> Nb201Space::cell_diagrams(const Candidate& candidate) const {
  check(candidate);
  CellDiagram cell{"cell", {"0", "1", "2", "3"}, {}};
  for (int to = 1; to < kNodes; ++to)
    for (int from = 0; from < to; ++from)
      cell.edges.push_back({std::to_string(from), std::to_string(to),
                            operations()[candidate.decisions[edge_index(to, from)]]});
  return {cell};
}

}  // namespace tandem
