// Network built from a ComputeGraph: whole-network gradients against finite differences of the
// double reference interpreter (LeNet-style and NB201-style cell graphs), PyTorch default init
// bounds, input-shape errors, inference and determinism per seed.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "tests/trainers/gradient_check.hpp"
#include "trainers/engine.hpp"
#include "trainers/kernels.hpp"

using namespace tandem;

namespace {

ComputeGraph small_lenet() {
  ComputeGraph g;
  auto x = g.add_input("x", {1, 12, 12});
  auto c1 = g.conv2d("c1", x, 3, 5, 1, 0, 1, 1, true);     // 8x8
  auto p1 = g.max_pool("p1", g.relu("r1", c1), 2, 2, 0);   // 4x4
  auto c2 = g.conv2d("c2", p1, 4, 3, 1, 1, 1, 1, true);    // 4x4
  auto p2 = g.avg_pool("p2", g.relu("r2", c2), 2, 2, 0);   // 2x2
  auto f1 = g.linear("f1", p2, 6);
  auto out = g.linear("out", g.relu6("r3", f1), 5);
  g.mark_output(out);
  return g;
}

// Stem + one NAS-Bench-201 cell (ReLU-Conv-BN ops, avg pool without padding count, skip, zero)
// + head, in the shape the nb201 space lowers to.
ComputeGraph nb201_cell_net() {
  ComputeGraph g;
  const int c = 4;
  auto x = g.add_input("x", {3, 6, 6});
  auto stem = g.batch_norm("stem.bn", g.conv2d("stem.conv", x, c, 3, 1, 1));
  auto relu_conv_bn = [&](const std::string& name, LayerId in, int k) {
    auto r = g.relu(name + ".relu", in);
    auto conv = g.conv2d(name + ".conv", r, c, k, 1, k / 2);
    return g.batch_norm(name + ".bn", conv);
  };
  auto n1 = g.add_sum("n1", {relu_conv_bn("e10", stem, 3)});
  auto n2 = g.add_sum("n2", {relu_conv_bn("e20", stem, 1), g.avg_pool("e21", n1, 3, 1, 1, false)});
  auto n3 = g.add_sum("n3", {g.identity("e30", stem), g.zero("e31", n1), relu_conv_bn("e32", n2, 3)});
  auto last = g.relu("last.relu", g.batch_norm("last.bn", n3));
  auto out = g.linear("classifier", g.global_avg_pool("gap", last), 3);
  g.mark_output(out);
  return g;
}

Tensor random_tensor(Shape shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t = Tensor::empty(std::move(shape));
  for (auto& v : t.values()) v = static_cast<float>(rng.normal());
  return t;
}

void check_graph_gradients(const ComputeGraph& graph, Shape input_shape, std::vector<int> labels,
                           int threads) {
  Network net(graph, {.seed = 3, .threads = threads});
  const Tensor x = random_tensor(input_shape, 11);
  net.zero_grad();
  backward(cross_entropy(net.forward(x, true), labels));
  const reference::Array xr = reference::from_tensor(x);
  reference::check_parameter_gradients(
      net.parameters(),
      [&](const reference::Params& p) {
        return reference::cross_entropy(reference::run_graph(graph, xr, p), labels, 0.0);
      },
      5);
}

}  // namespace

TEST_CASE("LeNet-style network: parameter gradients match finite differences") {
  check_graph_gradients(small_lenet(), {3, 1, 12, 12}, {0, 4, 2}, 1);
  check_graph_gradients(small_lenet(), {3, 1, 12, 12}, {0, 4, 2}, 2);
}

TEST_CASE("NB201-style cell network: parameter gradients match finite differences") {
  check_graph_gradients(nb201_cell_net(), {4, 3, 6, 6}, {0, 1, 2, 1}, 2);
}

TEST_CASE("ReLU -> conv folding: the same values and gradients as separate ops") {
  // Two ReLU -> conv edges (3x3 and 1x1, 16 channels: the 16-row kernel blocks) read the same
  // tensor, so the second input gradient accumulates through the ReLU mask. Marking the ReLUs as
  // outputs too keeps them as separate ops: the logits must not change, the folded tape must have
  // exactly two nodes fewer, and the gradients must match finite differences.
  auto build = [](bool keep_relus) {
    ComputeGraph g;
    auto x = g.add_input("x", {3, 6, 6});
    auto stem = g.conv2d("stem", x, 16, 3, 1, 1);
    auto r1 = g.relu("e1.relu", stem);
    auto r2 = g.relu("e2.relu", stem);
    auto sum = g.add_sum("sum", {g.conv2d("e1", r1, 16, 3, 1, 1), g.conv2d("e2", r2, 16, 1)});
    g.mark_output(g.linear("out", g.global_avg_pool("gap", sum), 3));
    if (keep_relus) {
      g.mark_output(r1);
      g.mark_output(r2);
    }
    return g;
  };
  const Tensor x = random_tensor({2, 3, 6, 6}, 4);
  Network folded(build(false), {.seed = 2, .threads = 1});
  Network separate(build(true), {.seed = 2, .threads = 1});
  const Tensor a = folded.forward(x, true).value();
  const Tensor b = separate.forward(x, true).value();
  // (only where the kernels apply the ReLU for free: the shifted-view convolutions of AVX-512)
  const std::size_t folded_relus = kernels::table().has_shifted_conv ? 2 : 0;
  CHECK(folded.tape().size() + folded_relus == separate.tape().size());
  for (std::int64_t i = 0; i < a.numel(); ++i)
    CHECK(a.data()[i] == doctest::Approx(b.data()[i]).epsilon(1e-6));
  check_graph_gradients(build(false), {2, 3, 6, 6}, {0, 2}, 1);
  check_graph_gradients(build(false), {2, 3, 6, 6}, {0, 2}, 2);
}

