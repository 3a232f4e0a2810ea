// Tests for the zero-cost proxies (predictors/zero_cost_*.hpp). Each proxy is checked on a tiny
// network with fixed weights against a value worked out by hand in the comment (the backward pass
// written out); synflow also against the conservation law of a deep bias-free chain, whose score
// overflows float32; params/flops/synflow against NASLib's published NB201 scores (Spearman rho).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "predictors/rank_metrics.hpp"
#include "predictors/zero_cost_batch.hpp"
#include "predictors/zero_cost_hessian.hpp"
#include "predictors/zero_cost_network.hpp"
#include "predictors/zero_cost_proxies.hpp"
#include "spaces/nb201_space.hpp"

using namespace tandem;

namespace {

void set(ZeroCostScorer& scorer, const std::string& name, const std::vector<float>& values) {
  Parameter* p = scorer.parameters().find(name);
  REQUIRE(p != nullptr);
  REQUIRE(p->value.numel() == static_cast<std::int64_t>(values.size()));
  p->value = Tensor(p->value.shape(), values);
}

ZeroCostBatch make_batch(Shape shape, const std::vector<float>& values, std::vector<int> labels) {
  return ZeroCostBatch{Tensor(std::move(shape), values), std::move(labels)};
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

// Net T: x (2 features) -> fc1 (2x2, no bias) -> relu -> fc2 (2x2, no bias) -> 2 logits,
// W1 = [[1, -1], [0.5, 1]], W2 = [[1, 2], [-1, 1]].
ComputeGraph two_layer_graph(bool bias, bool batch_norm) {
  ComputeGraph graph;
  LayerId x = graph.add_input("input", {2, 1, 1});
  x = graph.linear("fc1", x, 2, bias);
  if (batch_norm) x = graph.batch_norm("bn", x);
  x = graph.relu("relu", x);
  graph.mark_output(graph.linear("fc2", x, 2, bias));
  return graph;
}

}  // namespace

TEST_CASE("grad_norm, snip, fisher and grasp on a two-layer ReLU net match the hand-derived values") {
  ZeroCostScorer scorer(two_layer_graph(false, false));
  set(scorer, "fc1.weight", {1, -1, 0.5, 1});
  set(scorer, "fc2.weight", {1, 2, -1, 1});
  // One sample x = [1, 2], label 0. Forward: pre = W1 x = [-1, 2.5], h = relu(pre) = [0, 2.5],
  // z = W2 h = [5, 2.5]. With q = softmax(z)_1 = 1 / (1 + e^2.5): dL/dz = p - onehot(0) = [-q, q].
  // dL/dW2 = dz h^T = [[0, -2.5q], [0, 2.5q]]; dL/dh = W2^T dz = [-2q, -q]; the relu mask [0, 1]
  // gives dL/dpre = [0, -q]; dL/dW1 = dpre x^T = [[0, 0], [-q, -2q]].
  const ZeroCostBatch batch = make_batch({1, 2, 1, 1}, {1, 2}, {0});
  const double q = 1.0 / (1.0 + std::exp(2.5));
  const Metrics m = scorer.score({"grad_norm", "snip", "fisher", "grasp"}, &batch);
  // grad_norm = ||dW1|| + ||dW2|| = q sqrt(1 + 4) + 2.5 q sqrt(2).
  CHECK(m.at("grad_norm") == doctest::Approx(q * (std::sqrt(5.0) + 2.5 * std::sqrt(2.0))).epsilon(1e-5));
  // snip = sum |W * dW| = (0.5 q + 1 * 2q) + (2 * 2.5q + 1 * 2.5q) = 10 q.
  CHECK(m.at("snip") == doctest::Approx(10 * q).epsilon(1e-5));
  // fisher: fc1 output a = pre = [-1, 2.5], da = [0, -q] -> per channel a*da = [0, -2.5q],
  // 1/2 (.)^2 = [0, 3.125 q^2], times 2 weights per channel = 6.25 q^2; fc2: a = z = [5, 2.5],
  // da = [-q, q] -> [-5q, 2.5q] -> 1/2 (.)^2 = [12.5 q^2, 3.125 q^2], times 2 = 31.25 q^2.
  CHECK(m.at("fisher") == doctest::Approx(37.5 * q * q).epsilon(1e-5));
  // grasp = -sum W * (H g) with g = dL/dW: move W by t g. pre_1(t) = 2.5 - 5qt (fc1 row 1 moves by
  // -q t [1, 2] . x), h(t) = [0, 2.5 - 5qt], z_0 - z_1 = d(t) = (2.5 - 5qt)(1 - 5qt), so
  // q(t) = 1 / (1 + e^d(t)) has q' = -q (1 - q) d'(0) = 17.5 q^2 (1 - q). Differentiating the
  // gradient entries: Hg(W2[0][1]) = -(2.5 q' - 5q^2), Hg(W2[1][1]) = 2.5 q' - 5q^2,
  // Hg(W1[1][0]) = -q' + 5q^2, Hg(W1[1][1]) = 2(-q' + 5q^2), the others 0. Weighting by W:
  // -sum = -[0.5(-q' + 5q^2) + 2(-q' + 5q^2) + 2(-2.5q' + 5q^2) + (2.5q' - 5q^2)] = 5q' - 17.5q^2
  //      = 17.5 q^2 (4 - 5q).
  CHECK(m.at("grasp") == doctest::Approx(17.5 * q * q * (4 - 5 * q)).epsilon(1e-5));
}

TEST_CASE("the Hessian-vector product matches a finite difference of gradients on a smooth net") {
  // No relu or max pooling: the loss is smooth, so (grad(W + t v) - grad(W - t v)) / 2t -> H v
  // with error O(t^2). Batch norm (batch statistics, affine and not), concat, avg pooling, a bias.
  ComputeGraph graph;
  LayerId x = graph.add_input("input", {2, 3, 3});
  LayerId a = graph.batch_norm("bn_a", graph.conv2d("conv_a", x, 2, 1));
  LayerId b = graph.batch_norm("bn_b", graph.conv2d("conv_b", x, 2, 3, 1, 1), /*affine=*/false);
  LayerId c = graph.conv2d("conv_c", graph.concat("cat", {a, b}), 3, 1, 1, 0, 1, 1, /*bias=*/true);
  c = graph.avg_pool("pool", graph.batch_norm("bn_c", c), 2, 1, 0);
  graph.mark_output(graph.linear("fc", c, 4));
  ZeroCostNetwork network(graph, {7, 1, false});
  Rng rng(3);
  std::vector<float> pixels(5 * 18);
  for (float& p : pixels) p = static_cast<float>(rng.normal());
  const ZeroCostBatch batch = make_batch({5, 2, 3, 3}, pixels, {0, 3, 1, 2, 3});
  std::vector<Tensor> v;
  for (const auto& layer : network.weighted_layers()) {
    Tensor t = Tensor::empty(layer.weight->value.shape());
    for (float& e : t.values()) e = static_cast<float>(rng.normal());
    v.push_back(t);
  }
  const std::vector<Tensor> hv = hessian_vector_product(graph, network.parameters(), batch, v);
  const double t = 1e-3;  // the error falls as t^2: 0.4 at t = 0.1, 7e-3 at 1e-2, 7e-5 at 1e-3
  auto gradient_at = [&](double sign) {
    std::vector<Tensor> saved;
    for (std::size_t i = 0; i < v.size(); ++i) {
      Tensor& w = network.weighted_layers()[i].weight->value;
      saved.push_back(w.clone());
      for (std::int64_t j = 0; j < w.numel(); ++j) w.data()[j] += static_cast<float>(sign * t * v[i].data()[j]);
    }
    network.parameters().zero_grad();
    network.backward(cross_entropy(network.forward(batch.images, true), batch.labels));
    std::vector<Tensor> grads;
    for (std::size_t i = 0; i < v.size(); ++i) {
      grads.push_back(network.weighted_layers()[i].weight->grad.clone());
      network.weighted_layers()[i].weight->value.copy_from(saved[i]);
    }
    return grads;
  };
  const std::vector<Tensor> plus = gradient_at(+1), minus = gradient_at(-1);
  double error = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i)
    for (std::int64_t j = 0; j < hv[i].numel(); ++j) {
      const double fd = (plus[i].data()[j] - minus[i].data()[j]) / (2 * t);
      error += (fd - hv[i].data()[j]) * (fd - hv[i].data()[j]);
      norm += static_cast<double>(hv[i].data()[j]) * hv[i].data()[j];
    }
  CHECK(norm > 1e-4);
  CHECK(std::sqrt(error / norm) < 1e-3);
}

