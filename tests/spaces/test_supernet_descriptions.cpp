// The weight-sharing supernets of the nb201 and darts spaces: edge counts, alpha keys, decision
// mapping, parameter counts against hand-computed formulas of the official search networks
// (AutoDL TinyNetworkDarts; quark0/darts model_search.Network), and, for one architecture, the
// sub-network the supernet holds has exactly the MACs of the space's own lowering.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "spaces/darts_space.hpp"
#include "spaces/nb201_space.hpp"

using namespace tandem;

namespace {

std::int64_t candidate_params(const SupernetDescription& d) {
  std::int64_t total = 0;
  for (const MixedEdge& edge : d.edges)
    for (const CandidateOp& op : edge.candidates) total += op.graph.total_params();
  return total;
}

// MACs of the sub-network that keeps candidate `choice[e]` on every edge (-1: the edge is off).
std::int64_t subnetwork_macs(const SupernetDescription& d, const std::vector<int>& choice) {
  std::int64_t total = d.skeleton.total_macs();  // placeholders are identity / zero: 0 MACs
  for (std::size_t e = 0; e < d.edges.size(); ++e)
    if (choice[e] >= 0)
      total += d.edges[e].candidates[static_cast<std::size_t>(choice[e])].graph.total_macs();
  return total;
}

GraphOptions options(TensorShape input, int classes, int width, int cells) {
  GraphOptions o;
  o.input = input;
  o.classes = classes;
  o.width = width;
  o.cells_per_stage = cells;
  return o;
}

}  // namespace

TEST_CASE("nb201 supernet: 15 cells x 6 edges, 6 shared alpha keys, one decision per edge") {
  Nb201Space space;
  const SupernetDescription d = space.supernet(GraphOptions{});  // C=16, N=5, 3x32x32, 10
  REQUIRE(d.edges.size() == 90);
  const std::vector<std::string> keys = {"1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"};
  std::set<std::string> seen;
  for (std::size_t e = 0; e < d.edges.size(); ++e) {
    const MixedEdge& edge = d.edges[e];
    CHECK(edge.alpha_key == keys[e % 6]);
    CHECK(edge.decision == static_cast<int>(e % 6));
    CHECK(space.decisions()[static_cast<std::size_t>(edge.decision)].name == "edge " + keys[e % 6]);
    REQUIRE(edge.candidates.size() == 5);
    for (std::size_t k = 0; k < 5; ++k) CHECK(edge.candidates[k].name == Nb201Space::operations()[k]);
    CHECK(edge.choice_of_candidate.empty());  // candidate index = decision value
    seen.insert(edge.alpha_key);
  }
  CHECK(seen.size() == 6);
  // stage widths: edges of cells 0-4 at 16 channels 32x32, 5-9 at 32 16x16, 10-14 at 64 8x8
  CHECK(d.skeleton.layer(d.edges[0].placeholder).output == TensorShape{16, 32, 32});
  CHECK(d.skeleton.layer(d.edges[30].placeholder).output == TensorShape{32, 16, 16});
  CHECK(d.skeleton.layer(d.edges[89].placeholder).output == TensorShape{64, 8, 8});

  // Hand count of TinyNetworkDarts(C=16, N=5, 10 classes): cell convs carry a bias (AutoDL
  // bias = not affine) and their BN is affine=False (no parameters).
  auto cell = [](std::int64_t c) { return 6 * ((c * c + c) + (9 * c * c + c)); };
  auto resblock = [](std::int64_t in, std::int64_t out) {
    return 9 * in * out + 2 * out + 9 * out * out + 2 * out + in * out;
  };
  const std::int64_t expected = (27 * 16 + 2 * 16) + 5 * cell(16) + resblock(16, 32) +
                                5 * cell(32) + resblock(32, 64) + 5 * cell(64) + 2 * 64 +
                                (64 * 10 + 10);
  CHECK(expected == 1692826);
  CHECK(d.skeleton.total_params() + candidate_params(d) == expected);
}

TEST_CASE("nb201 supernet: the sub-network of one cell has the MACs of the space's network") {
  Nb201Space space;
  const GraphOptions o = options({1, 8, 8}, 10, 8, 2);
  const SupernetDescription d = space.supernet(o);
  const Candidate c = space.parse(
      "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|");
  std::vector<int> choice;
  for (const MixedEdge& edge : d.edges) choice.push_back(c.decisions[static_cast<std::size_t>(edge.decision)]);
  CHECK(subnetwork_macs(d, choice) == space.to_graph(c, o).total_macs());
  // the input shape and classes follow the options
  CHECK(d.skeleton.layer(d.skeleton.inputs()[0]).output == TensorShape{1, 8, 8});
  CHECK(d.skeleton.layer(d.skeleton.outputs()[0]).output.channels == 10);
  CHECK(d.edges.size() == 6 * 3 * 2);
}

