// The tape (reverse-mode autodiff) and the functional API that records op-table entries on it
// (see autograd.hpp). After backward() each node's saved state is released, as PyTorch frees the
// graph; a second backward through the same nodes is an error.
#include "trainers/autograd.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "trainers/threading.hpp"

namespace tandem {

struct Tape::Node {
  bool leaf = true;
  Op op = Op::identity;
  OpAttributes attributes;
  OpContext context;
  std::vector<int> inputs;
  Tensor value;
  Tensor grad;
  bool requires_grad = false;
  bool released = false;
  Parameter* parameter = nullptr;
};

Tape::Tape() = default;
Tape::~Tape() = default;

bool Variable::requires_grad() const { return tape_ && tape_->requires_grad(node_); }
Tensor Variable::grad() const { return tape_ ? tape_->grad(node_) : Tensor(); }

Variable Tape::leaf(Tensor value, bool requires_grad) {
  TANDEM_CHECK(value.defined(), "Tape: leaf with an undefined tensor");
  auto node = std::make_unique<Node>();
  node->value = value;
  node->requires_grad = requires_grad;
  nodes_.push_back(std::move(node));
  Variable v(std::move(value));
  v.tape_ = this;
  v.node_ = static_cast<int>(nodes_.size()) - 1;
  return v;
}

Variable Tape::constant(Tensor value) { return leaf(std::move(value), false); }

Variable Tape::parameter(Parameter& parameter) {
  if (!parameter.grad.defined() || parameter.grad.shape() != parameter.value.shape())
    parameter.grad = Tensor::zeros(parameter.value.shape());
  Variable v = leaf(parameter.value, true);
  nodes_.back()->parameter = &parameter;
  return v;
}

Variable Tape::apply(Op op, const std::vector<Variable>& inputs, OpAttributes attributes) {
  const OpDefinition& def = op_definition(op);
  const int count = static_cast<int>(inputs.size());
  TANDEM_CHECK(count >= def.min_inputs && count <= def.max_inputs,
               std::string(def.name) + ": takes " + std::to_string(def.min_inputs) + ".." +
                   std::to_string(def.max_inputs) + " inputs, got " + std::to_string(count));
  auto node = std::make_unique<Node>();
  node->leaf = false;
  node->op = op;
  node->attributes = std::move(attributes);
  node->context.attributes = &node->attributes;
  for (const Variable& input : inputs) {
    TANDEM_CHECK(input.defined(), std::string(def.name) + ": undefined input");
    int index = input.node();
    if (input.tape() == nullptr) {
      index = constant(input.value()).node();
    } else {
      TANDEM_CHECK(input.tape() == this, std::string(def.name) + ": input from another tape");
    }
    node->inputs.push_back(index);
    node->requires_grad = node->requires_grad || nodes_[static_cast<std::size_t>(index)]->requires_grad;
    node->context.inputs.push_back(input.value());
  }
  auto run = [&] { node->value = def.forward(node->context); };
  if (arena_) arena_->execute(run);
  else run();
  if (node->requires_grad) {
    node->context.output = node->value;
  } else {
    node->context = OpContext{};  // nothing will flow back: keep only the value
  }
  Variable v(node->value);
  nodes_.push_back(std::move(node));
  v.tape_ = this;
  v.node_ = static_cast<int>(nodes_.size()) - 1;
  return v;
}

void Tape::backward(const Variable& output) {
  TANDEM_CHECK(output.value().numel() == 1,
               "backward() needs a one-element output (a loss), got shape " +
                   shape_to_string(output.shape()) + "; pass the output gradient instead");
  backward(output, Tensor::full(output.shape(), 1.0f));
}

void Tape::backward(const Variable& output, const Tensor& grad_output) {
  TANDEM_CHECK(output.tape() == this, "backward(): the output was not recorded on this tape");
  TANDEM_CHECK(grad_output.shape() == output.shape(),
               "backward(): gradient shape " + shape_to_string(grad_output.shape()) +
                   " differs from output shape " + shape_to_string(output.shape()));
  Node& top = *nodes_[static_cast<std::size_t>(output.node())];
  if (!top.requires_grad) return;  // nothing depends on a parameter
  auto run = [&] {
    if (top.parameter) {
      float* g = top.parameter->grad.data();
      for (std::int64_t i = 0; i < grad_output.numel(); ++i) g[i] += grad_output.data()[i];
      return;
    }
    top.grad = grad_output.clone();
    std::vector<Tensor*> grads;
    for (int i = output.node(); i >= 0; --i) {
      Node& node = *nodes_[static_cast<std::size_t>(i)];
      if (node.leaf || !node.grad.defined()) continue;
      TANDEM_CHECK(!node.released, "backward() through the same tape twice (run forward again)");
      grads.clear();
      const OpDefinition& def = op_definition(node.op);
      node.context.fresh.assign(node.inputs.size(), 0);
      for (std::size_t k = 0; k < node.inputs.size(); ++k) {
        const int input = node.inputs[k];
        Node& in = *nodes_[static_cast<std::size_t>(input)];
        if (!in.requires_grad) {
          grads.push_back(nullptr);
        } else if (in.parameter) {
          grads.push_back(&in.parameter->grad);
        } else {
          if (!in.grad.defined()) {
            // First gradient for this value: ops that can overwrite get an uninitialised
            // buffer; a value passed twice to the same op is zeroed instead.
            const bool repeated =
                std::count(node.inputs.begin(), node.inputs.end(), input) > 1;
            if (def.handles_fresh && !repeated) {
              in.grad = Tensor::empty(in.value.shape());
              node.context.fresh[k] = 1;
            } else {
              in.grad = Tensor::zeros(in.value.shape());
            }
          }
          grads.push_back(&in.grad);
        }
      }
      def.backward(node.context, node.grad, grads);
      // Free what backward needed, as PyTorch does with the graph.
      node.context = OpContext{};
      node.grad = Tensor();
      node.released = true;
    }
  };
  if (arena_) arena_->execute(run);
  else run();
}

void Tape::clear() { nodes_.clear(); }
std::size_t Tape::size() const { return nodes_.size(); }

Tensor Tape::grad(int node) const {
  if (node < 0 || node >= static_cast<int>(nodes_.size())) return {};
  const Node& n = *nodes_[static_cast<std::size_t>(node)];
  return n.parameter ? n.parameter->grad : n.grad;
}

bool Tape::requires_grad(int node) const {
  return node >= 0 && node < static_cast<int>(nodes_.size()) &&
         nodes_[static_cast<std::size_t>(node)]->requires_grad;
}

void backward(const Variable& loss) {
  TANDEM_CHECK(loss.tape() != nullptr, "backward(): the loss was not recorded on a tape");
  loss.tape()->backward(loss);
}

// ---- functional API
namespace {

Variable record(Op op, const std::vector<Variable>& inputs, OpAttributes attributes) {
  Tape* tape = nullptr;
  for (const Variable& v : inputs)
    if (v.tape()) tape = v.tape();
  if (tape) return tape->apply(op, inputs, std::move(attributes));
  std::vector<Tensor> values;
  for (const Variable& v : inputs) {
    TANDEM_CHECK(v.defined(), to_string(op) + ": undefined input");
    values.push_back(v.value());
  }
  return Variable(run_forward(op, values, attributes));
}

}  // namespace

Variable apply(Op op, const std::vector<Variable>& inputs, OpAttributes attributes) {
  return record(op, inputs, std::move(attributes));
}

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                const ConvOptions& options) {
  OpAttributes a;
  a.stride = options.stride;
  a.padding = options.padding;
  a.dilation = options.dilation;
  a.groups = options.groups;
  if (bias.defined()) return record(Op::conv2d, {x, weight, bias}, std::move(a));
  return record(Op::conv2d, {x, weight}, std::move(a));
}

Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  if (bias.defined()) return record(Op::linear, {x, weight, bias}, {});
  return record(Op::linear, {x, weight}, {});
}

Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    Tensor running_mean, Tensor running_var, const BatchNormOptions& options) {
  OpAttributes a;
  a.training = options.training;
  a.momentum = options.momentum;
  a.epsilon = options.epsilon;
  a.running_mean = std::move(running_mean);
  a.running_var = std::move(running_var);
  TANDEM_CHECK(gamma.defined() == beta.defined(), "batch_norm: give both gamma and beta or neither");
  if (gamma.defined()) return record(Op::batch_norm, {x, gamma, beta}, std::move(a));
  return record(Op::batch_norm, {x}, std::move(a));
}

