// DARTS cell space (see darts_space.hpp).
// Source: Liu et al., ICLR 2019; quark0/darts cnn/operations.py, cnn/model.py, cnn/genotypes.py.
#include "spaces/darts_space.hpp"

#include "core/error.hpp"
#include "spaces/nn_blocks.hpp"
#include "spaces/nn_candidate.hpp"
#include "spaces/nn_options.hpp"
#include "spaces/nn_text_cursor.hpp"

namespace tandem {
namespace {

constexpr int kNodes = 4;                             // intermediate nodes per cell (states 2..5)
constexpr int kEdgesPerNode = 2;                      // each node sums two ops
constexpr int kPerCell = kNodes * kEdgesPerNode * 2;  // decisions per cell (op + input per edge)
const char* const kCellNames[] = {"normal", "reduce"};

enum Op { kMaxPool, kAvgPool, kSkip, kSepConv3, kSepConv5, kDilConv3, kDilConv5 };

int op_decision(int cell, int node, int edge) {
  return cell * kPerCell + node * kEdgesPerNode * 2 + edge * 2;
}
int input_decision(int cell, int node, int edge) {
  return op_decision(cell, node, edge) + 1;
}

// DARTS SepConv: (ReLU, depthwise kxk, pointwise 1x1, BN) twice; only the first has the stride.
LayerId sep_conv(ComputeGraph& graph, const std::string& name, LayerId x, int kernel, int stride) {
  const int C = graph.layer(x).output.channels;
  for (int half = 1; half <= 2; ++half) {
    const std::string part = name + "." + std::to_string(half);
    x = graph.relu(part + ".relu", x);
    x = graph.conv2d(part + ".depthwise", x, C, kernel, half == 1 ? stride : 1, kernel / 2, 1, C);
    x = graph.conv2d(part + ".pointwise", x, C, 1);
    x = graph.batch_norm(part + ".bn", x);
  }
  return x;
}

// DARTS DilConv: ReLU, depthwise kxk dilation 2 (padding 2 for 3x3, 4 for 5x5), pointwise, BN.
LayerId dil_conv(ComputeGraph& graph, const std::string& name, LayerId x, int kernel, int stride) {
  const int C = graph.layer(x).output.channels;
  x = graph.relu(name + ".relu", x);
  x = graph.conv2d(name + ".depthwise", x, C, kernel, stride, kernel - 1, 2, C);
  x = graph.conv2d(name + ".pointwise", x, C, 1);
  return graph.batch_norm(name + ".bn", x);
}

LayerId lower_op(ComputeGraph& graph, const std::string& name, LayerId x, int op, int stride) {
  switch (op) {
    case kMaxPool:
      return graph.max_pool(name + ".max_pool", x, 3, stride, 1);
    case kAvgPool:
      return graph.avg_pool(name + ".avg_pool", x, 3, stride, 1, /*count_include_pad=*/false);
    case kSkip:
      return stride == 1
                 ? graph.identity(name + ".skip", x)
                 : factorized_reduce(graph, name + ".skip", x, graph.layer(x).output.channels);
    case kSepConv3:
      return sep_conv(graph, name + ".sep_conv_3x3", x, 3, stride);
    case kSepConv5:
      return sep_conv(graph, name + ".sep_conv_5x5", x, 5, stride);
    case kDilConv3:
      return dil_conv(graph, name + ".dil_conv_3x3", x, 3, stride);
    case kDilConv5:
      return dil_conv(graph, name + ".dil_conv_5x5", x, 5, stride);
  }
  TANDEM_ASSERT(false);
  return x;
}

// DARTS Cell: preprocess the two inputs to C channels, 4 nodes, concat of the 4 nodes (4C).
LayerId lower_cell(ComputeGraph& graph, const std::string& name, const Candidate& candidate,
                   LayerId prev_prev, LayerId prev, int C, bool reduction, bool reduction_prev) {
  const int cell = reduction ? 1 : 0;
  std::vector<LayerId> states;
  states.push_back(reduction_prev
                       ? factorized_reduce(graph, name + ".preprocess0", prev_prev, C)
                       : relu_conv_bn(graph, name + ".preprocess0", prev_prev, C, 1, 1, 0));
  states.push_back(relu_conv_bn(graph, name + ".preprocess1", prev, C, 1, 1, 0));
  for (int node = 0; node < kNodes; ++node) {
    std::vector<LayerId> terms;
    for (int edge = 0; edge < kEdgesPerNode; ++edge) {
      const int input = candidate.decisions[input_decision(cell, node, edge)];
      const int op = candidate.decisions[op_decision(cell, node, edge)];
      const int stride = reduction && input < 2 ? 2 : 1;
      const std::string edge_name =
          name + ".node" + std::to_string(node + 2) + ".edge" + std::to_string(edge + 1);
      terms.push_back(lower_op(graph, edge_name, states[input], op, stride));
    }
    states.push_back(graph.add_sum(name + ".node" + std::to_string(node + 2), terms));
  }
  return graph.concat(name + ".concat", std::vector<LayerId>(states.begin() + 2, states.end()));
}

std::string concat_text() {
  return "[2, 3, 4, 5]";
}

// Parses "[2, 3, 4, 5]" or "range(2, 6)" (any whitespace).
void parse_concat(TextCursor& cursor, const std::string& key) {
  cursor.skip_whitespace();
  const std::size_t at = cursor.position();
  std::vector<int> values;
  if (cursor.accept("range")) {
    cursor.expect("(");
    int first = cursor.read_int("the range start");
    cursor.expect(",");
    int last = cursor.read_int("the range end");
    cursor.expect(")");
    for (int v = first; v < last && values.size() <= 4; ++v) values.push_back(v);
  } else {
    cursor.expect("[");
    bool closed = cursor.accept("]");
    while (!closed) {
      values.push_back(cursor.read_int("a node index"));
      if (cursor.accept(",")) {
        closed = cursor.accept("]");  // a trailing comma
      } else {
        cursor.expect("]");
        closed = true;
      }
    }
  }
  if (values != std::vector<int>{2, 3, 4, 5})
    cursor.fail_at(at, key + " must be [2, 3, 4, 5] or range(2, 6): the space concatenates all 4 " +
                           "intermediate nodes");
}

}  // namespace

const std::vector<std::string>& DartsSpace::operations() {
  static const std::vector<std::string> ops = {"max_pool_3x3", "avg_pool_3x3", "skip_connect",
                                               "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3",
                                               "dil_conv_5x5"};
  return ops;
}

GraphOptions DartsSpace::published_defaults() {
  GraphOptions defaults;
  defaults.input = TensorShape{3, 32, 32};
  defaults.classes = 10;
  defaults.width = 36;
  defaults.cells_per_stage = 6;
  return defaults;
}

DartsSpace::DartsSpace() {
  for (int cell = 0; cell < 2; ++cell) {
    for (int node = 0; node < kNodes; ++node) {
      std::vector<std::string> inputs;
      for (int state = 0; state < node + 2; ++state) inputs.push_back(std::to_string(state));
      for (int edge = 0; edge < kEdgesPerNode; ++edge) {
        const std::string prefix = std::string(kCellNames[cell]) + " node " +
                                   std::to_string(node + 2) + " edge " + std::to_string(edge + 1);
        decisions_.push_back(Decision{prefix + " op", operations()});
        decisions_.push_back(Decision{prefix + " input", inputs});
      }
    }
  }
  set_graph_options(published_defaults());
}

std::unique_ptr<SearchSpace> DartsSpace::create(const ConfigNode& options) {
  options.check_keys(space_option_keys({"width_multiplier"}, {}));
  auto space = std::make_unique<DartsSpace>();
  space->set_graph_options(read_graph_options(options, published_defaults()));
  return space;
}

std::string DartsSpace::summary() const {
  return "DARTS normal + reduction cells (4 nodes, 2 inputs each, 7 ops) in the C=36, 20-cell "
         "CIFAR network";
}

bool DartsSpace::is_valid(const Candidate& candidate) const {
  if (candidate.decisions.size() != decisions_.size()) return false;
  for (int cell = 0; cell < 2; ++cell)
    for (int node = 0; node < kNodes; ++node)
      if (candidate.decisions[input_decision(cell, node, 0)] ==
          candidate.decisions[input_decision(cell, node, 1)])
        return false;
  return true;
}

double DartsSpace::size() const {
  double per_cell = 1.0;
  const double ops = static_cast<double>(operations().size());
  for (int node = 0; node < kNodes; ++node) {
    const double inputs = node + 2;
    per_cell *= inputs * (inputs - 1) * ops * ops;
  }
  return per_cell * per_cell;
}

std::string DartsSpace::to_string(const Candidate& candidate) const {
  check_ranges(*this, candidate);
  std::string text = "Genotype(";
  for (int cell = 0; cell < 2; ++cell) {
    if (cell) text += ", ";
    text += std::string(kCellNames[cell]) + "=[";
    for (int node = 0; node < kNodes; ++node) {
      for (int edge = 0; edge < kEdgesPerNode; ++edge) {
        if (node || edge) text += ", ";
        text += "('" + operations()[candidate.decisions[op_decision(cell, node, edge)]] + "', " +
                std::to_string(candidate.decisions[input_decision(cell, node, edge)]) + ")";
      }
    }
    text += "], " + std::string(kCellNames[cell]) + "_concat=" + concat_text();
  }
  return text + ")";
}

Candidate DartsSpace::parse(const std::string& text) const {
  TextCursor cursor(name(), text);
  Candidate candidate;
  candidate.decisions.assign(decisions_.size(), 0);
  cursor.expect("Genotype");
  cursor.expect("(");
  for (int cell = 0; cell < 2; ++cell) {
    const std::string cell_name = kCellNames[cell];
    if (cell) cursor.expect(",");
    cursor.expect(cell_name);
    cursor.expect("=");
    cursor.expect("[");
    const int pairs = kNodes * kEdgesPerNode;
    for (int pair = 0; pair < pairs; ++pair) {
      const int node = pair / kEdgesPerNode, edge = pair % kEdgesPerNode;
      if (pair) {
        cursor.skip_whitespace();
        if (cursor.peek() == ']')
          cursor.fail(cell_name + " cell has " + std::to_string(pair) +
                      " (op, input) pairs, expected 8 (2 for each of the 4 nodes)");
        cursor.expect(",");
      }
      cursor.expect("(");
      cursor.skip_whitespace();
      const char quote = cursor.peek() == '"' ? '"' : '\'';
      cursor.expect(std::string(1, quote));
      const std::size_t op_at = cursor.position();
      std::string op = cursor.read_until(std::string(1, quote) + ",)", "an op name");
      candidate.decisions[op_decision(cell, node, edge)] =
          cursor.lookup(op, op_at, operations(), "op");
      cursor.expect(std::string(1, quote), false);
      cursor.expect(",");
      cursor.skip_whitespace();
      const std::size_t input_at = cursor.position();
      const int input = cursor.read_int("an input state");
      if (input > node + 1)
        cursor.fail_at(input_at, cell_name + " node " + std::to_string(node + 2) + " reads state " +
                                     std::to_string(input) + ", expected 0.." +
                                     std::to_string(node + 1) +
                                     " (0, 1 = the cell inputs, 2.. = earlier nodes)");
      if (edge == 1 && input == candidate.decisions[input_decision(cell, node, 0)])
        cursor.fail_at(input_at, cell_name + " node " + std::to_string(node + 2) + " reads state " +
                                     std::to_string(input) +
                                     " twice; its 2 inputs must be distinct");
      candidate.decisions[input_decision(cell, node, edge)] = input;
      cursor.expect(")");
    }
    cursor.accept(",");  // Python allows a trailing comma
    cursor.skip_whitespace();
    if (cursor.peek() != ']')
      cursor.fail(cell_name +
                  " cell has more than 8 (op, input) pairs; expected 2 for each of "
                  "the 4 nodes");
    cursor.expect("]");
    cursor.expect(",");
    cursor.expect(cell_name + "_concat");
    cursor.expect("=");
    parse_concat(cursor, cell_name + "_concat");
  }
  cursor.accept(",");
  cursor.expect(")");
  cursor.expect_end();
  return candidate;
}

ComputeGraph DartsSpace::to_graph(const Candidate& candidate, const GraphOptions& given) const {
  check(candidate);
  const GraphOptions options = resolve_graph_options(given, published_defaults());
  const int layers = 3 * options.cells_per_stage + 2;
  ComputeGraph graph;
  LayerId x = graph.add_input("input", options.input);
  constexpr int kStemMultiplier = 3;
  x = graph.conv2d("stem.conv", x, kStemMultiplier * options.width, 3, 1, 1);
  x = graph.batch_norm("stem.bn", x);
  LayerId prev_prev = x, prev = x;
  int C = options.width;
  bool reduction_prev = false;
  for (int i = 0; i < layers; ++i) {
    const bool reduction = i == layers / 3 || i == 2 * layers / 3;
    if (reduction) C *= 2;
    LayerId out = lower_cell(graph, "cell" + std::to_string(i), candidate, prev_prev, prev, C,
                             reduction, reduction_prev);
    prev_prev = prev;
    prev = out;
    reduction_prev = reduction;
  }
  x = graph.global_avg_pool("global_pool", prev);
  x = graph.linear("classifier", x, options.classes);
  graph.mark_output(x);
  return graph;
}

std::vector<CellDiagram> DartsSpace::cell_diagrams(const Candidate& candidate) const {
  check(candidate);
  std::vector<CellDiagram> cells;
  for (int cell = 0; cell < 2; ++cell) {
    CellDiagram diagram{kCellNames[cell], {"c_{k-2}", "c_{k-1}"}, {}};
    for (int node = 0; node < kNodes; ++node) diagram.nodes.push_back(std::to_string(node + 2));
    diagram.nodes.push_back("c_{k}");
    for (int node = 0; node < kNodes; ++node)
      for (int edge = 0; edge < kEdgesPerNode; ++edge) {
        const int input = candidate.decisions[input_decision(cell, node, edge)];
        diagram.edges.push_back({diagram.nodes[input], std::to_string(node + 2),
                                 operations()[candidate.decisions[op_decision(cell, node, edge)]]});
      }
    for (int node = 0; node < kNodes; ++node)
      diagram.edges.push_back({std::to_string(node + 2), "c_{k}", "concat"});
    cells.push_back(std::move(diagram));
  }
  return cells;
}

}  // namespace tandem
