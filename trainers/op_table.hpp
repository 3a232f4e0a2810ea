// The op table: one entry per differentiable op with its forward and backward kernels. The tape
// (autograd.hpp) and the gradient-check harness (tests/trainers/test_op_gradients.cpp) both drive ops
// only through this table, so every op is checked the same way.
//
// Conventions follow PyTorch (torch.nn.functional) unless stated: NCHW float32 tensors; conv
// weights [C_out, C_in/groups, kh, kw]; linear weights [out, in] with y = x W^T + b and the input
// flattened to [N, in]; batch norm uses the biased batch variance for normalising and the
// unbiased one for the running variance, running = (1 - momentum) running + momentum batch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trainers/tensor.hpp"

namespace tandem {

enum class Op {
  conv2d,           // inputs x, weight[, bias]; kernel from the weight; stride, padding, dilation,
                    // groups, relu_input
  linear,           // inputs x, weight[, bias]
  batch_norm,       // inputs x[, gamma, beta]; training, momentum, epsilon, running stats
  relu,
  relu6,
  max_pool,         // kernel, stride, padding, ceil_mode (implicit -inf padding)
  avg_pool,         // kernel, stride, padding, count_include_pad, ceil_mode
  global_avg_pool,  // -> [N, C, 1, 1]
  add,              // >= 1 inputs of equal shape
  concat,           // channel (dim 1) concatenation
  channel_slice,    // channels [begin, end)
  channel_shuffle,  // groups (PC-DARTS / ShuffleNet: view N,g,C/g,H,W -> swap -> flatten)
  scale,            // inputs x, w (vector); y = w[index] * x  (mixed-op weighting)
  softmax,          // over the last dim; `allowed` restricts to a subset (others output 0)
  log_softmax,      // over the last dim
  cross_entropy,    // inputs logits [N, K]; labels; label_smoothing; mean over N -> scalar
  kl_divergence,    // inputs student logits, teacher logits; temperature; batchmean * T^2
  mse_loss,         // inputs prediction, target; mean of squared differences
  dropout,          // rate, training, seed (inverted dropout: kept values scaled by 1/(1-p))
  zero,             // zeros of shape [N, out_channels or C, ceil(H/stride), ceil(W/stride)]
  identity,
  gumbel_softmax,   // inputs logits [.., K]; temperature, hard (straight-through), seed
  binary_gate,      // inputs alpha [K]; forward one-hot(index); ProxylessNAS gradient via softmax
  flatten,          // [N, ...] -> [N, rest]
};
constexpr int op_count = static_cast<int>(Op::flatten) + 1;

// Attributes every op may read; each op documents the fields it uses.
struct OpAttributes {
  int stride = 1;
  int padding = 0;
  int dilation = 1;
  int groups = 1;
  bool relu_input = false;  // conv2d: convolves relu(x) (a fused ReLU -> conv); dx masked by x > 0
  int kernel_h = 1;  // pools (conv takes its kernel from the weight)
  int kernel_w = 1;
  bool count_include_pad = true;
  bool ceil_mode = false;  // pools: PyTorch's ceil_mode output size
  int begin = 0;  // channel_slice
  int end = 0;
  int index = 0;       // scale, binary_gate
  int out_channels = 0;  // zero (0 = same as input)
  bool training = false;  // batch_norm, dropout
  double momentum = 0.1;  // batch_norm
  double epsilon = 1e-5;  // batch_norm
  Tensor running_mean;    // batch_norm buffers, updated in place when training (may be undefined)
  Tensor running_var;
  double rate = 0.0;             // dropout
  double label_smoothing = 0.0;  // cross_entropy
  double temperature = 1.0;      // kl_divergence, gumbel_softmax
  bool hard = false;             // gumbel_softmax
  std::uint64_t seed = 0;        // dropout, gumbel_softmax noise
  std::vector<int> labels;       // cross_entropy class per row
  std::vector<int> allowed;      // softmax subset (empty = all)
};

// What an op's forward saw and kept for its backward.
struct OpContext {
  std::vector<Tensor> inputs;
  const OpAttributes* attributes = nullptr;
  Tensor output;
  std::vector<Tensor> saved;  // op-specific (e.g. BN mean / inverse std, max-pool argmax)
  // Set by the tape before backward for ops with handles_fresh: fresh[i] != 0 means
  // grad_inputs[i] is uninitialised and the op must OVERWRITE it (saves zero-filling).
  std::vector<char> fresh;
  bool is_fresh(std::size_t i) const { return i < fresh.size() && fresh[i] != 0; }
};

// backward: grad_inputs[i] is nullptr when input i needs no gradient; otherwise a tensor of the
// input's shape that the op ADDS its gradient into (so a value used twice accumulates), or, when
// the op handles_fresh and context.is_fresh(i), overwrites.
struct OpDefinition {
  const char* name;
  int min_inputs;
  int max_inputs;
  Tensor (*forward)(OpContext& context);
  void (*backward)(const OpContext& context, const Tensor& grad_output,
                   const std::vector<Tensor*>& grad_inputs);
  bool handles_fresh = false;  // backward honours OpContext::fresh (else buffers come zeroed)
};

const OpDefinition& op_definition(Op op);
std::string to_string(Op op);

// Runs an op's forward without a tape (inference); checks the input count.
Tensor run_forward(Op op, const std::vector<Tensor>& inputs, const OpAttributes& attributes);

// True when conv2d with relu_input = true costs no more than the convolution alone for an input
// plane of height x width and a kernel_h x kernel_w kernel (its kernels apply the ReLU as they
// load): the network then fuses a ReLU whose only consumer is that convolution.
bool conv2d_fuses_relu(const OpAttributes& attributes, int kernel_h, int kernel_w,
                       std::int64_t height, std::int64_t width);

}  // namespace tandem
