// GM-NAS gradient matching pieces against hand-computed truth: the distances of hand-made gradient
// sets, the GM-NAS enumeration on hand-built distance matrices (NB201's 2|3 and DARTS' 8-op
// splits), the Stoer-Wagner min cut of hand-built similarity graphs (with and without the 2-op
// group restriction), the edge choice, and the measured distance matrix of a supernet edge whose
// two candidates are the same function (distance 0) next to a different one.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "search/oneshot/fewshot/gradient_matching.hpp"

using namespace tandem;

namespace {

DistanceMatrix symmetric(int n, double fill, const std::vector<std::tuple<int, int, double>>& set) {
  DistanceMatrix m(static_cast<std::size_t>(n), std::vector<double>(static_cast<std::size_t>(n), fill));
  for (int i = 0; i < n; ++i) m[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)] = 0.0;
  for (auto [i, j, v] : set) {
    m[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = v;
    m[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)] = v;
  }
  return m;
}

using Groups = std::vector<std::vector<int>>;

}  // namespace

TEST_CASE("gradient distances of hand-made gradient sets (GM-NAS match_loss)") {
  // concatenation (1,0 | 0,0,1) and (1,1 | 0,0,0): cos = 1 / (sqrt2 sqrt2) = 0.5
  const std::vector<Tensor> a = {Tensor({2}, {1.0f, 0.0f}), Tensor({3}, {0.0f, 0.0f, 1.0f})};
  const std::vector<Tensor> b = {Tensor({2}, {1.0f, 1.0f}), Tensor({3}, {0.0f, 0.0f, 0.0f})};
  CHECK(gradient_distance(a, b, GradientDistance::cosine) == doctest::Approx(1.0 - 1.0 / (2.0 + 1e-6)));
  CHECK(gradient_distance(a, a, GradientDistance::cosine) == doctest::Approx(0.0).epsilon(1e-6));
  // squared error: (0-1)^2 + 1^2 = 2
  CHECK(gradient_distance(a, b, GradientDistance::squared_error) == doctest::Approx(2.0));
  // per filter: rows of the 2-d tensor; vectors count 0. rows (1,0)/(1,0): 0, (0,1)/(1,0): 1
  const std::vector<Tensor> c = {Tensor({2, 2}, {1.0f, 0.0f, 0.0f, 1.0f}), Tensor({1}, {5.0f})};
  const std::vector<Tensor> d = {Tensor({2, 2}, {1.0f, 0.0f, 1.0f, 0.0f}), Tensor({1}, {-5.0f})};
  CHECK(gradient_distance(c, d, GradientDistance::per_filter_cosine) ==
        doctest::Approx(1.0 - 1.0 / (1.0 + 1e-6) + 1.0));
  // opposite gradients: distance 2
  const std::vector<Tensor> e = {Tensor({2}, {-1.0f, -1.0f})};
  CHECK(gradient_distance({Tensor({2}, {1.0f, 1.0f})}, e, GradientDistance::cosine) ==
        doctest::Approx(2.0).epsilon(1e-6));
  const DistanceMatrix m = distance_matrix({a, b, a}, GradientDistance::cosine);
  CHECK(m[0][2] == doctest::Approx(0.0).epsilon(1e-6));
  CHECK(m[1][0] == doctest::Approx(m[0][1]));
  CHECK(gradient_distance_from_string("per-filter-cos") == GradientDistance::per_filter_cosine);
  CHECK_THROWS_WITH_AS(gradient_distance_from_string("cosine"), doctest::Contains("accepted: cos"),
                       ConfigError);
}