TEST_CASE("fisher sums activation times gradient over the spatial positions of a conv channel") {
  // x (1x1x2) = [1, 2] -> conv 1x1 (w = 2) -> a = [2, 4] -> fc (identity 2x2) -> z = [2, 4],
  // label 1. s = softmax(z)_0 = 1 / (1 + e^2), dL/dz = [s, -s].
  ComputeGraph graph;
  LayerId x = graph.add_input("input", {1, 1, 2});
  x = graph.conv2d("conv", x, 1, 1);
  graph.mark_output(graph.linear("fc", x, 2, false));
  ZeroCostScorer scorer(graph);
  set(scorer, "conv.weight", {2});
  set(scorer, "fc.weight", {1, 0, 0, 1});
  const ZeroCostBatch batch = make_batch({1, 1, 1, 2}, {1, 2}, {1});
  const double s = 1.0 / (1.0 + std::exp(2.0));
  const Metrics m = scorer.score({"fisher", "grad_norm", "snip"}, &batch);
  // fc: a*da = [2s, -4s] -> 1/2 [4s^2, 16s^2] -> times 2 weights per channel = 20 s^2.
  // conv: da = W^T dz = [s, -s]; sum_hw a*da = 2s - 4s = -2s -> 1/2 (4 s^2) = 2 s^2 (1 weight).
  CHECK(m.at("fisher") == doctest::Approx(22 * s * s).epsilon(1e-5));
  // dW_fc = dz a^T = [[2s, 4s], [-2s, -4s]] (norm s sqrt(40)); dW_conv = sum_hw da * x = s - 2s.
  CHECK(m.at("grad_norm") == doctest::Approx(s * (std::sqrt(40.0) + 1)).epsilon(1e-5));
  // snip = |1 * 2s| + |1 * -4s| + |2 * -s| = 8s.
  CHECK(m.at("snip") == doctest::Approx(8 * s).epsilon(1e-5));
}

