// The measures behind ZeroCostScorer, one function per proxy (internal to predictors/):
//   zero_cost_pruning.cpp     grad_norm, snip, grasp, fisher, synflow (pruning-at-init scores,
//                             mohsaied/zero-cost-nas foresight/pruners/measures/); grasp's
//                             Hessian product is in zero_cost_hessian.cpp
//   zero_cost_activation.cpp  jacov (measures/jacob_cov.py), naswot (BayesWatch/
//                             nas-without-training score_networks.py, hook_logdet)
// Each takes a ZeroCostNetwork holding the initial weights and leaves those weights as it found
// them.
#pragma once

#include <vector>

#include "predictors/zero_cost_network.hpp"
#include "predictors/zero_cost_proxies.hpp"

namespace tandem {

// One forward (training mode) + backward of the mean cross-entropy on the batch, shared by
// grad_norm, snip, fisher and grasp (the reference runs each on an identical copy of the network,
// which gives the same numbers).
struct LossGradients {
  std::vector<Tensor> weight_grads;  // per weighted layer: dL/dW
  std::vector<double> fisher;        // per weighted layer: its fisher score (see fisher_score)
};
LossGradients loss_gradients(ZeroCostNetwork& network, const ZeroCostBatch& batch);

// sum over layers of ||dL/dW||_2 (Frobenius norm per layer).
double grad_norm_score(const ZeroCostNetwork& network, const LossGradients& gradients);
// sum of |W * dL/dW| (the gradient w.r.t. a multiplicative mask at 1).
double snip_score(const ZeroCostNetwork& network, const LossGradients& gradients);
// sum over layers and output channels k of |1/2 mean_n (sum_hw a * dL/da)^2| times the weights
// per channel (the reference broadcasts the channel score to every weight of the channel); a is
// the layer's output before batch norm.
double fisher_score(const LossGradients& gradients);
// -sum of W * (H g), g = dL/dW, H the Hessian of L w.r.t. the conv/linear weights.
double grasp_score(const ComputeGraph& graph, ZeroCostNetwork& network,
                   const ZeroCostBatch& batch, const LossGradients& gradients);
// sum of |W * dR/dW| with every parameter replaced by its absolute value, batch norm removed, an
// all-ones input of batch 1 and R = sum of the logits.
double synflow_score(const ComputeGraph& graph, ParameterSet& initial,
                     const ZeroCostOptions& options);

// -sum_i [log(v_i + 1e-5) + 1 / (v_i + 1e-5)], v the eigenvalues of the correlation matrix of the
// per-sample input gradients of sum(logits).
double jacov_score(ZeroCostNetwork& network, const ZeroCostBatch& batch);
// log|det K|, K_ij = sum over every relu input of the number of units where samples i and j are
// both active or both inactive.
double naswot_score(ZeroCostNetwork& network, const ZeroCostBatch& batch);

}  // namespace tandem
