// Optimizers against hand-computed PyTorch updates, schedules against their closed forms,
// gradient clipping, and checkpoint round trips (weights, buffers, optimizer and RNG state).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <numbers>

#include "core/error.hpp"
#include "trainers/engine.hpp"

using namespace tandem;

namespace {

struct OneParameter {
  ParameterSet set;
  Parameter* p;
  OneParameter() { p = &set.add("p", Tensor({1}, std::vector<float>{1.0f})); }
  void gradient(float g) { p->grad = Tensor({1}, std::vector<float>{g}); }
  double value() const { return p->value.item(); }
};

}  // namespace

TEST_CASE("SGD with momentum and weight decay: two hand-computed steps") {
  OneParameter o;
  Sgd sgd({o.p}, {.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.01});
  // step 1: d = 0.5 + 0.01 * 1 = 0.51, buf = d, p = 1 - 0.1 * 0.51 = 0.949
  o.gradient(0.5f);
  sgd.step();
  CHECK(o.value() == doctest::Approx(0.949).epsilon(1e-6));
  // step 2: d = -0.2 + 0.01 * 0.949 = -0.19051; buf = 0.9 * 0.51 + d = 0.26849; p -= 0.026849
  o.gradient(-0.2f);
  sgd.step();
  CHECK(o.value() == doctest::Approx(0.922151).epsilon(1e-6));
}

