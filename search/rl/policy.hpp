// Policies over a space's categorical decisions for the policy-gradient strategies (reinforce,
// marl, codesign_rl): a distribution pi(a) over decision vectors a = (a_1..a_D), a_d in
// [0, K_d), with its parameters in one flat vector so optimizers, state digests and
// finite-difference tests treat every policy alike.
//   CategoricalPolicy: independent logits per decision, pi(a) = prod_d softmax(theta_d)[a_d]
//     (AutoDL-Projects exps/NAS-Bench-201-algos/reinforce.py, algorithms.md §9.3).
//   LstmPolicy (lstm_policy.hpp): an LSTM that emits the decisions in sequence (ENAS).
#pragma once

#include <Eigen/Dense>

#include <string>
#include <vector>

#include "core/rng.hpp"

namespace tandem {

class Policy {
 public:
  virtual ~Policy() = default;
  // One decision vector drawn from pi.
  virtual std::vector<int> sample(Rng& rng) const = 0;
  // log pi(actions); `entropy` (optional) receives the sum over decisions of the entropy of each
  // step's distribution; when `gradient` is given, weight * d log pi(actions) / d theta is ADDED
  // to it.
  virtual double log_prob(const std::vector<int>& actions, double* entropy,
                          Eigen::VectorXd* gradient, double weight) const = 0;
  Eigen::VectorXd& parameters() { return theta_; }
  const Eigen::VectorXd& parameters() const { return theta_; }

 protected:
  Eigen::VectorXd theta_;
};

class CategoricalPolicy final : public Policy {
 public:
  // Logits initialised to init_scale * N(0, 1) (AutoDL: 1e-3).
  CategoricalPolicy(std::vector<int> cardinalities, double init_scale, Rng& init_rng);
  std::vector<int> sample(Rng& rng) const override;
  double log_prob(const std::vector<int>& actions, double* entropy, Eigen::VectorXd* gradient,
                  double weight) const override;
  // softmax(theta_d).
  Eigen::VectorXd probabilities(std::size_t decision) const;

 private:
  std::vector<int> cardinalities_;
  std::vector<Eigen::Index> offsets_;
};

// Helpers shared by the policies.
// Index drawn from a probability vector (inverse CDF on one uniform draw).
int sample_index(const Eigen::VectorXd& probabilities, Rng& rng);
// Numerically stable softmax.
Eigen::VectorXd softmax(const Eigen::VectorXd& logits);
// A short hexadecimal digest of the exact bits of a vector (FNV-1a, 64 bits): states record
// parameter vectors by digest rather than by value, which keeps stored states small.
std::string digest(const Eigen::VectorXd& values);

}  // namespace tandem