TEST_CASE("synflow takes |W|, drops batch norm, feeds ones and sums |W * dR/dW|") {
  ZeroCostScorer scorer(two_layer_graph(/*bias=*/true, /*batch_norm=*/true));
  set(scorer, "fc1.weight", {1, -1, 0.5, 2});
  set(scorer, "fc1.bias", {-1, 0.5});
  set(scorer, "bn.weight", {5, 5});  // would change everything if batch norm were kept
  set(scorer, "bn.bias", {3, 3});
  set(scorer, "fc2.weight", {1, 2, -1, 1});
  set(scorer, "fc2.bias", {0.25, -0.25});
  // Input [1, 1]: h = |W1| 1 + |b1| = [1 + 1 + 1, 0.5 + 2 + 0.5] = [3, 3].
  // fc2: dR/dW2_ij = h_j = 3, so sum |W2| * 3 = (1 + 2 + 1 + 1) * 3 = 15.
  // fc1: dR/dh = |W2|^T 1 = [2, 3], dR/dW1_ij = (dR/dh_i) * 1: (1 + 1) * 2 + (0.5 + 2) * 3 = 11.5.
  CHECK(scorer.score_one("synflow", nullptr) == doctest::Approx(26.5).epsilon(1e-6));
  // The initial weights keep their signs (the reference restores them too).
  CHECK(scorer.parameters().find("fc1.weight")->value.data()[1] == -1.0f);
}