Variable relu(const Variable& x) { return record(Op::relu, {x}, {}); }
Variable relu6(const Variable& x) { return record(Op::relu6, {x}, {}); }

namespace {
OpAttributes pool_attributes(const PoolOptions& options) {
  OpAttributes a;
  a.kernel_h = a.kernel_w = options.kernel;
  a.stride = options.stride;
  a.padding = options.padding;
  a.count_include_pad = options.count_include_pad;
  return a;
}
}  // namespace

Variable max_pool2d(const Variable& x, const PoolOptions& options) {
  return record(Op::max_pool, {x}, pool_attributes(options));
}
Variable avg_pool2d(const Variable& x, const PoolOptions& options) {
  return record(Op::avg_pool, {x}, pool_attributes(options));
}
Variable global_avg_pool(const Variable& x) { return record(Op::global_avg_pool, {x}, {}); }
Variable add(const std::vector<Variable>& inputs) { return record(Op::add, inputs, {}); }
Variable concat(const std::vector<Variable>& inputs) { return record(Op::concat, inputs, {}); }

Variable channel_slice(const Variable& x, int begin, int end) {
  OpAttributes a;
  a.begin = begin;
  a.end = end;
  return record(Op::channel_slice, {x}, std::move(a));
}

Variable channel_shuffle(const Variable& x, int groups) {
  OpAttributes a;
  a.groups = groups;
  return record(Op::channel_shuffle, {x}, std::move(a));
}

