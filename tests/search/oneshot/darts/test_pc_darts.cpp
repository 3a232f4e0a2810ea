// PC-DARTS: partial-channel edges (ops on the first C/K channels, the rest passed through, max
// pooled on stride-2 edges, channel shuffle with K groups) checked element by element against the
// definition; the configured NB201 supernet's shapes and β groups; derivation weights
// softmax(α)·softmax(β) computed by hand, and β changing which edges the DARTS rule keeps.
#include <doctest/doctest.h>

#include <cmath>

#include "search/oneshot/darts/derivation.hpp"
#include "search/oneshot/darts/pc_darts.hpp"
#include "tests/search/oneshot/darts/darts_test_support.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// input (C x H x W) -> one mixed edge "1<-0" (identity placeholder, or zero with stride 2) -> out.
SupernetDescription one_edge(TensorShape shape, int stride) {
  SupernetDescription d;
  LayerId x = d.skeleton.add_input("x", shape);
  MixedEdge edge;
  edge.placeholder = stride == 1 ? d.skeleton.identity("edge", x) : d.skeleton.zero("edge", x, 0, stride);
  d.skeleton.mark_output(edge.placeholder);
  edge.alpha_key = "1<-0";
  for (const std::string op : {"none", "skip_connect"}) {
    if (op == "skip_connect" && stride != 1) continue;
    ComputeGraph g;
    LayerId in = g.add_input("x", shape);
    g.mark_output(op == "none" ? g.zero("zero", in, 0, stride) : g.identity("id", in));
    edge.candidates.push_back({op, g});
  }
  d.edges.push_back(std::move(edge));
  return d;
}

Tensor random_input(Shape shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t = Tensor::empty(std::move(shape));
  for (float& v : t.values()) v = static_cast<float>(rng.normal());
  return t;
}

}  // namespace

TEST_CASE("pc_darts edge: ops on C/K channels, the rest bypassed, channel shuffle with K groups") {
  const int C = 8, K = 4, H = 2;
  SupernetDescription d = partial_channel_description(one_edge({C, H, H}, 1), K);
  REQUIRE(d.edges[0].partial_channels == K);
  CHECK(d.edges[0].beta_key == "1");
  CHECK(d.edges[0].beta_index == 0);
  for (const CandidateOp& op : d.edges[0].candidates)
    CHECK(op.graph.layer(op.graph.inputs()[0]).output == TensorShape{C / K, H, H});
  Supernet net(d, {.seed = 1, .threads = 1});
  const Tensor x = random_input({2, C, H, H}, 3);
  // alpha: all weight on skip_connect, then all on none
  for (float skip_logit : {60.0f, -60.0f}) {
    net.alpha("1<-0").value.data()[0] = 0.0f;
    net.alpha("1<-0").value.data()[1] = skip_logit;
    const Tensor y = net.forward(x, false).value();
    REQUIRE(y.shape() == Shape{2, C, H, H});
    // shuffle: output channel a*K + b holds input channel b*(C/K) + a; the ops' block is b = 0
    for (int n = 0; n < 2; ++n)
      for (int a = 0; a < C / K; ++a)
        for (int b = 0; b < K; ++b)
          for (int p = 0; p < H * H; ++p) {
            const float in = x.data()[(n * C + b * (C / K) + a) * H * H + p];
            const float out = y.data()[(n * C + a * K + b) * H * H + p];
            const bool operated = b == 0;  // the first C/K channels went through the ops
            CHECK(out == doctest::Approx(operated && skip_logit < 0 ? 0.0f : in));
          }
  }
}

TEST_CASE("pc_darts stride-2 edge: the bypassed channels are max pooled 2x2") {
  const int C = 4, K = 2, H = 4;
  SupernetDescription d = partial_channel_description(one_edge({C, H, H}, 2), K);
  Supernet net(d, {.seed = 2, .threads = 1});
  const Tensor x = random_input({1, C, H, H}, 4);
  const Tensor y = net.forward(x, false).value();
  REQUIRE(y.shape() == Shape{1, C, H / 2, H / 2});
  for (int a = 0; a < C / K; ++a)
    for (int b = 0; b < K; ++b)
      for (int i = 0; i < H / 2; ++i)
        for (int j = 0; j < H / 2; ++j) {
          const int channel = b * (C / K) + a;  // before the shuffle
          float expected = 0.0f;                // the op block holds `none`
          if (b > 0) {
            expected = -1e30f;
            for (int di = 0; di < 2; ++di)
              for (int dj = 0; dj < 2; ++dj)
                expected = std::max(expected, x.data()[(channel * H + 2 * i + di) * H + 2 * j + dj]);
          }
          CHECK(y.data()[((a * K + b) * (H / 2) + i) * (H / 2) + j] == doctest::Approx(expected));
        }
}

