// Cell diagrams (SearchSpace::cell_diagrams), the graph a report draws for a candidate, checked
// edge by edge against the published cell strings read by hand.
#include <doctest/doctest.h>

#include "spaces/search_space.hpp"

namespace tandem {
namespace {

std::vector<std::string> edge_texts(const CellDiagram& cell) {
  std::vector<std::string> out;
  for (const auto& edge : cell.edges) out.push_back(edge.from + "->" + edge.to + " " + edge.op);
  return out;
}

}  // namespace

TEST_CASE("cell diagrams: an NB201 cell string gives its six edges with their ops") {
  auto space = space_registry().create("nb201", ConfigNode());
  // Read by hand: node 1 <- 0 by conv3x3; node 2 <- 0 by skip, <- 1 by none; node 3 <- 0 by
  // conv1x1, <- 1 by avg pool, <- 2 by conv3x3.
  const Candidate candidate = space->parse(
      "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_3x3~2|");
  const auto cells = space->cell_diagrams(candidate);
  REQUIRE(cells.size() == 1);
  CHECK(cells[0].nodes == std::vector<std::string>{"0", "1", "2", "3"});
  CHECK(edge_texts(cells[0]) ==
        std::vector<std::string>{"0->1 nor_conv_3x3", "0->2 skip_connect", "1->2 none",
                                 "0->3 nor_conv_1x1", "1->3 avg_pool_3x3", "2->3 nor_conv_3x3"});
}

TEST_CASE("cell diagrams: DARTS_V2 gives a normal and a reduce cell with 8 op edges each") {
  auto space = space_registry().create("darts", ConfigNode());
  const Candidate candidate = space->parse(
      "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
      "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
      "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
      "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
      "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])");
  const auto cells = space->cell_diagrams(candidate);
  REQUIRE(cells.size() == 2);
  CHECK(cells[0].name == "normal");
  CHECK(cells[1].name == "reduce");
  CHECK(cells[0].nodes ==
        std::vector<std::string>{"c_{k-2}", "c_{k-1}", "2", "3", "4", "5", "c_{k}"});
  const auto normal = edge_texts(cells[0]);
  REQUIRE(normal.size() == 12);  // 4 nodes x 2 inputs, plus 4 edges into the concatenation
  // Node 5 = skip_connect(c_{k-2}) + dil_conv_3x3(node 2), the genotype's last pair.
  CHECK(normal[6] == "c_{k-2}->5 skip_connect");
  CHECK(normal[7] == "2->5 dil_conv_3x3");
  CHECK(normal[11] == "5->c_{k} concat");
  const auto reduce = edge_texts(cells[1]);
  CHECK(reduce[2] == "2->3 skip_connect");
  CHECK(reduce[7] == "c_{k-1}->5 max_pool_3x3");
}

TEST_CASE("cell diagrams: a joint candidate draws its network part and macro spaces have none") {
  ConfigNode joint = ConfigNode::parse(
      "network: {space: nb201}\naccelerator: {space: systolic_hw, options: {rows: [8], cols: [8]}}",
      "joint options");
  auto space = space_registry().create("joint", joint);
  Rng rng(3);
  const Candidate candidate = space->sample(rng);
  const auto cells = space->cell_diagrams(candidate);
  REQUIRE(cells.size() == 1);
  CHECK(cells[0].edges.size() == 6);
  auto mobilenet = space_registry().create("mobilenet", ConfigNode());
  CHECK(mobilenet->cell_diagrams(mobilenet->sample(rng)).empty());
}

}  // namespace tandem