TEST_CASE("GM-NAS enumeration: NB201 2|3 split and DARTS 8-op split on hand-built distances") {
  // 5 ops: {0,1} close (0.1), {2,3,4} close (0.2, 0.3, 0.1), everything else 1.0
  const DistanceMatrix d = symmetric(5, 1.0, {{0, 1, 0.1}, {2, 3, 0.2}, {2, 4, 0.3}, {3, 4, 0.1}});
  const OpPartition p = partition_by_enumeration(d);
  CHECK(p.groups == Groups{{0, 1}, {2, 3, 4}});
  CHECK(p.within == doctest::Approx(0.1 + 0.2 + 0.3 + 0.1));
  CHECK(p.cut == doctest::Approx(6 * 1.0));  // the 6 cross pairs: GM-NAS edge score
  // the min-cut formulation picks the same 2|3 split
  const OpPartition q = partition_ops(d, PartitionMethod::min_cut, GradientDistance::cosine);
  CHECK(q.groups == p.groups);
  CHECK(q.cut == doctest::Approx(6.0));

  // 8 ops in two tight quads {0,2,4,6} and {1,3,5,7}: a 4|4 split
  std::vector<std::tuple<int, int, double>> close;
  for (int i = 0; i < 8; ++i)
    for (int j = i + 2; j < 8; j += 2) close.emplace_back(i, j, 0.05);
  const OpPartition r = partition_by_enumeration(symmetric(8, 1.5, close));
  CHECK(r.groups == Groups{{0, 2, 4, 6}, {1, 3, 5, 7}});
  CHECK(r.within == doctest::Approx(12 * 0.05));
  CHECK(r.cut == doctest::Approx(16 * 1.5));
  // GM-NAS never isolates a single op, even when one op is far from all others
  const OpPartition s = partition_by_enumeration(symmetric(5, 0.1, {{0, 1, 1.9}, {0, 2, 1.9}, {0, 3, 1.9}, {0, 4, 1.9}}));
  CHECK(s.groups[0].size() >= 2);
  CHECK(s.groups[1].size() >= 2);
}

TEST_CASE("Stoer-Wagner min cut of hand-built similarity graphs") {
  // two clusters, strong inside (1.8), weak across (0.2): the global min cut separates them
  std::vector<std::tuple<int, int, double>> inside = {{0, 1, 1.8}, {2, 3, 1.8}, {2, 4, 1.8}, {3, 4, 1.8}};
  const OpPartition p = min_cut_bipartition(symmetric(5, 0.2, inside));
  CHECK(p.groups == Groups{{0, 1}, {2, 3, 4}});
  // op 4 almost disconnected: the global min cut {4} | rest (0.08) breaks the 2-op restriction;
  // among 2|3 splits the cross weights are {0,1}|{2,3,4}: 4 x 0.5 + 0.05 + 0.01 = 2.06 and
  // {2,3}|{0,1,4}: 4 x 0.5 + 0.01 + 0.01 = 2.02 (smallest; every other split crosses a 2 or 1.9)
  const DistanceMatrix s = symmetric(5, 0.5, {{0, 1, 2.0}, {2, 3, 1.9}, {0, 4, 0.05}, {1, 4, 0.01},
                                              {2, 4, 0.01}, {3, 4, 0.01}});
  const OpPartition q = min_cut_bipartition(s);
  CHECK(q.groups == Groups{{0, 1, 4}, {2, 3}});
  // three ops: groups of one are allowed
  const OpPartition t = min_cut_bipartition(symmetric(3, 0.1, {{1, 2, 3.0}}));
  CHECK(t.groups == Groups{{0}, {1, 2}});
  CHECK_THROWS_AS(min_cut_bipartition(symmetric(3, -0.1, {})), Error);
}

TEST_CASE("edge choice: the largest cut (NB201 code) or the smallest within (DARTS code)") {
  OpPartition a, b, c;
  a.cut = 3.0, a.within = 1.0;
  b.cut = 5.0, b.within = 2.0;
  c.cut = 5.0, c.within = 0.5;
  CHECK(choose_edge({a, b, c}, EdgeScore::cut) == 1);  // first of the tied largest cuts
  CHECK(choose_edge({a, b, c}, EdgeScore::within) == 2);
  CHECK(edge_score_from_string("within") == EdgeScore::within);
  CHECK_THROWS_AS(edge_score_from_string("largest"), ConfigError);
}