TEST_CASE("darts supernet: 8 cells x 14 edges, normal/reduce alpha keys, 8 primitives") {
  DartsSpace space;
  const SupernetDescription d = space.supernet(GraphOptions{});  // C=16, 8 cells, 3x32x32
  REQUIRE(d.edges.size() == 8 * 14);
  CHECK(DartsSpace::primitives() ==
        std::vector<std::string>{"none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
                                 "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"});
  std::map<std::string, int> uses;
  for (std::size_t e = 0; e < d.edges.size(); ++e) {
    const MixedEdge& edge = d.edges[e];
    const int cell = static_cast<int>(e / 14);
    const bool reduction = cell == 2 || cell == 5;  // floor(8/3), floor(16/3)
    CHECK(edge.decision == -1);
    CHECK(edge.candidates.size() == 8);
    CHECK(edge.alpha_key.rfind(reduction ? "reduce/" : "normal/", 0) == 0);
    ++uses[edge.alpha_key];
  }
  CHECK(uses.size() == 28);
  for (const auto& [key, count] : uses) CHECK(count == (key[0] == 'r' ? 2 : 6));
  // edge order inside a cell: node 2: 2<-0, 2<-1; node 3: 3<-0..3<-2; ...; node 5: 5<-0..5<-4
  CHECK(d.edges[0].alpha_key == "normal/2<-0");
  CHECK(d.edges[4].alpha_key == "normal/3<-2");
  CHECK(d.edges[13].alpha_key == "normal/5<-4");
  CHECK(d.edges[28].alpha_key == "reduce/2<-0");
  // reduction edges from s0/s1 halve the resolution; those from nodes keep it
  CHECK(d.skeleton.layer(d.edges[28].placeholder).output == TensorShape{32, 16, 16});
  CHECK(d.skeleton.input_shape(d.edges[28].placeholder) == TensorShape{32, 32, 32});
  CHECK(d.edges[32].alpha_key == "reduce/3<-2");  // from node 2, already 16x16
  CHECK(d.skeleton.layer(d.edges[32].placeholder).output == TensorShape{32, 16, 16});
  CHECK(d.skeleton.input_shape(d.edges[32].placeholder) == TensorShape{32, 16, 16});

  // Hand count of model_search.Network(C=16, 10 classes, layers=8): only the stem BN is affine.
  auto edge_params = [](std::int64_t c, bool strided) {
    const std::int64_t sep = [&](std::int64_t k) { return 2 * (k * k * c + c * c); }(3) +
                             [&](std::int64_t k) { return 2 * (k * k * c + c * c); }(5);
    const std::int64_t dil = (9 * c + c * c) + (25 * c + c * c);
    return sep + dil + (strided ? c * c : 0);  // FactorizedReduce skip on strided edges
  };
  std::int64_t expected = 3 * 48 * 9 + 2 * 48;
  std::int64_t c_pp = 48, c_p = 48, c = 16;
  for (int i = 0; i < 8; ++i) {
    const bool reduction = i == 2 || i == 5;
    if (reduction) c *= 2;
    expected += c_pp * c + c_p * c;  // preprocess0 (ReLUConvBN or FactorizedReduce) + 1
    for (int node = 2; node <= 5; ++node)
      for (int j = 0; j < node; ++j) expected += edge_params(c, reduction && j < 2);
    c_pp = c_p;
    c_p = 4 * c;
  }
  expected += c_p * 10 + 10;
  CHECK(d.skeleton.total_params() + candidate_params(d) == expected);
}

TEST_CASE("darts supernet: a genotype's sub-network has the MACs of the space's network") {
  DartsSpace space;
  const GraphOptions o = options({1, 8, 8}, 10, 8, 1);  // 5 cells, reductions at 1 and 3
  const SupernetDescription d = space.supernet(o);
  REQUIRE(d.edges.size() == 5 * 14);
  const Candidate c = space.parse(
      "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_5x5', 1), ('skip_connect', 0), "
      "('dil_conv_3x3', 2), ('max_pool_3x3', 1), ('dil_conv_5x5', 3), ('avg_pool_3x3', 4), "
      "('sep_conv_3x3', 0)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
      "('skip_connect', 1), ('skip_connect', 2), ('sep_conv_5x5', 1), ('dil_conv_3x3', 0), "
      "('avg_pool_3x3', 3), ('sep_conv_3x3', 4), ('dil_conv_5x5', 1)], reduce_concat=[2, 3, 4, 5])");
  // choice per edge: the genotype's op on its (node, input) edges, off elsewhere
  std::vector<int> choice(d.edges.size(), -1);
  for (std::size_t e = 0; e < d.edges.size(); ++e) {
    const std::string& key = d.edges[e].alpha_key;
    const int cell = key[0] == 'r' ? 1 : 0;
    const auto slash = key.find('/');
    const int node = std::stoi(key.substr(slash + 1));
    const int input = std::stoi(key.substr(key.find("<-") + 2));
    for (int pair = 0; pair < 2; ++pair) {
      const std::size_t base = static_cast<std::size_t>(cell * 16 + (node - 2) * 4 + pair * 2);
      if (c.decisions[base + 1] == input) choice[e] = c.decisions[base] + 1;  // +1: skip 'none'
    }
  }
  CHECK(subnetwork_macs(d, choice) == space.to_graph(c, o).total_macs());
}

TEST_CASE("supernet candidate graphs read and write the placeholder's shapes") {
  Nb201Space nb201;
  DartsSpace darts;
  for (const SupernetDescription& d :
       {nb201.supernet(options({1, 8, 8}, 10, 4, 1)), darts.supernet(options({1, 8, 8}, 10, 4, 1))}) {
    for (const MixedEdge& edge : d.edges) {
      for (const CandidateOp& op : edge.candidates) {
        const ComputeGraph& g = op.graph;
        REQUIRE(g.inputs().size() == 1);
        CHECK(g.layer(g.inputs()[0]).output == d.skeleton.input_shape(edge.placeholder));
        CHECK(g.layer(g.outputs().front()).output == d.skeleton.layer(edge.placeholder).output);
      }
    }
  }
}
