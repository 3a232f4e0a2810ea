// LSTM controller policy: emits a space's decisions one after another, feeding the embedding of
// each chosen value back as the next input — the ENAS controller (Pham et al., ICML 2018;
// melodyguan/enas src/cifar10/micro_controller.py) in its NAS-Bench-201 form (AutoDL-Projects
// xautodl/models/cell_searchs/search_model_enas_utils.py, algorithms.md §9.4):
//   x_0 = a learned start vector; for step d = 0..D-1:
//     (h, c) <- stacked LSTM(x_d, (h, c))       (gates i, f, g, o as in PyTorch; h, c start at 0)
//     logits = W_d h_top + b_d;  logits /= temperature;  logits = tanh_constant * tanh(logits)
//     a_d ~ softmax(logits);  x_{d+1} = E_d[a_d]
// Defaults (AutoDL ENAS on NB201): hidden 32, 2 layers, temperature 5, tanh constant 2.5,
// parameters uniform in (-0.1, 0.1). Generalisation: AutoDL shares one op embedding and one
// output layer across its 6 edges (all have the same 5 ops); tandem's decisions differ in
// cardinality, so each decision has its own output layer W_d, b_d and embedding E_d.
// Gradients are hand-written backpropagation through time (checked against finite differences in
// tests/search/rl/test_policies.cpp). temperature <= 0 or tanh_constant <= 0 disables that step.
#pragma once

#include "search/rl/policy.hpp"

namespace tandem {

struct LstmShape {
  int hidden_size = 32;
  int layers = 2;
  double temperature = 5.0;
  double tanh_constant = 2.5;
};

class LstmPolicy final : public Policy {
 public:
  LstmPolicy(std::vector<int> cardinalities, LstmShape shape, double init_scale, Rng& init_rng);
  std::vector<int> sample(Rng& rng) const override;
  double log_prob(const std::vector<int>& actions, double* entropy, Eigen::VectorXd* gradient,
                  double weight) const override;

 private:
  struct Trace;
  // Runs the controller; with `given` it follows those actions (teacher forcing), otherwise it
  // samples with `rng`. Fills `trace` for backpropagation when non-null.
  std::vector<int> run(const std::vector<int>* given, Rng* rng, Trace* trace,
                       double* log_prob, double* entropy) const;
  void backward(const Trace& trace, const std::vector<int>& actions, Eigen::VectorXd& gradient,
                double weight) const;

  std::vector<int> cardinalities_;
  LstmShape shape_;
  // Offsets into theta_.
  Eigen::Index start_ = 0;
  std::vector<Eigen::Index> w_input_, w_hidden_, bias_;        // per layer
  std::vector<Eigen::Index> embedding_, w_output_, b_output_;  // per decision
};

}  // namespace tandem
