// The DARTS architecture gradients on a tiny NB201-style supernet (4 channels, two cells, 8x8
// digits): the second-order (unrolled, finite-difference Hessian-vector product) gradient against
// central finite differences of f(α) = L_val(w − ξ(μ m + ∇w L_train(w, α) + λ w), α), and the
// first-order gradient as its ξ = 0 case.
#include <doctest/doctest.h>

#include <cmath>

#include "search/oneshot/darts/darts.hpp"
#include "tests/search/oneshot/darts/darts_test_support.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// An NB201-style supernet (stem, two cells sharing 6 alpha keys, global pool, linear) whose ops
// are smooth: conv-BN without the ReLU, avg pool, skip, none. With ReLUs the unrolled loss is
// only piecewise smooth in α (the ReLU masks inside ∇w L_train flip as α moves), and a finite
// difference across such a kink is not a derivative.
SupernetDescription smooth_supernet(int channels) {
  const std::vector<std::string> ops = {"none", "skip_connect", "conv_1x1", "conv_3x3",
                                        "avg_pool_3x3"};
  const std::vector<std::string> keys = {"1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"};
  SupernetDescription d;
  ComputeGraph& g = d.skeleton;
  LayerId x = g.add_input("x", {1, 8, 8});
  LayerId state = g.batch_norm("stem.bn", g.conv2d("stem.conv", x, channels, 3, 1, 1));
  for (int cell = 0; cell < 2; ++cell) {
    std::vector<LayerId> nodes = {state};
    for (int i = 1, e = 0; i <= 3; ++i) {
      std::vector<LayerId> terms;
      for (int j = 0; j < i; ++j, ++e) {
        MixedEdge edge;
        edge.placeholder = g.identity("cell" + std::to_string(cell) + "." + keys[e], nodes[j]);
        edge.alpha_key = keys[e];
        for (const std::string& op : ops) {
          ComputeGraph c;
          LayerId in = c.add_input("x", {channels, 8, 8}), out = in;
          if (op == "none") out = c.zero("zero", in);
          if (op == "skip_connect") out = c.identity("id", in);
          if (op == "avg_pool_3x3") out = c.avg_pool("pool", in, 3, 1, 1, false);
          if (op == "conv_1x1" || op == "conv_3x3") {
            const int k = op == "conv_1x1" ? 1 : 3;
            out = c.batch_norm("bn", c.conv2d("conv", in, channels, k, 1, k / 2), false);
          }
          c.mark_output(out);
          edge.candidates.push_back({op, c});
        }
        terms.push_back(edge.placeholder);
        d.edges.push_back(std::move(edge));
      }
      nodes.push_back(g.add_sum("cell" + std::to_string(cell) + ".node" + std::to_string(i), terms));
    }
    state = nodes.back();
  }
  g.mark_output(g.linear("classifier", g.global_avg_pool("gap", state), 10));
  return d;
}

struct Fixture {
  Supernet net{smooth_supernet(4), {.seed = 5, .threads = 2}};
  BatchStream::Batch train = digits_batch(0, 24);
  BatchStream::Batch valid = digits_batch(900, 24);
  std::vector<Tensor> momentum;