TEST_CASE("gradient matching on a supernet edge: identical ops have distance 0") {
  // input -> conv stem -> edge "a" {skip_a, skip_b, zero, conv} -> conv mid -> edge "b"
  // {conv1x1, conv3x3} -> GAP -> linear. For key "a" the shared weights are mid and edge b's.
  SupernetDescription d;
  ComputeGraph& g = d.skeleton;
  LayerId x = g.conv2d("stem", g.add_input("x", {1, 4, 4}), 3, 3, 1, 1);
  auto op = [](const std::string& kind) {
    ComputeGraph c;
    LayerId in = c.add_input("x", {3, 4, 4});
    if (kind == "skip") c.mark_output(c.identity("id", in));
    if (kind == "zero") c.mark_output(c.zero("zero", in));
    if (kind == "conv1") c.mark_output(c.conv2d("conv", c.relu("relu", in), 3, 1));
    if (kind == "conv3") c.mark_output(c.conv2d("conv", c.relu("relu", in), 3, 3, 1, 1));
    return c;
  };
  MixedEdge a;
  a.placeholder = g.identity("edge_a", x);
  a.alpha_key = "a";
  a.candidates = {{"skip_a", op("skip")}, {"skip_b", op("skip")}, {"zero", op("zero")}, {"conv", op("conv1")}};
  LayerId mid = g.conv2d("mid", g.relu("mid_relu", a.placeholder), 3, 3, 1, 1);
  MixedEdge b;
  b.placeholder = g.identity("edge_b", mid);
  b.alpha_key = "b";
  b.candidates = {{"conv1x1", op("conv1")}, {"conv3x3", op("conv3")}};
  g.mark_output(g.linear("fc", g.global_avg_pool("gap", b.placeholder), 2));
  d.edges = {a, b};
  Supernet net(d, {.seed = 3, .threads = 1});
  net.set_mode(SupernetMode::single_path);
  net.set_active(1, 1);

  Dataset data;
  data.name = "random";
  data.sample_shape = {1, 4, 4};
  data.classes = 2;
  Rng rng(5);
  for (int i = 0; i < 16; ++i) {
    for (int k = 0; k < 16; ++k) data.images.push_back(static_cast<float>(rng.normal()));
    data.labels.push_back(i % 2);
  }
  const Normalization identity{{0.0f}, {1.0f}};
  BatchStream batches(data, identity, 8, AugmentOptions{0, false}, Rng(6));
  for (MatchingPaths paths : {MatchingPaths::softmax, MatchingPaths::uniform_path}) {
    GradientMatchingOptions options;
    options.repeats = 2;
    const DistanceMatrix m = edge_distance_matrix(net, "a", paths, options, batches, rng);
    REQUIRE(m.size() == 4);
    // skip_a and skip_b are the same function: the same gradients, so their distance is the
    // self-distance 1 - |g|^2 / (|g|^2 + 1e-6) (GM-NAS' 1e-6 guard), far below conv's
    CHECK(m[0][1] == doctest::Approx(m[0][0]).epsilon(1e-6));
    CHECK(m[0][1] < 0.05);
    CHECK(m[0][3] > 10 * m[0][1]);
    CHECK(m[0][3] == doctest::Approx(m[1][3]).epsilon(1e-6));
    // zero leaves the shared weights without gradient here (nothing reaches mid or edge b):
    // cos = 0 / (0 + 1e-6), distance exactly 1
    CHECK(m[0][2] == doctest::Approx(1.0));
    CHECK(m[2][2] == doctest::Approx(1.0));
    // the supernet is left as it was
    CHECK(net.mode() == SupernetMode::single_path);
    CHECK(net.active(1) == 1);
    CHECK(!net.edge_weight_function());
  }
  // a key with a single op left cannot be matched
  net.set_allowed(1, {0});
  GradientMatchingOptions options;
  CHECK_THROWS_AS(edge_distance_matrix(net, "b", MatchingPaths::softmax, options, batches, rng),
                  Error);
}
