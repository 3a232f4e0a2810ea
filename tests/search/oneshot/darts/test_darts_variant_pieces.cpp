// The building blocks of the DARTS variants, against independent truth: sharpDARTS cosine power
// annealing (values computed by hand from the official formula, the p = 1 closed form and the
// p -> 1 limit), Max-W weights (hand values, gradient vs double finite differences), the
// GDAS/SNAS Gumbel relaxation (fixed noise, soft gradient vs finite differences, hard
// straight-through gradient = the soft Jacobian formula, temperature schedules) and SD-DARTS
// voting-teacher distillation (a hand-made vote, KD loss value and gradient vs finite differences,
// snapshot store).
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "search/oneshot/darts/cosine_power_annealing.hpp"
#include "search/oneshot/darts/gumbel_relaxation.hpp"
#include "search/oneshot/darts/max_w_regularization.hpp"
#include "search/oneshot/darts/self_distillation.hpp"

using namespace tandem;

namespace {

std::vector<double> softmax_d(const std::vector<double>& a, double tau = 1.0) {
  double top = a[0];
  for (double v : a) top = std::max(top, v);
  std::vector<double> p(a.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += p[i] = std::exp((a[i] - top) / tau);
  for (double& v : p) v /= sum;
  return p;
}

// Central differences of f at x (double).
std::vector<double> numeric_gradient(const std::function<double(const std::vector<double>&)>& f,
                                     std::vector<double> x, double h = 1e-6) {
  std::vector<double> g(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double plus = f(x);
    x[i] = keep - h;
    const double minus = f(x);
    x[i] = keep;
    g[i] = (plus - minus) / (2 * h);
  }
  return g;
}

// d(sum_k c_k y_k)/d(input) of a vector Variable y computed from a leaf (engine gradient).
std::vector<double> engine_gradient(const std::vector<double>& input, const std::vector<double>& c,
                                    const std::function<Variable(const Variable&)>& f) {
  Tape tape;
  Tensor value = Tensor::empty({static_cast<std::int64_t>(input.size())});
  for (std::size_t i = 0; i < input.size(); ++i) value.data()[i] = static_cast<float>(input[i]);
  Variable x = tape.leaf(value, true);
  Variable y = f(x);
  Tensor seed = Tensor::empty(y.shape());
  for (std::size_t i = 0; i < c.size(); ++i) seed.data()[i] = static_cast<float>(c[i]);
  tape.backward(y, seed);
  std::vector<double> g;
  for (float v : x.grad().values()) g.push_back(v);
  return g;
}

}  // namespace

// ---- cosine power annealing ----------------------------------------------------------------

TEST_CASE("cosine power annealing matches hand-computed values of the official formula") {
  // E = 4, p = 2: c = (1 + cos(pi e / 4)) / 2 = .853553, .5, .146447, 0; q = 2^(c+1) normalised
  CosinePowerAnnealingOptions o;
  o.max_lr = 0.1;
  o.min_lr = 0.0;
  o.power = 2.0;
  o.epochs = 4;
  const std::vector<double> expected = {0.1, 0.0513310139110966, 0.013240035941298751, 0.0};
  const auto lr = cosine_power_annealing(o);
  REQUIRE(lr.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(lr[i] == doctest::Approx(expected[i]).epsilon(1e-12));
  // the schedule object: 0-based epoch t uses lr(t + 1); past the end it stays at the last value
  CosinePowerAnnealing schedule(o);
  CHECK(schedule.learning_rate(0) == doctest::Approx(0.1));
  CHECK(schedule.learning_rate(2) == doctest::Approx(0.013240035941298751));
  CHECK(schedule.learning_rate(9) == doctest::Approx(0.0));

  o.power = 10.0;
  o.epochs = 5;
  o.min_lr = 1e-4;
  const std::vector<double> p10 = {0.1, 0.05005515040785682, 0.01738373621702724,
                                   0.0035966111498644685, 0.0001};
  const auto lr10 = cosine_power_annealing(o);
  for (std::size_t i = 0; i < 5; ++i) CHECK(lr10[i] == doctest::Approx(p10[i]).epsilon(1e-12));
}

TEST_CASE("cosine power annealing warm-up: linear ramp over the first W + 1 epochs") {
  // E = 6, W = 2: epochs shifted by 2 (E' = 4), normalised over all six, then e <= 3 -> e / 3
  CosinePowerAnnealingOptions o;
  o.max_lr = 0.025;
  o.min_lr = 1e-4;
  o.power = 2.0;
  o.epochs = 6;
  o.warmup_epochs = 2;
  const std::vector<double> expected = {
      0.0084, 0.0167, 0.025, 0.010413917703090069, 0.002760314509294926, 0.0001};
  const auto lr = cosine_power_annealing(o);
  for (std::size_t i = 0; i < 6; ++i) CHECK(lr[i] == doctest::Approx(expected[i]).epsilon(1e-12));
}

TEST_CASE("cosine power annealing with power 1 is the normalised cosine, and the p -> 1 limit") {
  CosinePowerAnnealingOptions o;
  o.max_lr = 0.1;
  o.min_lr = 1e-4;
  o.power = 1.0;
  o.epochs = 7;
  const auto lr = cosine_power_annealing(o);
  // q(e) = c(e) / c(1) since c(E) = 0
  const double c1 = (1 + std::cos(M_PI / 7)) / 2;
  for (int e = 1; e <= 7; ++e) {
    const double c = (1 + std::cos(M_PI * e / 7)) / 2;
    CHECK(lr[static_cast<std::size_t>(e - 1)] == doctest::Approx(1e-4 + (0.1 - 1e-4) * c / c1));
  }
  o.power = 1.0 + 1e-7;  // (p^(c+1) - min) / range -> (c - min) / range as p -> 1
  const auto near = cosine_power_annealing(o);
  for (std::size_t i = 0; i < 7; ++i) CHECK(near[i] == doctest::Approx(lr[i]).epsilon(1e-6));
}

TEST_CASE("cosine power annealing rejects bad options") {
  CosinePowerAnnealingOptions o;
  o.epochs = 5;
  o.power = 0.5;
  CHECK_THROWS_AS(cosine_power_annealing(o), ConfigError);
  o.power = 2.0;
  o.warmup_epochs = 5;
  CHECK_THROWS_AS(cosine_power_annealing(o), ConfigError);
  o.warmup_epochs = 0;
  o.epochs = 1;  // one epoch: max_lr (the official 0/0 is NaN)
  CHECK(cosine_power_annealing(o)[0] == doctest::Approx(o.max_lr));
}

// ---- Max-W ----------------------------------------------------------------------------------

TEST_CASE("Max-W weights: the best op gets 1, the others 1 minus their gap") {
  const auto w = max_w_weights(std::vector<double>{0.5, 0.3, 0.2});
  CHECK(w[0] == doctest::Approx(1.0));
  CHECK(w[1] == doctest::Approx(0.8));
  CHECK(w[2] == doctest::Approx(0.7));
  const auto sub = max_w_weights(std::vector<double>{0.5, 0.3, 0.2}, {1, 2});
  CHECK(sub[0] == 0.0);
  CHECK(sub[1] == doctest::Approx(1.0));
  CHECK(sub[2] == doctest::Approx(0.9));
}

TEST_CASE("Max-W weights on the tape: value and alpha gradient vs finite differences") {
  const std::vector<double> alpha = {0.3, -0.2, 0.9, 0.1};
  const std::vector<double> c = {1.0, -2.0, 0.5, 3.0};
  for (bool detach : {false, true}) {
    INFO("detach_max " << detach);
    // reference: L = sum_k c_k (1 - max_j p_j + p_k), with max_j p_j constant when detached
    const std::vector<double> p0 = softmax_d(alpha);
    const double top0 = *std::max_element(p0.begin(), p0.end());
    auto loss = [&](const std::vector<double>& a) {
      const auto p = softmax_d(a);
      const double top = detach ? top0 : *std::max_element(p.begin(), p.end());
      double l = 0.0;
      for (std::size_t k = 0; k < a.size(); ++k) l += c[k] * (1.0 - top + p[k]);
      return l;
    };
    const auto numeric = numeric_gradient(loss, alpha);
    const auto engine = engine_gradient(alpha, c, [&](const Variable& a) {
      Variable w = max_w_weights(a, {}, detach);
      for (std::size_t k = 0; k < alpha.size(); ++k)
        CHECK(w.value().data()[k] == doctest::Approx(1.0 - top0 + p0[k]).epsilon(1e-6));
      return w;
    });
    for (std::size_t k = 0; k < alpha.size(); ++k)
      CHECK(engine[k] == doctest::Approx(numeric[k]).epsilon(1e-4));
  }
}

// ---- Gumbel relaxation ----------------------------------------------------------------------

TEST_CASE("Gumbel relaxation: fixed noise between samples, soft gradient vs finite differences") {
  const std::vector<double> alpha = {0.2, -0.4, 0.7, 0.0, 0.1};
  const std::vector<double> c = {0.5, -1.0, 2.0, 0.3, -0.7};
  GumbelRelaxation soft(/*hard=*/false, 11);
  soft.set_temperature(0.7);
  const auto g = gumbel_noise(soft.noise_seed("1<-0"), alpha.size());
  // the sample is softmax((alpha + g) / tau); the relaxed loss sum_k c_k Z_k with g held fixed
  auto relaxed = [&](const std::vector<double>& a) {
    std::vector<double> perturbed(a.size());
    for (std::size_t k = 0; k < a.size(); ++k) perturbed[k] = a[k] + g[k];
    const auto z = softmax_d(perturbed, 0.7);
    return std::inner_product(c.begin(), c.end(), z.begin(), 0.0);
  };
  const auto engine = engine_gradient(alpha, c, [&](const Variable& a) {
    Variable z = soft.weights("1<-0", a);
    Variable again = soft.weights("1<-0", a);  // same sample index and key: same noise
    for (std::size_t k = 0; k < alpha.size(); ++k)
      CHECK(z.value().data()[k] == again.value().data()[k]);
    return z;
  });
  const auto numeric = numeric_gradient(relaxed, alpha);
  for (std::size_t k = 0; k < alpha.size(); ++k)
    CHECK(engine[k] == doctest::Approx(numeric[k]).epsilon(1e-4));
  // other keys and the next sample draw other noise
  CHECK(soft.noise_seed("1<-0") != soft.noise_seed("2<-0"));
  const auto before = soft.noise_seed("1<-0");
  soft.next_sample();
  CHECK(soft.noise_seed("1<-0") != before);
}

TEST_CASE("GDAS hard sample: one-hot at argmax(alpha + g), straight-through soft Jacobian") {
  const std::vector<double> alpha = {0.2, -0.4, 0.7, 0.0, 0.1};
  const std::vector<double> c = {0.5, -1.0, 2.0, 0.3, -0.7};
  const double tau = 3.0;
  GumbelRelaxation hard(/*hard=*/true, 5);
  hard.set_temperature(tau);
  for (int sample = 0; sample < 4; ++sample, hard.next_sample()) {
    const auto g = gumbel_noise(hard.noise_seed("3<-2"), alpha.size());
    std::vector<double> perturbed(alpha.size());
    for (std::size_t k = 0; k < alpha.size(); ++k) perturbed[k] = alpha[k] + g[k];
    const std::size_t best = static_cast<std::size_t>(
        std::max_element(perturbed.begin(), perturbed.end()) - perturbed.begin());
    const auto p = softmax_d(perturbed, tau);
    // d(sum c_k h_k)/d alpha_i = (1/tau) p_i (c_i - sum_j c_j p_j)   (h = one_h - sg(p) + p)
    const double mean = std::inner_product(c.begin(), c.end(), p.begin(), 0.0);
    const auto engine = engine_gradient(alpha, c, [&](const Variable& a) {
      Variable h = hard.weights("3<-2", a);
      for (std::size_t k = 0; k < alpha.size(); ++k)
        CHECK(h.value().data()[k] == (k == best ? 1.0f : 0.0f));
      return h;
    });
    for (std::size_t i = 0; i < alpha.size(); ++i)
      CHECK(engine[i] == doctest::Approx(p[i] * (c[i] - mean) / tau).epsilon(1e-4));
  }
}

TEST_CASE("Gumbel temperature schedules: GDAS linear 10 -> 0.1, SNAS linear with a floor") {
  CHECK(gdas_temperature(0, 5, 10.0, 0.1) == doctest::Approx(10.0));
  CHECK(gdas_temperature(2, 5, 10.0, 0.1) == doctest::Approx(5.05));
  CHECK(gdas_temperature(4, 5, 10.0, 0.1) == doctest::Approx(0.1));
  CHECK(gdas_temperature(0, 1, 10.0, 0.1) == doctest::Approx(10.0));
  // SNAS Temp_Scheduler: stepped before each epoch, so epoch 0 already uses step 1
  CHECK(snas_temperature(0, 150, 1.0, 0.03) == doctest::Approx(1.0 - 0.97 / 150));
  CHECK(snas_temperature(74, 150, 1.0, 0.03) == doctest::Approx(0.515));
  CHECK(snas_temperature(149, 150, 1.0, 0.03) == doctest::Approx(0.03));
  CHECK(snas_temperature(400, 150, 1.0, 0.03) == doctest::Approx(0.03));
  GumbelRelaxation r(false, 1);
  CHECK_THROWS_AS(r.set_temperature(0.0), ConfigError);
}

// ---- SD-DARTS voting-teacher distillation ----------------------------------------------------

TEST_CASE("voting teacher: average of the teachers' softened probabilities") {
  // teacher 1: softmax(0, 0, ln 2) = (.25, .25, .5); teacher 2: softmax(ln 3, 0, 0) = (.6, .2, .2)
  Tensor t1({1, 3}, std::vector<float>{0.0f, 0.0f, static_cast<float>(std::log(2.0))});
  Tensor t2({1, 3}, std::vector<float>{static_cast<float>(std::log(3.0)), 0.0f, 0.0f});
  const Tensor vote = vote_teacher({t1, t2}, 1.0);
  CHECK(vote.data()[0] == doctest::Approx(0.425));
  CHECK(vote.data()[1] == doctest::Approx(0.225));
  CHECK(vote.data()[2] == doctest::Approx(0.35));
  // at tau = 2 teacher 1 becomes softmax(0, 0, ln 2 / 2) = (1, 1, sqrt 2) / (2 + sqrt 2)
  const Tensor soft = vote_teacher({t1}, 2.0);
  CHECK(soft.data()[2] == doctest::Approx(std::sqrt(2.0) / (2.0 + std::sqrt(2.0))));
  CHECK_THROWS(vote_teacher({}, 1.0));
}

TEST_CASE(
    "distillation loss: tau^2 KL(p_T || softmax(z / tau)), value and gradient vs finite "
    "differences") {
  const double tau = 2.5, lambda = 0.7;
  const std::vector<int> labels = {2, 0};
  Tensor teacher({2, 3}, std::vector<float>{0.2f, 0.3f, 0.5f, 0.6f, 0.1f, 0.3f});
  const std::vector<double> z0 = {0.4, -0.3, 1.2, 0.0, 0.8, -0.5};
  // reference weight loss: CE(z, y) + lambda tau^2 mean_r sum_j pT_j log(pT_j / q_j), q = softmax(z
  // / tau)
  auto loss = [&](const std::vector<double>& z) {
    double total = 0.0;
    for (int r = 0; r < 2; ++r) {
      std::vector<double> row(z.begin() + 3 * r, z.begin() + 3 * r + 3);
      const auto p = softmax_d(row);
      const auto q = softmax_d(row, tau);
      double kl = 0.0;
      for (int j = 0; j < 3; ++j) {
        const double t = teacher.data()[3 * r + j];
        kl += t * std::log(t / q[static_cast<std::size_t>(j)]);
      }
      total += -std::log(p[static_cast<std::size_t>(labels[static_cast<std::size_t>(r)])]) +
               lambda * tau * tau * kl;
    }
    return total / 2.0;
  };
  Tape tape;
  Tensor zt = Tensor::empty({2, 3});
  for (std::size_t i = 0; i < 6; ++i) zt.data()[i] = static_cast<float>(z0[i]);
  Variable z = tape.leaf(zt, true);
  Variable kd = distillation_loss(z, teacher, tau);
  Variable total =
      add({cross_entropy(z, labels),
           scale(kd, tape.constant(Tensor::full({1}, static_cast<float>(lambda))), 0)});
  CHECK(total.value().item() == doctest::Approx(loss(z0)).epsilon(1e-5));
  tape.backward(total);
  const auto numeric = numeric_gradient(loss, z0);
  for (std::size_t i = 0; i < 6; ++i)
    CHECK(z.grad().data()[i] == doctest::Approx(numeric[i]).epsilon(1e-4));
}

TEST_CASE("snapshot store keeps the last K copies and swaps them in and out") {
  ParameterSet set;
  Parameter& w = set.add("w", Tensor::full({2}, 1.0f));
  Parameter& a = set.add("alpha/x", Tensor::full({3}, 0.5f), ParameterRole::architecture);
  Buffer& b = set.add_buffer("bn.running_mean", Tensor::full({2}, 0.0f));
  SnapshotStore store(2);
  store.push(set, /*include_architecture=*/true);  // w = 1
  w.value.fill(2.0f);
  a.value.fill(0.7f);
  b.value.fill(4.0f);
  store.push(set, false);  // w = 2 (alpha not stored)
  w.value.fill(3.0f);
  store.push(set, true);  // w = 3; the w = 1 copy is dropped
  CHECK(store.size() == 2);
  w.value.fill(9.0f);
  a.value.fill(0.9f);
  store.with_snapshot(0, set, [&] {
    CHECK(w.value.data()[0] == 2.0f);
    CHECK(a.value.data()[0] == doctest::Approx(0.9f));  // not in that snapshot: live value
    CHECK(b.value.data()[0] == 4.0f);
  });
  store.with_snapshot(1, set, [&] {
    CHECK(w.value.data()[1] == 3.0f);
    CHECK(a.value.data()[2] == doctest::Approx(0.7f));
  });
  CHECK(w.value.data()[0] == 9.0f);  // restored
  CHECK(a.value.data()[0] == doctest::Approx(0.9f));
  CHECK_THROWS(store.with_snapshot(0, set, [] { throw std::runtime_error("x"); }));
  CHECK(w.value.data()[0] == 9.0f);  // restored after the throw too
}
