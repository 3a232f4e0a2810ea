// The exact Hessian-vector product grasp needs: H v, H the Hessian of the mean cross-entropy
// w.r.t. the weights of every conv2d/linear layer, v a direction over those weights.
//
// The reference (zero-cost-nas measures/grasp.py) gets it from PyTorch's double backward
// (autograd.grad(..., create_graph=True), then backward of <g, grad>). tandem's tape is
// first-order, so this file computes the same quantity by forward-mode differentiation of the
// forward and backward passes (Pearlmutter, "Fast Exact Multiplication by the Hessian", Neural
// Computation 1994): every value and every gradient carries a tangent, its derivative along v.
// The heavy kernels are the trainer's own (op_table forward/backward): conv2d and linear are
// bilinear, so their tangents are the same kernels applied to (tangent, value) pairs; relu, pools
// and the other linear ops pass tangents through their own backward (a fixed mask, argmax or
// average); batch norm (batch statistics) and cross-entropy have their tangents written out.
// As in autograd, relu'' = 0 and max pooling's argmax is fixed. (A finite difference of two
// gradients is no substitute: thousands of relus change sign within any usable step and batch
// norm makes the loss sharply curved, so the difference quotient changes sign with the step.)
#pragma once

#include <vector>

#include "core/compute_graph.hpp"
#include "predictors/zero_cost_proxies.hpp"
#include "trainers/parameters.hpp"

namespace tandem {

// `parameters` holds the graph's parameters under trainers::Network's names; `direction` has one
// tensor per conv2d/linear layer in graph order, shaped like its weight. Batch norm uses batch
// statistics (training mode) and leaves running statistics alone; dropout in training mode uses a
// fixed mask. Returns H v in the same layout. Runs in the caller's oneTBB arena.
std::vector<Tensor> hessian_vector_product(const ComputeGraph& graph, ParameterSet& parameters,
                                           const ZeroCostBatch& batch,
                                           const std::vector<Tensor>& direction);

}  // namespace tandem
