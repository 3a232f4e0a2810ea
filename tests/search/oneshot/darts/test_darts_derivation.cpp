// Derivation rules on hand-set architecture weights: the exact DARTS rule (top-2 incoming edges
// by max non-none weight, stable ties, argmax non-none op) reproducing the published DARTS_V2
// genotype, ties and `none` handling by hand; AutoDL's NB201 argmax (none included); the mapping
// of per-edge choices back to a candidate.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "search/oneshot/darts/derivation.hpp"
#include "spaces/darts_space.hpp"
#include "spaces/nb201_space.hpp"

using namespace tandem;

namespace {

// PRIMITIVES indices
enum { kNone, kMax, kAvg, kSkip, kSep3, kSep5, kDil3, kDil5 };

// quark0/darts cnn/genotypes.py DARTS_V2, verbatim.
const std::string kDartsV2 =
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

std::vector<double> row(double base, std::initializer_list<std::pair<int, double>> set) {
  std::vector<double> w(8, base);
  for (auto [k, v] : set) w[static_cast<std::size_t>(k)] = v;
  return w;
}

}  // namespace

TEST_CASE("darts rule: top-2 edges by max non-none weight, none never chosen") {
  // edge 0 is dominated by none (0.9) but its best real op is weak (0.02): not kept.
  const std::vector<std::vector<double>> w = {
      row(0.01, {{kNone, 0.9}, {kSep3, 0.02}}),
      row(0.05, {{kSkip, 0.30}}),
      row(0.05, {{kDil3, 0.25}, {kNone, 0.6}}),
  };
  const auto genes = darts_node_genes(w, kNone);
  REQUIRE(genes.size() == 2);
  CHECK(genes[0] == DartsGene{kSkip, 1});  // highest score first
  CHECK(genes[1] == DartsGene{kDil3, 2});  // none (0.6) ignored, dil_conv_3x3 wins
}

TEST_CASE("darts rule: ties keep the earlier edge and the earlier op") {
  const std::vector<std::vector<double>> w = {
      row(0.1, {{kSep3, 0.3}, {kDil3, 0.3}}),  // op tie: sep_conv_3x3 comes first
      row(0.1, {{kSkip, 0.3}}),                // edge tie with edge 0
      row(0.1, {{kMax, 0.3}}),                 // a third tie: dropped (stable order)
      row(0.1, {}),
  };
  const auto genes = darts_node_genes(w, kNone);
  CHECK(genes[0] == DartsGene{kSep3, 0});
  CHECK(genes[1] == DartsGene{kSkip, 1});
  // the larger second edge goes first
  auto w2 = w;
  w2[3][kAvg] = 0.31;
  const auto genes2 = darts_node_genes(w2, kNone);
  CHECK(genes2[0] == DartsGene{kAvg, 3});
  CHECK(genes2[1] == DartsGene{kSep3, 0});
}

TEST_CASE("darts rule on a whole genotype reproduces DARTS_V2") {
  DartsSpace space;
  const Candidate expected = space.parse(kDartsV2);
  // weights: the genotype's first gene 0.5, second 0.4, everything else small; a large `none` on
  // every edge that is not kept (it must not matter).
  std::map<std::string, std::vector<double>> weights;
  const char* cells[] = {"normal", "reduce"};
  for (int cell = 0; cell < 2; ++cell) {
    for (int node = 2; node <= 5; ++node) {
      for (int j = 0; j < node; ++j)
        weights[std::string(cells[cell]) + "/" + std::to_string(node) + "<-" + std::to_string(j)] =
            row(0.01, {{kNone, 0.8}});
      for (int gene = 0; gene < 2; ++gene) {
        const std::size_t base = static_cast<std::size_t>(cell * 16 + (node - 2) * 4 + gene * 2);
        const int op = expected.decisions[base] + 1;  // space op index -> PRIMITIVES index
        const int input = expected.decisions[base + 1];
        auto& w = weights[std::string(cells[cell]) + "/" + std::to_string(node) + "<-" +
                          std::to_string(input)];
        w[kNone] = 0.01;
        w[static_cast<std::size_t>(op)] = gene == 0 ? 0.5 : 0.4;
      }
    }
  }
  const Candidate derived = darts_genotype(space, weights, DartsSpace::primitives());
  CHECK(space.to_string(derived) == kDartsV2);
  // a missing edge is an error naming it
  weights.erase("reduce/4<-3");
  CHECK_THROWS_WITH_AS(darts_genotype(space, weights, DartsSpace::primitives()),
                       doctest::Contains("reduce/4<-3"), Error);
}

TEST_CASE("nb201 argmax derivation: none can win (AutoDL genotype), choices map to decisions") {
  Nb201Space space;
  GraphOptions o;
  o.input = {1, 8, 8};
  o.width = 4;
  o.cells_per_stage = 1;
  const SupernetDescription d = space.supernet(o);
  // per alpha key: ops none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3
  const std::map<std::string, std::vector<double>> by_key = {
      {"1<-0", {0.40, 0.30, 0.10, 0.10, 0.10}}, {"2<-0", {0.10, 0.15, 0.50, 0.15, 0.10}},
      {"2<-1", {0.10, 0.10, 0.10, 0.60, 0.10}}, {"3<-0", {0.20, 0.20, 0.20, 0.20, 0.20}},
      {"3<-1", {0.05, 0.05, 0.05, 0.05, 0.80}}, {"3<-2", {0.10, 0.45, 0.15, 0.15, 0.15}}};
  std::vector<std::vector<double>> per_edge;
  for (const MixedEdge& edge : d.edges) per_edge.push_back(by_key.at(edge.alpha_key));
  const Candidate c = candidate_from_edge_choices(space, d, argmax_choices(per_edge));
  // 3<-0 is a five-way tie: the first op (none) wins, as torch.argmax
  CHECK(space.to_string(c) ==
        "|none~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|none~0|avg_pool_3x3~1|skip_connect~2|");
  // edges of one decision that disagree are an error
  std::vector<int> choices = argmax_choices(per_edge);
  choices[6] = (choices[0] + 1) % 5;  // edge 1<-0 of the second cell
  CHECK_THROWS_WITH_AS(candidate_from_edge_choices(space, d, choices),
                       doctest::Contains("disagree"), Error);
}
