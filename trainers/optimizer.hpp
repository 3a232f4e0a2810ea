// Optimizers with PyTorch's update rules (torch/optim/sgd.py, adam.py, adamw.py, 1.13), and
// gradient-norm clipping (torch.nn.utils.clip_grad_norm_). An optimizer holds pointers to the
// Parameters it updates (they must outlive it) and its per-parameter state, which
// save_state()/load_state() serialise for checkpoints.
#pragma once

#include <string>
#include <vector>

#include "trainers/parameters.hpp"

namespace tandem {

class Optimizer {
 public:
  explicit Optimizer(std::vector<Parameter*> parameters, double learning_rate);
  virtual ~Optimizer() = default;

  // One update from the current gradients (parameters without a gradient are skipped).
  virtual void step() = 0;
  virtual std::string name() const = 0;
  void zero_grad();
  double learning_rate() const { return learning_rate_; }
  void set_learning_rate(double learning_rate) { learning_rate_ = learning_rate; }
  const std::vector<Parameter*>& parameters() const { return parameters_; }
  std::int64_t steps() const { return steps_; }

  // Optimizer state (step count, learning rate, per-parameter buffers) as bytes and back; load
  // checks the optimizer kind and the parameter shapes.
  std::string save_state() const;
  void load_state(const std::string& bytes);

 protected:
  std::vector<Parameter*> parameters_;
  double learning_rate_;
  std::int64_t steps_ = 0;
  // per parameter, named state tensors (momentum buffer; exp_avg, exp_avg_sq)
  std::vector<std::vector<Tensor>> state_;
  std::vector<std::int64_t> parameter_steps_;  // updates applied to each parameter
};

struct SgdOptions {
  double learning_rate = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;  // L2 added to the gradient
  bool nesterov = false;
};
// PyTorch SGD: g += wd p; buf = momentum buf + (1 - dampening) g (buf = g on the first step);
// g = nesterov ? g + momentum buf : buf; p -= lr g.
class Sgd : public Optimizer {
 public:
  Sgd(std::vector<Parameter*> parameters, SgdOptions options);
  void step() override;
  std::string name() const override { return "sgd"; }
  const SgdOptions& options() const { return options_; }

 private:
  SgdOptions options_;
};

struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.0;  // Adam: L2 added to the gradient; AdamW: decoupled p *= 1 - lr wd
};
// PyTorch Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr / (1 - b1^t) * m /
// (sqrt(v) / sqrt(1 - b2^t) + eps).
class Adam : public Optimizer {
 public:
  Adam(std::vector<Parameter*> parameters, AdamOptions options);
  void step() override;
  std::string name() const override { return decoupled_ ? "adamw" : "adam"; }
  const AdamOptions& options() const { return options_; }

 protected:
  Adam(std::vector<Parameter*> parameters, AdamOptions options, bool decoupled);

 private:
  AdamOptions options_;
  bool decoupled_ = false;
};

// AdamW (Loshchilov & Hutter): weight decay applied to the parameter, not the gradient.
// PyTorch's AdamW default weight_decay is 1e-2; set it explicitly in AdamOptions.
class AdamW : public Adam {
 public:
  AdamW(std::vector<Parameter*> parameters, AdamOptions options);
};

// Scales every gradient by max_norm / (total_norm + 1e-6) when total_norm > max_norm, where
// total_norm is the 2-norm over all gradients together. Returns total_norm (before clipping).
double clip_grad_norm(const std::vector<Parameter*>& parameters, double max_norm);

}  // namespace tandem