TEST_CASE("synflow keeps float64's range on a deep chain whose score overflows float32") {
  // 22 bias-free linear layers 64 -> 64 with |w| = 1 (alternating signs) and ReLUs: every unit of
  // layer l carries 64^l, R = 64 * 64^22 = 2^138. A layer's scores sum to R (synaptic flow is
  // conserved in a bias-free chain: weight (i,j) gets 64^(22-l) * 64^(l-1) = 64^21, times 64^2
  // weights), so synflow = 22 * 2^138 ~ 7.7e42 > float32's 3.4e38.
  ComputeGraph graph;
  LayerId x = graph.add_input("input", {64, 1, 1});
  for (int l = 0; l < 22; ++l) {
    x = graph.linear("fc" + std::to_string(l), x, 64, false);
    if (l < 21) x = graph.relu("relu" + std::to_string(l), x);
  }
  graph.mark_output(x);
  ZeroCostScorer scorer(graph);
  for (Parameter* p : scorer.parameters().all())
    for (std::int64_t i = 0; i < p->value.numel(); ++i) p->value.data()[i] = i % 2 ? -1.0f : 1.0f;
  CHECK(scorer.score_one("synflow", nullptr) == doctest::Approx(22 * std::ldexp(1.0, 138)).epsilon(1e-5));
}

TEST_CASE("jacov and naswot compare the samples of a batch as worked out by hand") {
  // x (3 features) -> fc1 W1 = [[1, 0, 0], [0, 1, 2]] -> relu -> fc2 w = [1, 1] -> one logit.
  ComputeGraph graph;
  LayerId x = graph.add_input("input", {3, 1, 1});
  x = graph.relu("relu", graph.linear("fc1", x, 2, false));
  graph.mark_output(graph.linear("fc2", x, 1, false));
  ZeroCostScorer scorer(graph);
  set(scorer, "fc1.weight", {1, 0, 0, 0, 1, 2});
  set(scorer, "fc2.weight", {1, 1});
  // a = [1, -1, -1]: relu input [1, -3], code [1, 0]; b = [1, 1, 1]: relu input [1, 3], code [1, 1].
  const ZeroCostBatch batch = make_batch({2, 3, 1, 1}, {1, -1, -1, 1, 1, 1}, {0, 0});
  const Metrics m = scorer.score({"jacov", "naswot"}, &batch);
  // Input gradients: J_a = W1 row 0 = [1, 0, 0], J_b = rows 0 + 1 = [1, 1, 2]. Centred:
  // [2, -1, -1]/3 and [-1, -1, 2]/3, covariance -3/9, variances 6/9: r = -1/2. The 2x2
  // correlation matrix [[1, r], [r, 1]] has eigenvalues 1/2 and 3/2.
  const double k = 1e-5;
  const double jacov = -(std::log(0.5 + k) + 1 / (0.5 + k) + std::log(1.5 + k) + 1 / (1.5 + k));
  CHECK(m.at("jacov") == doctest::Approx(jacov).epsilon(1e-6));
  // K_aa = K_bb = 2 units; a and b agree on unit 0 only: K = [[2, 1], [1, 2]], det 3.
  CHECK(m.at("naswot") == doctest::Approx(std::log(3.0)).epsilon(1e-9));
}

