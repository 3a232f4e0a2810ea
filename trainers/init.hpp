// Parameter initialisation equal to PyTorch's defaults (torch/nn/modules/conv.py and linear.py,
// reset_parameters): weights kaiming_uniform_(a = sqrt(5)), i.e. U(-b, b) with
// b = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2)) = sqrt(1/3), hence b = 1 / sqrt(fan_in);
// biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)); fan_in = in_channels / groups * kh * kw (conv) or
// in_features (linear). Batch norm: gamma = 1, beta = 0, running mean 0, running var 1.
#pragma once

#include <cstdint>

#include "core/rng.hpp"
#include "trainers/tensor.hpp"

namespace tandem {

// The bound b of PyTorch's default weight init for a layer with this fan-in.
double default_weight_bound(std::int64_t fan_in);
// Fills with U(-bound, bound) from `rng`.
void fill_uniform(Tensor& tensor, double bound, Rng& rng);
// Fills with N(mean, stddev) from `rng`.
void fill_normal(Tensor& tensor, double mean, double stddev, Rng& rng);

}  // namespace tandem
