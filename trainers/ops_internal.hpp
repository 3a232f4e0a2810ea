// Internal to trainers/: the forward/backward functions of every op-table entry (defined in the
// ops_*.cpp files, collected by op_table.cpp) and small helpers they share.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "core/error.hpp"
#include "trainers/op_table.hpp"
#include "trainers/threading.hpp"

namespace tandem::ops {

#define TANDEM_DECLARE_OP(name)                                                       \
  Tensor name##_forward(OpContext& context);                                          \
  void name##_backward(const OpContext& context, const Tensor& grad_output,           \
                       const std::vector<Tensor*>& grad_inputs);

TANDEM_DECLARE_OP(conv2d)
TANDEM_DECLARE_OP(linear)
TANDEM_DECLARE_OP(batch_norm)
TANDEM_DECLARE_OP(relu)
TANDEM_DECLARE_OP(relu6)
TANDEM_DECLARE_OP(max_pool)
TANDEM_DECLARE_OP(avg_pool)
TANDEM_DECLARE_OP(global_avg_pool)
TANDEM_DECLARE_OP(add)
TANDEM_DECLARE_OP(concat)
TANDEM_DECLARE_OP(channel_slice)
TANDEM_DECLARE_OP(channel_shuffle)
TANDEM_DECLARE_OP(scale)
TANDEM_DECLARE_OP(softmax)
TANDEM_DECLARE_OP(log_softmax)
TANDEM_DECLARE_OP(cross_entropy)
TANDEM_DECLARE_OP(kl_divergence)
TANDEM_DECLARE_OP(mse_loss)
TANDEM_DECLARE_OP(dropout)
TANDEM_DECLARE_OP(zero)
TANDEM_DECLARE_OP(identity)
TANDEM_DECLARE_OP(gumbel_softmax)
TANDEM_DECLARE_OP(binary_gate)
TANDEM_DECLARE_OP(flatten)

#undef TANDEM_DECLARE_OP

// Splits [0, rows) into at most one chunk per thread (each >= min_rows) and runs them in
// parallel.
void parallel_chunks(std::int64_t rows, std::int64_t min_rows,
                     const std::function<void(std::int64_t, std::int64_t)>& body);

// Requires a 4-D NCHW tensor; `what` names the op in the error.
void require_nchw(const Tensor& x, const char* what);

// dst[i] += src[i]
void accumulate(float* dst, const float* src, std::int64_t n);

// Zero-fills grad_inputs[i] for the listed inputs that are fresh (ops that overwrite only some
// of their inputs' gradients call this for the others).
void zero_fresh(const OpContext& context, const std::vector<Tensor*>& grads,
                std::initializer_list<int> inputs);

// Thread-local scratch of at least n floats (contents undefined), one per slot (0..3).
float* scratch(std::int64_t n, int slot = 0);

}  // namespace tandem::ops