TEST_CASE("naswot accumulates the kernel over every ReLU and is -inf when samples coincide") {
  // x (2) -> relu A -> fc (identity) -> relu B: both relus see x itself.
  ComputeGraph graph;
  LayerId x = graph.add_input("input", {2, 1, 1});
  x = graph.relu("a", x);
  graph.mark_output(graph.relu("b", graph.linear("fc", x, 2, false)));
  ZeroCostScorer scorer(graph);
  set(scorer, "fc.weight", {1, 0, 0, 1});
  // Samples [1, -1], [1, 1], [-1, -1]: codes 10, 11, 00 at both relus. Per relu the agreement
  // matrix is [[2, 1, 1], [1, 2, 0], [1, 0, 2]]; two relus double it: det = 8 * det(...) =
  // 8 * (2 (4 - 0) - 1 (2 - 0) + 1 (0 - 2)) = 8 * 4 = 32.
  const ZeroCostBatch batch = make_batch({3, 2, 1, 1}, {1, -1, 1, 1, -1, -1}, {0, 1, 0});
  CHECK(scorer.score_one("naswot", &batch) == doctest::Approx(std::log(32.0)).epsilon(1e-9));
  const ZeroCostBatch twins = make_batch({2, 2, 1, 1}, {1, -1, 2, -3}, {0, 1});
  CHECK(std::isinf(scorer.score_one("naswot", &twins)));
  CHECK(scorer.score_one("naswot", &twins) < 0);
}

TEST_CASE("params and flops are the graph's parameter and multiply-accumulate counts") {
  ComputeGraph graph;
  LayerId x = graph.add_input("input", {3, 8, 8});
  x = graph.relu("relu", graph.batch_norm("bn", graph.conv2d("conv", x, 4, 3, 1, 1)));
  graph.mark_output(graph.linear("fc", graph.global_avg_pool("pool", x), 10));
  ZeroCostScorer scorer(graph);
  const Metrics m = scorer.score({"params", "flops"}, nullptr);
  // conv 4*3*3*3 = 108, bn 2*4 = 8, fc 4*10 + 10 = 50; MACs: conv 8*8*4 outputs * 27 + fc 40.
  CHECK(m.at("params") == 166);
  CHECK(m.at("flops") == 8 * 8 * 4 * 27 + 40);
}

TEST_CASE("zero-cost proxies reject bad requests in one line") {
  ZeroCostScorer scorer(two_layer_graph(false, false));
  const ZeroCostBatch one = make_batch({1, 2, 1, 1}, {1, 2}, {0});
  CHECK(error_of([&] { scorer.score_one("synflo", nullptr); }) ==
        "unknown zero-cost proxy 'synflo' (did you mean 'synflow'?); accepted: params, flops, "
        "grad_norm, snip, grasp, fisher, synflow, jacov, naswot");
  CHECK(error_of([&] { scorer.score_one("snip", nullptr); }).find("'snip' needs a minibatch") !=
        std::string::npos);
  CHECK(error_of([&] { scorer.score_one("naswot", &one); }) ==
        "zero-cost proxy 'naswot' needs a batch of at least 2 samples (it compares samples), got 1");
  CHECK(error_of([&] { scorer.score_one("jacov", &one); }).find("at least 2 samples") !=
        std::string::npos);
  const ZeroCostBatch wrong_shape = make_batch({1, 3, 1, 1}, {1, 2, 3}, {0});
  CHECK(error_of([&] { scorer.score_one("snip", &wrong_shape); }) ==
        "zero-cost proxies: batch of shape 1x3x1x1 does not match the network input Nx2x1x1");
  const ZeroCostBatch bad_label = make_batch({1, 2, 1, 1}, {1, 2}, {2});
  CHECK(error_of([&] { scorer.score_one("snip", &bad_label); }) ==
        "zero-cost proxies: label 2 outside the network's 2 classes");
  ZeroCostOptions options;
  options.threads = -1;
  CHECK(error_of([&] { ZeroCostScorer bad(two_layer_graph(false, false), options); }) ==
        "threads -1: expected >= 0 (0 = all cores)");
}