TEST_CASE("initialisation follows PyTorch's defaults") {
  // Conv 16->32 3x3: fan_in 144, kaiming_uniform(a=sqrt(5)) bound = 1/sqrt(144) = 1/12.
  ComputeGraph g;
  auto x = g.add_input("x", {16, 8, 8});
  auto conv = g.conv2d("conv", x, 32, 3, 1, 1, 1, 1, true);
  auto bn = g.batch_norm("bn", conv);
  auto fc = g.linear("fc", g.global_avg_pool("gap", bn), 10);
  g.mark_output(fc);
  Network net(g, {.seed = 5});
  auto& set = net.parameters();
  auto stats = [](const Tensor& t) {
    double mean = 0, sq = 0, top = 0;
    for (float v : t.values()) {
      mean += v;
      sq += double(v) * v;
      top = std::max(top, std::abs(double(v)));
    }
    mean /= t.numel();
    return std::array<double, 3>{mean, sq / t.numel() - mean * mean, top};
  };
  const double bound = 1.0 / 12.0;
  auto w = stats(set.find("conv.weight")->value);  // 4608 samples of U(-b, b)
  CHECK(w[2] <= bound);
  CHECK(w[2] > 0.99 * bound);
  CHECK(std::abs(w[0]) < 0.05 * bound);
  CHECK(w[1] == doctest::Approx(bound * bound / 3).epsilon(0.06));
  CHECK(stats(set.find("conv.bias")->value)[2] <= bound);  // bias bound 1/sqrt(fan_in)
  const double fc_bound = 1.0 / std::sqrt(32.0);
  CHECK(stats(set.find("fc.weight")->value)[2] <= fc_bound);
  CHECK(stats(set.find("fc.weight")->value)[2] > 0.9 * fc_bound);
  for (float v : set.find("bn.weight")->value.values()) CHECK(v == 1.0f);
  for (float v : set.find("bn.bias")->value.values()) CHECK(v == 0.0f);
  for (float v : set.find_buffer("bn.running_var")->value.values()) CHECK(v == 1.0f);
  CHECK(default_weight_bound(144) == doctest::Approx(1.0 / 12.0));
  CHECK(net.parameters().count_elements(ParameterRole::weight) == g.total_params());
}

TEST_CASE("a wrong input shape names both shapes") {
  Network net(small_lenet());
  CHECK_THROWS_WITH_AS(net.forward(Tensor::zeros({2, 3, 12, 12}), true),
                       "Network::forward: input of shape 2x3x12x12 does not match the network "
                       "input Nx1x12x12",
                       Error);
}

TEST_CASE("predict uses running statistics and matches forward in eval mode") {
  ComputeGraph graph = nb201_cell_net();
  Network net(graph, {.seed = 1});
  const Tensor x = random_tensor({4, 3, 6, 6}, 3);
  Sgd sgd(net.weights(), {.learning_rate = 0.05, .momentum = 0.9});
  for (int i = 0; i < 3; ++i) {
    sgd.zero_grad();
    backward(cross_entropy(net.forward(x, true), {0, 1, 2, 0}));
    sgd.step();
  }
  const Tensor eval = net.forward(x, false).value();
  const Tensor predicted = net.predict(x);
  REQUIRE(eval.shape() == Shape{4, 3});
  for (std::int64_t i = 0; i < eval.numel(); ++i)
    CHECK(predicted.data()[i] == doctest::Approx(eval.data()[i]).epsilon(1e-5));
  // running stats moved away from their initial values during training
  CHECK(net.parameters().find_buffer("stem.bn.running_mean")->value.data()[0] != 0.0f);
}

TEST_CASE("the same seed gives the same training run, another seed another") {
  auto run = [](std::uint64_t seed, int threads) {
    Network net(nb201_cell_net(), {.seed = seed, .threads = threads});
    Sgd sgd(net.weights(), {.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
    const Tensor x = random_tensor({4, 3, 6, 6}, 9);
    float loss = 0;
    for (int i = 0; i < 4; ++i) {
      sgd.zero_grad();
      Variable l = cross_entropy(net.forward(x, true), {0, 1, 2, 0});
      backward(l);
      sgd.step();
      loss = l.value().item();
    }
    return loss;
  };
  CHECK(run(7, 1) == run(7, 1));
  CHECK(run(7, 2) == run(7, 2));
  CHECK(run(7, 1) != run(8, 1));
}
