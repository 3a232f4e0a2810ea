// PathCodec: a hand-written DARTS genotype sets the expected op on every supernet edge (the
// selected (op, input) genes, `none` elsewhere), the admitted paths are counted against the
// space's own size formula and against hand-counted few-shot restrictions, an unsatisfiable split
// is named, and the additive path complexity equals the MACs (and, up to the search cells' bias /
// affine difference, the parameters) of the network the space lowers independently (nb201).
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "core/error.hpp"
#include "tests/search/oneshot/darts/darts_test_support.hpp"
#include "search/oneshot/single_path/path_codec.hpp"
#include "search/oneshot/single_path/spos.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// The op name on every edge of `key` (all cells of the type), which must agree.
std::string op_on(const SupernetDescription& d, const std::vector<int>& path,
                  const std::string& key) {
  std::set<std::string> names;
  for (std::size_t e = 0; e < d.edges.size(); ++e)
    if (d.edges[e].alpha_key == key)
      names.insert(path[e] < 0 ? "?" : d.edges[e].candidates[static_cast<std::size_t>(path[e])].name);
  REQUIRE(names.size() == 1);
  return *names.begin();
}

std::vector<int> ops_named(const SupernetDescription& d, const std::string& key,
                           const std::vector<std::string>& names) {
  std::vector<int> ops;
  for (const MixedEdge& edge : d.edges)
    if (edge.alpha_key == key) {
      for (std::size_t k = 0; k < edge.candidates.size(); ++k)
        for (const std::string& name : names)
          if (edge.candidates[k].name == name) ops.push_back(static_cast<int>(k));
      return ops;
    }
  FAIL("no edge " << key);
  return ops;
}

void restrict_key(Supernet& net, const SupernetDescription& d, const std::string& key,
                  const std::vector<int>& ops) {
  for (std::size_t e = 0; e < d.edges.size(); ++e)
    if (d.edges[e].alpha_key == key) net.set_allowed(e, ops);
}

const char* kGenotype =
    "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('max_pool_3x3', 2), "
    "('dil_conv_5x5', 0), ('avg_pool_3x3', 3), ('sep_conv_5x5', 1), ('skip_connect', 4), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('avg_pool_3x3', 0), ('sep_conv_3x3', 3), "
    "('skip_connect', 2), ('dil_conv_5x5', 4), ('sep_conv_5x5', 1)], reduce_concat=[2, 3, 4, 5])";

}  // namespace

TEST_CASE("darts single path: the genes' ops on their edges, none on the rest, in both gene orders") {
  DartsSpace space;
  const SupernetDescription d = space.supernet(tiny_graph(4, 1));
  const PathCodec codec(space, d);
  Supernet net(d, {.seed = 1, .threads = 1});
  const Candidate genotype = space.parse(kGenotype);
  const std::vector<int> path = codec.path(genotype);
  // the genes above, written out edge by edge
  const std::map<std::string, std::string> selected = {
      {"normal/2<-1", "sep_conv_3x3"}, {"normal/2<-0", "skip_connect"},
      {"normal/3<-2", "max_pool_3x3"}, {"normal/3<-0", "dil_conv_5x5"},
      {"normal/4<-3", "avg_pool_3x3"}, {"normal/4<-1", "sep_conv_5x5"},
      {"normal/5<-4", "skip_connect"}, {"normal/5<-2", "dil_conv_3x3"},
      {"reduce/2<-0", "max_pool_3x3"}, {"reduce/2<-1", "max_pool_3x3"},
      {"reduce/3<-2", "skip_connect"}, {"reduce/3<-0", "avg_pool_3x3"},
      {"reduce/4<-3", "sep_conv_3x3"}, {"reduce/4<-2", "skip_connect"},
      {"reduce/5<-4", "dil_conv_5x5"}, {"reduce/5<-1", "sep_conv_5x5"}};
  int none = 0;
  std::set<std::string> keys;
  for (const MixedEdge& edge : d.edges) keys.insert(edge.alpha_key);
  REQUIRE(keys.size() == 28);  // 14 edges per cell type
  for (const std::string& key : keys) {
    INFO(key);
    const auto found = selected.find(key);
    const std::string expected = found == selected.end() ? "none" : found->second;
    none += expected == "none";
    CHECK(op_on(d, path, key) == expected);
  }
  CHECK(none == 28 - 16);
  // the two genes of every node swapped: another candidate, the same path
  Candidate swapped = genotype;
  for (std::size_t node = 0; node < 8; ++node)
    for (std::size_t i = 0; i < 2; ++i)
      std::swap(swapped.decisions[4 * node + i], swapped.decisions[4 * node + 2 + i]);
  CHECK(swapped != genotype);
  CHECK(codec.path(swapped) == path);
  // set_path makes it the supernet's active path
  codec.set_path(net, genotype);
  for (std::size_t e = 0; e < d.edges.size(); ++e) CHECK(net.active(e) == path[e]);
  // both genes of a node on one input: no path
  Candidate same_input = genotype;
  same_input.decisions[3] = same_input.decisions[1];  // normal node 2, gene 2 reads gene 1's input
  CHECK_FALSE(space.is_valid(same_input));
  CHECK_FALSE(codec.admits(net, same_input));
  CHECK(codec.admits(net, genotype));
}