  Fixture() {
    Rng rng(11);
    for (Parameter* a : net.architecture())
      for (float& v : a->value.values()) v = static_cast<float>(0.7 * rng.normal());
    for (Parameter* w : net.weights()) {
      Tensor m = Tensor::empty(w->value.shape());
      for (float& v : m.values()) v = static_cast<float>(0.05 * rng.normal());
      momentum.push_back(m);
    }
  }
  SupernetLoss train_loss() {
    return [this](Supernet& n) { return cross_entropy(n.forward(train.images, true), train.labels); };
  }
  SupernetLoss valid_loss() {
    return [this](Supernet& n) { return cross_entropy(n.forward(valid.images, true), valid.labels); };
  }
  // f(α) at the current α, computed directly: one real gradient step, then the valid loss.
  double unrolled_loss(const UnrolledStep& step) {
    const auto weights = net.weights();
    std::vector<Tensor> saved;
    for (Parameter* w : weights) saved.push_back(w->value.clone());
    net.zero_grad();
    backward(train_loss()(net));
    for (std::size_t i = 0; i < weights.size(); ++i) {
      float* w = weights[i]->value.data();
      const float* g = weights[i]->grad.data();
      const float* m = momentum[i].data();
      for (std::int64_t j = 0; j < weights[i]->value.numel(); ++j)
        w[j] -= static_cast<float>(step.xi) *
                (static_cast<float>(step.momentum) * m[j] + g[j] +
                 static_cast<float>(step.weight_decay) * saved[i].data()[j]);
    }
    const double loss = valid_loss()(net).value().item();
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i]->value.copy_from(saved[i]);
    return loss;
  }
  std::vector<float> alpha_grads() {
    std::vector<float> out;
    for (Parameter* a : net.architecture())
      for (float v : a->grad.values()) out.push_back(v);
    return out;
  }
};

}  // namespace

TEST_CASE("darts second order: the unrolled gradient matches finite differences of L_val(w')") {
  Fixture f;
  UnrolledStep step;
  step.xi = 1.0;  // large, so the Hessian term is a visible part of the gradient
  step.momentum = 0.9;
  step.weight_decay = 3e-4;
  step.momentum_buffer = &f.momentum;
  const auto weights_before = f.net.weights().front()->value.clone();
  const double loss = unrolled_architecture_gradient(f.net, f.train_loss(), f.valid_loss(), step);
  const std::vector<float> second = f.alpha_grads();
  CHECK(loss == doctest::Approx(f.unrolled_loss(step)).epsilon(1e-5));
  // the weights are restored exactly
  CHECK(f.net.weights().front()->value.to_vector() == weights_before.to_vector());

  // the first-order gradient, to show the Hessian term matters at this ξ
  f.net.zero_grad();
  backward(f.valid_loss()(f.net));
  const std::vector<float> first = f.alpha_grads();

  const double h = 1e-2;
  double max_error = 0.0, max_hessian_term = 0.0;
  std::size_t index = 0;
  for (Parameter* a : f.net.architecture()) {
    for (std::int64_t j = 0; j < a->value.numel(); ++j, ++index) {
      const float original = a->value.data()[j];
      a->value.data()[j] = static_cast<float>(original + h);
      const double up = f.unrolled_loss(step);
      a->value.data()[j] = static_cast<float>(original - h);
      const double down = f.unrolled_loss(step);
      a->value.data()[j] = original;
      const double numeric = (up - down) / (2 * h);
      CAPTURE(a->name);
      CAPTURE(j);
      CHECK(std::abs(static_cast<double>(second[index]) - numeric) <= 1e-4 + 1e-2 * std::abs(numeric));
      max_error = std::max(max_error, std::abs(static_cast<double>(second[index]) - numeric));
      max_hessian_term = std::max(max_hessian_term, static_cast<double>(std::abs(second[index] - first[index])));
    }
  }
  MESSAGE("max |unrolled - finite difference| = " << max_error
                                                  << ", max |second - first order| = "
                                                  << max_hessian_term);
  CHECK(max_hessian_term > 10 * max_error);  // the check could tell first from second order
}

TEST_CASE("darts first order is the xi = 0 case of the unrolled gradient") {
  Fixture f;
  f.net.zero_grad();
  backward(f.valid_loss()(f.net));
  const std::vector<float> first = f.alpha_grads();
  UnrolledStep step;  // xi = 0: w' = w, no Hessian term
  step.momentum = 0.9;
  step.momentum_buffer = &f.momentum;
  unrolled_architecture_gradient(f.net, f.train_loss(), f.valid_loss(), step);
  const std::vector<float> unrolled = f.alpha_grads();
  REQUIRE(first.size() == unrolled.size());
  for (std::size_t i = 0; i < first.size(); ++i)
    CHECK(unrolled[i] == doctest::Approx(first[i]).epsilon(1e-5).scale(1e-6));
}