TEST_CASE("pc_darts on the nb201 supernet: C/K-channel ops, one beta group per node, logits") {
  Nb201Space space;
  const SupernetDescription d = partial_channel_description(space.supernet(tiny_graph(4, 1)), 2);
  for (const MixedEdge& edge : d.edges) {
    const TensorShape full = d.skeleton.input_shape(edge.placeholder);
    for (const CandidateOp& op : edge.candidates) {
      CHECK(op.graph.layer(op.graph.inputs()[0]).output.channels == full.channels / 2);
      CHECK(op.graph.layer(op.graph.outputs().front()).output.channels == full.channels / 2);
    }
    CHECK(edge.beta_key == edge.alpha_key.substr(0, 1));  // node i of "i<-j"
    CHECK(edge.beta_index == edge.alpha_key[3] - '0');
  }
  Supernet net(d, {.seed = 3, .threads = 2});
  net.set_mode(SupernetMode::partial_channels);
  CHECK(net.architecture().size() == 6 + 3);  // α per edge position + β per node
  CHECK(net.beta("3").value.numel() == 3);
  const BatchStream::Batch batch = digits_batch(0, 5);
  const Variable logits = net.forward(batch.images, true);
  CHECK(logits.value().shape() == Shape{5, 10});
  // K must divide every edge's channels
  CHECK_THROWS_WITH_AS(partial_channel_description(space.supernet(tiny_graph(6, 1)), 4),
                       doctest::Contains("does not divide"), Error);
}

TEST_CASE("pc_darts derivation weights: softmax(alpha) x node-wise softmax(beta) decide the edges") {
  DartsSpace space;
  const SupernetDescription d = partial_channel_description(space.supernet(tiny_graph(4, 1)), 2);
  Supernet net(d, {.seed = 4, .threads = 1});
  // normal node 3: α alone prefers edges 0 and 1; β prefers edges 1 and 2
  const std::vector<std::vector<double>> p = {
      {0.05, 0.05, 0.05, 0.05, 0.50, 0.10, 0.10, 0.10},   // 3<-0: sep_conv_3x3 0.5
      {0.10, 0.05, 0.05, 0.30, 0.20, 0.10, 0.10, 0.10},   // 3<-1: skip_connect 0.3
      {0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.20, 0.20}};  // 3<-2: dil_conv_3x3 0.2 (first)
  const std::vector<double> q = {0.05, 0.50, 0.45};
  for (int j = 0; j < 3; ++j)
    for (int k = 0; k < 8; ++k)
      net.alpha("normal/3<-" + std::to_string(j)).value.data()[k] =
          static_cast<float>(std::log(p[static_cast<std::size_t>(j)][static_cast<std::size_t>(k)]));
  for (int j = 0; j < 3; ++j)
    net.beta("normal/3").value.data()[j] = static_cast<float>(std::log(q[static_cast<std::size_t>(j)]));

  const auto weights = edge_normalised_weights(net);
  for (int j = 0; j < 3; ++j)
    for (int k = 0; k < 8; ++k)
      CHECK(weights.at("normal/3<-" + std::to_string(j))[static_cast<std::size_t>(k)] ==
            doctest::Approx(p[static_cast<std::size_t>(j)][static_cast<std::size_t>(k)] *
                            q[static_cast<std::size_t>(j)]).epsilon(1e-5));
  // decisions of normal node 3: edge 1 op/input = 4/5, edge 2 op/input = 6/7 (space op indices
  // skip 'none': skip_connect 2, sep_conv_3x3 3, dil_conv_3x3 5)
  const Candidate with_beta = darts_genotype(space, weights, DartsSpace::primitives());
  CHECK(with_beta.decisions[4] == 2);  // skip_connect from 1 (0.3 x 0.5 = 0.15)
  CHECK(with_beta.decisions[5] == 1);
  CHECK(with_beta.decisions[6] == 5);  // dil_conv_3x3 from 2 (0.2 x 0.45 = 0.09)
  CHECK(with_beta.decisions[7] == 2);
  std::map<std::string, std::vector<double>> alpha_only;
  for (std::size_t e = 0; e < d.edges.size(); ++e) alpha_only[d.edges[e].alpha_key] = net.edge_weights(e);
  const Candidate without_beta = darts_genotype(space, alpha_only, DartsSpace::primitives());
  CHECK(without_beta.decisions[4] == 3);  // sep_conv_3x3 from 0
  CHECK(without_beta.decisions[5] == 0);
  CHECK(without_beta.decisions[6] == 2);  // skip_connect from 1
  CHECK(without_beta.decisions[7] == 1);
}