TEST_CASE("SGD nesterov: two hand-computed steps") {
  OneParameter o;
  Sgd sgd({o.p}, {.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
  // step 1: d = 0.51, buf = 0.51, update = d + 0.9 buf = 0.969 -> p = 0.9031
  o.gradient(0.5f);
  sgd.step();
  CHECK(o.value() == doctest::Approx(0.9031).epsilon(1e-6));
  // step 2: d = -0.2 + 0.009031 = -0.190969; buf = 0.459 + d = 0.268031;
  // update = d + 0.9 * 0.268031 = 0.0502589 -> p = 0.89807411
  o.gradient(-0.2f);
  sgd.step();
  CHECK(o.value() == doctest::Approx(0.89807411).epsilon(1e-6));
}

TEST_CASE("plain SGD and dampening") {
  OneParameter o;
  Sgd sgd({o.p}, {.learning_rate = 0.5, .momentum = 0.5, .dampening = 0.5});
  o.gradient(1.0f);
  sgd.step();  // buf = g = 1 on the first step (no dampening then) -> p = 0.5
  CHECK(o.value() == doctest::Approx(0.5));
  o.gradient(1.0f);
  sgd.step();  // buf = 0.5 * 1 + 0.5 * 1 = 1 -> p = 0
  CHECK(o.value() == doctest::Approx(0.0));
  CHECK_THROWS_AS(Sgd({o.p}, {.momentum = 0.0, .nesterov = true}), Error);
}

namespace {
// Adam by its textbook formula (Kingma & Ba, PyTorch's epsilon placement), in double.
struct AdamByHand {
  double p = 1, m = 0, v = 0, lr, b1, b2, eps, wd;
  bool decoupled;
  int t = 0;
  void step(double g) {
    ++t;
    if (decoupled) p *= 1 - lr * wd;
    else g += wd * p;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const double c1 = 1 - std::pow(b1, t), c2 = 1 - std::pow(b2, t);
    p -= lr / c1 * m / (std::sqrt(v) / std::sqrt(c2) + eps);
  }
};
}  // namespace

TEST_CASE("Adam: the first step moves by lr, later steps follow the bias-corrected moments") {
  OneParameter o;
  Adam adam({o.p}, {.learning_rate = 0.1});
  o.gradient(0.5f);
  adam.step();
  // m = 0.05, v = 0.00025; m / (1 - 0.9) = 0.5, sqrt(v / (1 - 0.999)) = 0.5 -> p = 1 - 0.1
  CHECK(o.value() == doctest::Approx(0.9).epsilon(1e-6));
  AdamByHand hand{.lr = 0.1, .b1 = 0.9, .b2 = 0.999, .eps = 1e-8, .wd = 0.0, .decoupled = false};
  hand.step(0.5);
  for (float g : {-0.2f, 0.3f, 0.05f}) {
    o.gradient(g);
    adam.step();
    hand.step(g);
    CHECK(o.value() == doctest::Approx(hand.p).epsilon(1e-5));
  }
}

TEST_CASE("Adam L2 weight decay and AdamW decoupled weight decay") {
  for (bool decoupled : {false, true}) {
    OneParameter o;
    AdamOptions options{.learning_rate = 0.05, .beta1 = 0.5, .beta2 = 0.999, .weight_decay = 0.1};
    std::unique_ptr<Optimizer> opt;
    if (decoupled) opt = std::make_unique<AdamW>(std::vector<Parameter*>{o.p}, options);
    else opt = std::make_unique<Adam>(std::vector<Parameter*>{o.p}, options);
    AdamByHand hand{.lr = 0.05, .b1 = 0.5, .b2 = 0.999, .eps = 1e-8, .wd = 0.1,
                    .decoupled = decoupled};
    for (float g : {0.4f, -0.1f, 0.2f}) {
      o.gradient(g);
      opt->step();
      hand.step(g);
      CHECK(o.value() == doctest::Approx(hand.p).epsilon(1e-5));
    }
    CHECK(opt->name() == (decoupled ? "adamw" : "adam"));
  }
  // AdamW's first step by hand: p = 1 * (1 - 0.05 * 0.1) - 0.05 = 0.945
  OneParameter o;
  AdamW adamw({o.p}, {.learning_rate = 0.05, .weight_decay = 0.1});
  o.gradient(2.0f);
  adamw.step();
  CHECK(o.value() == doctest::Approx(0.945).epsilon(1e-6));
}

TEST_CASE("gradient-norm clipping scales all gradients together") {
  ParameterSet set;
  Parameter& a = set.add("a", Tensor::zeros({2}));
  Parameter& b = set.add("b", Tensor::zeros({1}));
  a.grad = Tensor({2}, std::vector<float>{3, 4});
  b.grad = Tensor({1}, std::vector<float>{12});
  // total norm sqrt(9 + 16 + 144) = 13; clip to 6.5 -> factor 6.5 / (13 + 1e-6)
  CHECK(clip_grad_norm({&a, &b}, 6.5) == doctest::Approx(13.0));
  CHECK(a.grad.data()[0] == doctest::Approx(1.5).epsilon(1e-6));
  CHECK(a.grad.data()[1] == doctest::Approx(2.0).epsilon(1e-6));
  CHECK(b.grad.data()[0] == doctest::Approx(6.0).epsilon(1e-6));
  // below the threshold nothing changes
  CHECK(clip_grad_norm({&a, &b}, 100.0) == doctest::Approx(6.5).epsilon(1e-5));
  CHECK(b.grad.data()[0] == doctest::Approx(6.0).epsilon(1e-6));
}

TEST_CASE("schedules follow their closed forms") {
  CosineSchedule cosine(0.1, 10, 0.001);
  CHECK(cosine.learning_rate(0) == doctest::Approx(0.1));
  CHECK(cosine.learning_rate(5) == doctest::Approx(0.0505));
  CHECK(cosine.learning_rate(2) ==
        doctest::Approx(0.001 + 0.099 * (1 + std::cos(0.2 * std::numbers::pi)) / 2));
  CHECK(cosine.learning_rate(10) == doctest::Approx(0.001));
  CHECK(cosine.learning_rate(12) == doctest::Approx(0.001));
  StepSchedule step(0.1, 3, 0.5);
  CHECK(step.learning_rate(2) == doctest::Approx(0.1));
  CHECK(step.learning_rate(3) == doctest::Approx(0.05));
  CHECK(step.learning_rate(7) == doctest::Approx(0.025));
  LinearWarmup warm(std::make_shared<ConstantSchedule>(0.2), 4, 0.25);
  CHECK(warm.learning_rate(0) == doctest::Approx(0.05));
  CHECK(warm.learning_rate(2) == doctest::Approx(0.125));
  CHECK(warm.learning_rate(4) == doctest::Approx(0.2));
  LinearWarmup warm_cosine(std::make_shared<CosineSchedule>(0.1, 10), 5);
  CHECK(warm_cosine.learning_rate(0) == doctest::Approx(0.0));
  CHECK(warm_cosine.learning_rate(5) == doctest::Approx(0.1));
  CHECK(warm_cosine.learning_rate(10) == doctest::Approx(0.05));
}

namespace {

ComputeGraph tiny_net() {
  ComputeGraph g;
  auto x = g.add_input("x", {2, 5, 5});
  auto c = g.batch_norm("bn", g.conv2d("conv", x, 4, 3, 1, 1));
  auto d = g.add(OpKind::dropout, "drop", {g.relu("relu", c)}, LayerAttributes{.rate = 0.25});
  g.mark_output(g.linear("fc", g.global_avg_pool("gap", d), 3));
  return g;
}

float train(Network& net, Optimizer& opt, int steps) {
  Rng data(1234);
  float loss = 0;
  Tensor x = Tensor::empty({4, 2, 5, 5});
  for (auto& v : x.values()) v = static_cast<float>(data.normal());
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    Variable l = cross_entropy(net.forward(x, true), {0, 1, 2, 1});
    backward(l);
    opt.step();
    loss = l.value().item();
  }
  return loss;
}

}  // namespace

TEST_CASE("checkpoint round trip resumes training exactly (weights, BN buffers, optimizer, RNG)") {
  Network a(tiny_net(), {.seed = 1, .threads = 1});
  Adam adam_a(a.weights(), {.learning_rate = 0.01});
  train(a, adam_a, 3);
  const std::string bytes = save_checkpoint({&a.parameters(), {&adam_a}, {&a.rng()}});
  const float continued = train(a, adam_a, 3);

  Network b(tiny_net(), {.seed = 99, .threads = 1});
  Adam adam_b(b.weights(), {.learning_rate = 0.5});
  load_checkpoint(bytes, {&b.parameters(), {&adam_b}, {&b.rng()}});
  CHECK(adam_b.learning_rate() == doctest::Approx(0.01));
  const float resumed = train(b, adam_b, 3);
  CHECK(resumed == continued);

  const std::string path = "test_trainers_checkpoint.bin";
  save_checkpoint_file(path, {&a.parameters(), {}, {}});
  Network c(tiny_net(), {.seed = 5});
  load_checkpoint_file(path, {&c.parameters(), {}, {}});
  CHECK(c.parameters().find("conv.weight")->value.to_vector() ==
        a.parameters().find("conv.weight")->value.to_vector());
  std::remove(path.c_str());
}

TEST_CASE("checkpoint mismatches are refused with the offending name") {
  Network a(tiny_net(), {.seed = 1});
  const std::string bytes = save_checkpoint({&a.parameters(), {}, {}});
  ComputeGraph other;
  auto x = other.add_input("x", {2, 5, 5});
  other.mark_output(other.linear("fc", other.global_avg_pool("gap", other.conv2d("conv", x, 5, 3, 1, 1)), 3));
  Network b(other);
  CHECK_THROWS_WITH_AS(load_checkpoint(bytes, {&b.parameters(), {}, {}}),
                       doctest::Contains("has 5 parameters, the model 3"), Error);
  CHECK_THROWS_AS(load_checkpoint("garbage", {&a.parameters(), {}, {}}), Error);
  Sgd sgd(a.weights(), {});
  Adam adam(a.weights(), {});
  CHECK_THROWS_WITH_AS(adam.load_state(sgd.save_state()),
                       "optimizer state is for 'sgd', not 'adam'", Error);
}
