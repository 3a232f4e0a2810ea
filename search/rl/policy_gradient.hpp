// The REINFORCE learner shared by the `reinforce`, `marl` and `codesign_rl` strategies: a policy
// (categorical or LSTM), a moving-average reward baseline, an entropy bonus, gradient aggregation
// over `batch_size` samples, gradient-norm clipping and Adam (Kingma & Ba 2015, PyTorch's form).
// Procedure (Williams 1992; AutoDL-Projects exps/NAS-Bench-201-algos/reinforce.py and ENAS.py,
// algorithms.md §9.3–9.4), for each told sample a with reward R:
//   R <- R + entropy_weight * H(pi)      (H: summed per-step entropy of the sampled trajectory,
//                                         added to the reward as in ENAS)
//   baseline b updated with R first ("corrected": bias-corrected EMA, AutoDL REINFORCE:
//     num <- m num + (1-m) R, den <- m den + (1-m), b = num / den;
//   "plain": b = R for the first sample, then b <- b - (1 - m)(b - R), ENAS)
//   loss += -(R - b) log pi(a) / batch_size;  every batch_size samples: clip, Adam step.
// Defaults depend on the policy: categorical = AutoDL REINFORCE (lr 0.01 as NATS-Bench's
// run-all script, Adam betas 0.9/0.999, eps 1e-8, corrected baseline m = 0.9, no entropy bonus,
// no clipping, init 1e-3 N(0,1)); lstm = AutoDL ENAS on NB201 (lr 0.001, betas 0/0.999, eps 1e-3,
// plain baseline 0.99, entropy weight 1e-4, clip 5, init U(-0.1, 0.1), hidden 32, 2 layers,
// temperature 5, tanh constant 2.5). AutoDL's ENAS aggregates 20 samples per step; tandem's
// default batch_size is 1 for both (set batch_size: 20 to match ENAS).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "search/rl/lstm_policy.hpp"
#include "search/rl/policy.hpp"

namespace tandem {

struct PolicyGradientOptions {
  std::string policy = "categorical";  // categorical | lstm
  double learning_rate = 0.01;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double grad_clip = 0.0;            // max gradient norm; 0 = off
  std::string baseline = "corrected";  // corrected | plain
  double baseline_decay = 0.9;
  double entropy_weight = 0.0;
  double reward_scale = 1.0;
  int batch_size = 1;
  double init_scale = 1e-3;
  LstmShape lstm;
  std::optional<double> failure_reward;  // reward for trials without one; none = skip them

  // The option keys read here (strategies add their own).
  static const std::vector<std::string>& keys();
  // Reads the policy-gradient keys of `options` (the caller checks the key set).
  static PolicyGradientOptions parse(const ConfigNode& options,
                                     const std::string& default_policy = "categorical");
  std::string to_string() const;
};

// Adam on one parameter vector (the controller's; trainers/optimizer.hpp has the tensor optimizers).
struct VectorAdam {
  double learning_rate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  Eigen::VectorXd first, second;
  long long steps = 0;
  // theta <- theta - lr * m_hat / (sqrt(v_hat) + eps), for the gradient of a loss.
  void step(Eigen::VectorXd& theta, const Eigen::VectorXd& gradient);
};

class PolicyGradientLearner {
 public:
  // One categorical decision per entry of `cardinalities`.
  PolicyGradientLearner(std::vector<int> cardinalities, const PolicyGradientOptions& options,
                        Rng& init_rng);
  std::vector<int> sample(Rng& rng) const { return policy_->sample(rng); }
  // One REINFORCE sample: `reward` before the entropy bonus. Updates the parameters every
  // batch_size samples.
  void learn(const std::vector<int>& actions, double reward);
  double baseline() const { return baseline_; }
  long long updates() const { return adam_.steps; }
  const Policy& policy() const { return *policy_; }
  Policy& policy() { return *policy_; }
  std::string state() const;

 private:
  PolicyGradientOptions options_;
  std::unique_ptr<Policy> policy_;
  VectorAdam adam_;
  Eigen::VectorXd gradient_;  // of the loss, accumulated over the batch
  int in_batch_ = 0;
  double baseline_ = 0.0, baseline_numerator_ = 0.0, baseline_denominator_ = 0.0;
  long long samples_ = 0;
};

}  // namespace tandem
