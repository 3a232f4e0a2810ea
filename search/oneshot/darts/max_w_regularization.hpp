// sharpDARTS Max-W weighting of a mixed op (`--weighting_algorithm max_w`, ahundt/sharpDARTS
// cnn/model_search.py::MixedOp.forward; algorithms.md §5.2): with w = softmax(alpha),
//   output = sum_k (1 - max_j w_j + w_k) op_k(x),
// so the strongest op has weight exactly 1 and every other op 1 minus its gap to the strongest.
// The gradient flows through max_j w_j into the arg-max entry only (torch.max), as the official
// DARTS-space MixedOp does; `detach_max` = true treats max_j w_j as a constant instead (the
// multichannel variant's comment). The genotype is still derived from softmax(alpha).
#pragma once

#include <vector>

#include "trainers/autograd.hpp"

namespace tandem {

// Max-W weights of a probability vector (entries outside `allowed` keep weight 0; empty = all).
std::vector<double> max_w_weights(const std::vector<double>& probabilities,
                                  const std::vector<int>& allowed = {});

// The Max-W mixing weights [K] of an alpha vector on alpha's tape: softmax over `allowed`, then
// 1 - max + w (entries outside `allowed` are never executed by the supernet).
Variable max_w_weights(const Variable& alpha, const std::vector<int>& allowed = {},
                       bool detach_max = false);

}  // namespace tandem