TEST_CASE("the proxy batch is seeded, normalised and fitted to the network input") {
  // Four 1x2x2 samples: pixel values 0..15, sample s holds [4s, 4s+1, 4s+2, 4s+3].
  Dataset data;
  data.name = "toy";
  data.sample_shape = {1, 2, 2};
  data.classes = 4;
  for (int i = 0; i < 16; ++i) data.images.push_back(static_cast<float>(i));
  data.labels = {0, 1, 2, 3};
  ZeroCostBatchOptions options;
  options.batch_size = 2;
  options.normalize = false;
  options.fit = "pad";
  // Pad to 3x4x4: the 2x2 image sits at rows/cols 1..2 of every (replicated) channel.
  const ZeroCostBatch padded = make_zero_cost_batch(data, {3, 4, 4}, options);
  REQUIRE(padded.images.shape() == Shape{2, 3, 4, 4});
  const int s = padded.labels[0];
  for (int c = 0; c < 3; ++c) {
    const float* plane = padded.images.data() + c * 16;
    CHECK(plane[0] == 0.0f);
    CHECK(plane[1 * 4 + 1] == 4.0f * s);
    CHECK(plane[2 * 4 + 2] == 4.0f * s + 3);
  }
  // Same seed, same samples; normalised by the dataset's mean 7.5 and std sqrt(85/4).
  options.normalize = true;
  options.fit = "resize";
  const ZeroCostBatch normalised = make_zero_cost_batch(data, {1, 2, 2}, options);
  CHECK(normalised.labels == padded.labels);
  CHECK(normalised.images.data()[0] ==
        doctest::Approx((4.0 * s - 7.5) / std::sqrt(85.0 / 4.0)).epsilon(1e-6));

  options.batch_size = 5;
  CHECK(error_of([&] { make_zero_cost_batch(data, {1, 2, 2}, options); }) ==
        "zero-cost batch of 5 samples, but toy has only 4");
  options.batch_size = 2;
  options.fit = "pad";
  CHECK(error_of([&] { make_zero_cost_batch(data, {1, 1, 1}, options); }) ==
        "toy's samples of shape 1x2x2 cannot be fitted to the network input 1x1x1 by padding: "
        "the input is smaller (use fit: resize)");
  data.sample_shape = {2, 2, 1};
  CHECK(error_of([&] { make_zero_cost_batch(data, {3, 2, 1}, options); }) ==
        "toy's samples of shape 2x2x1 cannot be fitted to the network input 3x2x1: the channels "
        "differ (only 1-channel data is replicated)");
}

TEST_CASE("params, flops and synflow rank NB201 cells as NASLib's published scores do") {
  // Every 10th CIFAR-10 row of NAS-Bench-Suite-Zero (73 cells), network C=16 N=5, 3x32x32 input,
  // 10 classes. NASLib's flops count more than conv/linear MACs, and its synflow comes from
  // another random initialisation, so the ranks agree closely but not exactly.
  const CsvTable table =
      CsvTable::read(std::string(TANDEM_SOURCE_DIR) + "/data/nas-bench-suite-zero/zc_nasbench201.csv");
  const std::size_t task = table.require_column("task"), arch = table.require_column("nb201_arch_str");
  Nb201Space space;
  std::vector<double> ours[3], published[3];
  const char* names[3] = {"params", "flops", "synflow"};
  int seen = 0;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.row(r)[task] != "cifar10" || seen++ % 10 != 0) continue;
    const ComputeGraph graph = space.to_graph(space.parse(table.row(r)[arch]));
    ZeroCostScorer scorer(graph);
    const Metrics m = scorer.score({"params", "flops", "synflow"}, nullptr);
    for (int p = 0; p < 3; ++p) {
      const std::string value = table.row(r)[table.require_column(names[p])];
      if (value.empty()) continue;  // one row has no published synflow
      ours[p].push_back(m.at(names[p]));
      published[p].push_back(std::stod(value));
    }
  }
  CHECK(ours[0].size() == 73);
  for (int p = 0; p < 3; ++p) {
    INFO(names[p]);
    CHECK(spearman_rho(ours[p], published[p]) >= 0.95);
  }
}
