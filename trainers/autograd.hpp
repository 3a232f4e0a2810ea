// Reverse-mode automatic differentiation on a tape. Every op applied to Variables of a recording
// Tape appends one node (op, inputs, attributes, saved tensors); backward() walks the nodes in
// reverse and calls each op's backward from the op table, accumulating gradients into the
// Parameters that entered the tape with Tape::parameter().
//
//   Tape tape;
//   Variable x = tape.constant(input);           // no gradient
//   Variable w = tape.parameter(weight_param);   // gradient lands in weight_param.grad
//   Variable y = relu(conv2d(x, w, {}, {.stride = 1, .padding = 1}));
//   tape.backward(mse_loss(y, target));
//
// A Variable also works without a tape (Variable(tensor)): ops then just compute values (no
// saved state, no gradient), which is how inference runs.
#pragma once

#include <memory>
#include <vector>

#include "trainers/op_table.hpp"
#include "trainers/parameters.hpp"
#include "trainers/tensor.hpp"

namespace tandem {

class Tape;
class ThreadArena;

class Variable {
 public:
  Variable() = default;
  // A value outside any tape (constant, no gradient).
  explicit Variable(Tensor value) : value_(std::move(value)) {}

  bool defined() const { return value_.defined(); }
  const Tensor& value() const { return value_; }
  const Shape& shape() const { return value_.shape(); }
  Tape* tape() const { return tape_; }
  int node() const { return node_; }
  bool requires_grad() const;
  // The gradient of the last backward() w.r.t. this value (undefined if none reached it).
  Tensor grad() const;

 private:
  friend class Tape;
  Tensor value_;
  Tape* tape_ = nullptr;
  int node_ = -1;
};

class Tape {
 public:
  Tape();
  ~Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // Leaves. A constant needs no gradient; a parameter's gradient is ADDED to parameter.grad
  // (allocated on first use). requires_grad(): a leaf whose gradient is kept in the tape.
  Variable constant(Tensor value);
  Variable parameter(Parameter& parameter);
  Variable leaf(Tensor value, bool requires_grad);

  // Appends op(inputs) and returns its output. Inputs from another tape are an error.
  Variable apply(Op op, const std::vector<Variable>& inputs, OpAttributes attributes);

  // Seeds d(output)/d(output) = 1 (output must have one element) or the given gradient, runs
  // every recorded backward in reverse order. The tape stays valid for inspection until clear().
  void backward(const Variable& output);
  void backward(const Variable& output, const Tensor& grad_output);

  // Drops every node (and the memory held for backward).
  void clear();
  std::size_t size() const;
  Tensor grad(int node) const;
  bool requires_grad(int node) const;

  // Ops recorded on this tape run inside this arena (nullptr: the caller's arena).
  void set_arena(ThreadArena* arena) { arena_ = arena; }
  ThreadArena* arena() const { return arena_; }

 private:
  struct Node;
  std::vector<std::unique_ptr<Node>> nodes_;
  ThreadArena* arena_ = nullptr;
};

// Runs backward on the tape that recorded `loss` (a one-element Variable).
void backward(const Variable& loss);

// ---- Functional API: each records one op-table entry (or computes directly without a tape).
// The generic form: records `op` on the tape of the first input that has one.
Variable apply(Op op, const std::vector<Variable>& inputs, OpAttributes attributes = {});
struct ConvOptions {
  int stride = 1;
  int padding = 0;
  int dilation = 1;
  int groups = 1;
};
struct PoolOptions {
  int kernel = 2;
  int stride = 2;
  int padding = 0;
  bool count_include_pad = true;  // avg_pool only
};
struct BatchNormOptions {
  bool training = true;
  double momentum = 0.1;
  double epsilon = 1e-5;
};

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                const ConvOptions& options);
Variable linear(const Variable& x, const Variable& weight, const Variable& bias);
// gamma/beta may be undefined (affine off); running_mean/var may be undefined (no tracking:
// batch statistics are used in eval mode too, as PyTorch with track_running_stats=False).
Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    Tensor running_mean, Tensor running_var, const BatchNormOptions& options);
Variable relu(const Variable& x);
Variable relu6(const Variable& x);
Variable max_pool2d(const Variable& x, const PoolOptions& options);
Variable avg_pool2d(const Variable& x, const PoolOptions& options);
Variable global_avg_pool(const Variable& x);
Variable add(const std::vector<Variable>& inputs);
Variable concat(const std::vector<Variable>& inputs);
Variable channel_slice(const Variable& x, int begin, int end);
Variable channel_shuffle(const Variable& x, int groups);
Variable scale(const Variable& x, const Variable& weights, int index);  // weights[index] * x
Variable softmax(const Variable& x, const std::vector<int>& allowed = {});
Variable log_softmax(const Variable& x);
Variable dropout(const Variable& x, double rate, bool training, std::uint64_t seed);
Variable zero_like(const Variable& x, int out_channels = 0, int stride = 1);
Variable identity(const Variable& x);
Variable flatten(const Variable& x);
Variable gumbel_softmax(const Variable& logits, double temperature, bool hard,
                        std::uint64_t seed);
Variable binary_gate(const Variable& alpha, int active);

// ---- Losses (scalar outputs).
// Mean cross-entropy over the batch; labels in [0, K). label_smoothing as in PyTorch >= 1.10:
// target = (1 - eps) one_hot + eps / K.
Variable cross_entropy(const Variable& logits, const std::vector<int>& labels,
                       double label_smoothing = 0.0);
// Distillation loss: KL(softmax(teacher/T) || softmax(student/T)) summed over classes, mean
// over the batch, times T^2 (Hinton et al. 2015). Pass the teacher as a constant (or a value
// without tape) to keep it fixed; a teacher that requires grad gets its gradient too.
Variable kl_divergence(const Variable& student_logits, const Variable& teacher_logits,
                       double temperature = 1.0);
// Mean squared error over every element (torch.nn.functional.mse_loss, reduction='mean').
Variable mse_loss(const Variable& prediction, const Variable& target);

}  // namespace tandem
