// Policies of the policy-gradient strategies: analytic gradients of log pi against central finite
// differences (categorical and LSTM, with temperature and tanh constant on and off), sampling
// frequencies against the policy's own probabilities, and Adam against a hand-computed step.
#include <doctest/doctest.h>

#include <cmath>

#include "search/rl/lstm_policy.hpp"
#include "search/rl/policy_gradient.hpp"

using namespace tandem;

namespace {

// Max relative error between the analytic gradient of log pi(actions) and central differences.
double gradient_error(Policy& policy, const std::vector<int>& actions) {
  Eigen::VectorXd analytic = Eigen::VectorXd::Zero(policy.parameters().size());
  policy.log_prob(actions, nullptr, &analytic, 1.0);
  double worst = 0.0;
  const double h = 1e-6;
  for (Eigen::Index i = 0; i < policy.parameters().size(); ++i) {
    const double saved = policy.parameters()[i];
    policy.parameters()[i] = saved + h;
    const double up = policy.log_prob(actions, nullptr, nullptr, 0.0);
    policy.parameters()[i] = saved - h;
    const double down = policy.log_prob(actions, nullptr, nullptr, 0.0);
    policy.parameters()[i] = saved;
    const double numeric = (up - down) / (2 * h);
    worst = std::max(worst, std::abs(numeric - analytic[i]) / std::max(1e-4, std::abs(numeric) + std::abs(analytic[i])));
  }
  return worst;
}

}  // namespace

TEST_CASE("categorical policy: gradient of log pi matches finite differences") {
  Rng init(3);
  CategoricalPolicy policy({5, 3, 2, 4}, 0.7, init);
  CHECK(gradient_error(policy, {4, 0, 1, 2}) < 1e-6);
  // And the gradient has the closed form onehot(a) - p for each decision.
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(policy.parameters().size());
  policy.log_prob({1, 0, 1, 3}, nullptr, &gradient, 2.0);
  Eigen::VectorXd p = policy.probabilities(0);
  CHECK(gradient[1] == doctest::Approx(2.0 * (1.0 - p[1])));
  CHECK(gradient[0] == doctest::Approx(-2.0 * p[0]));
}

TEST_CASE("LSTM controller: backpropagation through time matches finite differences") {
  for (LstmShape shape : {LstmShape{8, 2, 5.0, 2.5}, LstmShape{6, 1, 0.0, 0.0},
                          LstmShape{5, 3, 1.5, 1.1}}) {
    Rng init(17);
    // Large init so the gates are far from their linear regime.
    LstmPolicy policy({5, 5, 3, 4, 2}, shape, 0.8, init);
    Rng rng(5);
    for (int trial = 0; trial < 3; ++trial) {
      const std::vector<int> actions = policy.sample(rng);
      const double error = gradient_error(policy, actions);
      CHECK(error < 1e-5);
    }
  }
}

TEST_CASE("entropy and sampling frequencies agree with the policy's probabilities") {
  Rng init(1);
  CategoricalPolicy policy({3}, 1.0, init);
  Eigen::VectorXd p = policy.probabilities(0);
  double entropy = 0.0;
  policy.log_prob({0}, &entropy, nullptr, 0.0);
  CHECK(entropy == doctest::Approx(-(p.array() * p.array().log()).sum()));
  Rng rng(2);
  std::vector<int> counts(3, 0);
  const int n = 20000;
  for (int i = 0; i < n; ++i) ++counts[policy.sample(rng)[0]];
  for (int k = 0; k < 3; ++k)  // 4 binomial standard deviations
    CHECK(std::abs(counts[k] / double(n) - p[k]) < 4 * std::sqrt(p[k] * (1 - p[k]) / n));
  // A uniform categorical over K values has entropy log K.
  Rng zero(0);
  CategoricalPolicy uniform({4, 2}, 0.0, zero);
  uniform.log_prob({0, 0}, &entropy, nullptr, 0.0);
  CHECK(entropy == doctest::Approx(std::log(4.0) + std::log(2.0)));
}

TEST_CASE("VectorAdam takes PyTorch's first step: lr * sign(g)") {
  // Step 1: m_hat = g, v_hat = g^2, so the update is lr * g / (|g| + eps).
  VectorAdam adam;
  adam.learning_rate = 0.1;
  adam.epsilon = 0.0;
  Eigen::VectorXd theta(2), gradient(2);
  theta << 1.0, -1.0;
  gradient << 3.0, -0.5;
  adam.step(theta, gradient);
  CHECK(theta[0] == doctest::Approx(0.9));
  CHECK(theta[1] == doctest::Approx(-0.9));
}

TEST_CASE("the corrected baseline is the bias-corrected moving average of rewards") {
  // AutoDL: num = 0.9 num + 0.1 R, den = 0.9 den + 0.1, b = num / den; rewards 10 then 20:
  // after 10: b = 10; after 20: num = 0.09*10... = 0.9*1 + 2 = 2.9, den = 0.19 -> b = 15.263...
  PolicyGradientOptions options;
  Rng init(0);
  PolicyGradientLearner learner({3, 3}, options, init);
  learner.learn({0, 1}, 10.0);
  CHECK(learner.baseline() == doctest::Approx(10.0));
  learner.learn({2, 1}, 20.0);
  CHECK(learner.baseline() == doctest::Approx(2.9 / 0.19));
}