TEST_CASE("darts single path: admitted paths counted, uniform sampling respects few-shot splits") {
  DartsSpace space;
  const SupernetDescription d = space.supernet(tiny_graph(4, 1));
  const PathCodec codec(space, d);
  Supernet net(d, {.seed = 1, .threads = 1});
  // unrestricted: the space counts ordered gene pairs, a path is the unordered pair (8 nodes)
  CHECK(codec.choices(net).size() == doctest::Approx(space.size() / 256.0));
  // normal 2<-0 must be sep_conv_3x3 (not none): node 2 reads both states, the other op any of 7
  // -> 7 of 49 paths; normal 3<-2 must be none: node 3 reads {0, 1} only -> 49 of 3·49
  restrict_key(net, d, "normal/2<-0", ops_named(d, "normal/2<-0", {"sep_conv_3x3"}));
  restrict_key(net, d, "normal/3<-2", ops_named(d, "normal/3<-2", {"none"}));
  const PathChoices choices = codec.choices(net);
  CHECK(choices.size() == doctest::Approx(space.size() / 256.0 * (7.0 / 49.0) * (1.0 / 3.0)));
  Rng rng(9);
  std::set<std::vector<int>> distinct;
  for (int i = 0; i < 300; ++i) {
    const Candidate c = choices.sample(rng);
    REQUIRE(space.is_valid(c));
    REQUIRE(codec.admits(net, c));
    const std::vector<int> path = codec.path(c);
    CHECK(op_on(d, path, "normal/2<-0") == "sep_conv_3x3");
    CHECK(op_on(d, path, "normal/3<-2") == "none");
    distinct.insert(path);
  }
  CHECK(distinct.size() > 250);  // ~1.6e11 admitted paths: repeats are rare
  // every input of node 3 forced to an op: only two are read, so no valid candidate
  for (const char* key : {"normal/3<-0", "normal/3<-1", "normal/3<-2"})
    restrict_key(net, d, key, ops_named(d, key, {"sep_conv_3x3", "skip_connect"}));
  CHECK_THROWS_WITH_AS(codec.choices(net), doctest::Contains("'normal node 3'"), Error);
}

TEST_CASE("single-path complexity equals the MACs and parameters of the lowered network (nb201)") {
  Nb201Space space;
  const GraphOptions options = tiny_graph(4, 1);
  const SupernetDescription d = space.supernet(options);
  const PathCodec codec(space, d);
  const PathComplexity macs = path_complexity(d, "macs", nullptr);
  const PathComplexity params = path_complexity(d, "params", nullptr);
  Rng rng(4);
  for (int i = 0; i < 20; ++i) {
    const Candidate c = space.sample(rng);
    INFO(space.to_string(c));
    const ComputeGraph lowered = space.to_graph(c, options);
    CHECK(macs.of(codec.path(c)) == doctest::Approx(static_cast<double>(lowered.total_macs())));
    // parameters: the search cell's conv ops carry a bias and BN(affine=False) (AutoDL's
    // `bias = not affine`), the evaluation network's no bias and an affine BN: C fewer per conv
    // op, with C = 4 + 8 + 16 over the three stages' cells
    int convs = 0;
    for (int value : c.decisions) convs += value == 2 || value == 3;  // nor_conv_1x1, nor_conv_3x3
    CHECK(params.of(codec.path(c)) ==
          doctest::Approx(static_cast<double>(lowered.total_params()) - 28.0 * convs));
  }
}