Variable scale(const Variable& x, const Variable& weights, int index) {
  OpAttributes a;
  a.index = index;
  return record(Op::scale, {x, weights}, std::move(a));
}

Variable softmax(const Variable& x, const std::vector<int>& allowed) {
  OpAttributes a;
  a.allowed = allowed;
  return record(Op::softmax, {x}, std::move(a));
}

Variable log_softmax(const Variable& x) { return record(Op::log_softmax, {x}, {}); }

Variable dropout(const Variable& x, double rate, bool training, std::uint64_t seed) {
  OpAttributes a;
  a.rate = rate;
  a.training = training;
  a.seed = seed;
  return record(Op::dropout, {x}, std::move(a));
}

Variable zero_like(const Variable& x, int out_channels, int stride) {
  OpAttributes a;
  a.out_channels = out_channels;
  a.stride = stride;
  return record(Op::zero, {x}, std::move(a));
}

Variable identity(const Variable& x) { return record(Op::identity, {x}, {}); }
Variable flatten(const Variable& x) { return record(Op::flatten, {x}, {}); }

Variable gumbel_softmax(const Variable& logits, double temperature, bool hard,
                        std::uint64_t seed) {
  OpAttributes a;
  a.temperature = temperature;
  a.hard = hard;
  a.seed = seed;
  return record(Op::gumbel_softmax, {logits}, std::move(a));
}

Variable binary_gate(const Variable& alpha, int active) {
  OpAttributes a;
  a.index = active;
  return record(Op::binary_gate, {alpha}, std::move(a));
}

Variable cross_entropy(const Variable& logits, const std::vector<int>& labels,
                       double label_smoothing) {
  OpAttributes a;
  a.labels = labels;
  a.label_smoothing = label_smoothing;
  return record(Op::cross_entropy, {logits}, std::move(a));
}

Variable kl_divergence(const Variable& student_logits, const Variable& teacher_logits,
                       double temperature) {
  OpAttributes a;
  a.temperature = temperature;
  return record(Op::kl_divergence, {student_logits, teacher_logits}, std::move(a));
}

Variable mse_loss(const Variable& prediction, const Variable& target) {
  return record(Op::mse_loss, {prediction, target}, {});
}

}  // namespace tandem
