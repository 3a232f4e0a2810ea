// SGD, Adam, AdamW and gradient-norm clipping with PyTorch 1.13's update rules
// (torch/optim/sgd.py _single_tensor_sgd, adam.py / adamw.py _single_tensor_adam[w],
// torch/nn/utils/clip_grad.py); see optimizer.hpp.
#include "trainers/optimizer.hpp"

#include <cmath>

#include "core/error.hpp"
#include "trainers/kernels.hpp"
#include "trainers/serialization.hpp"
#include "trainers/threading.hpp"

namespace tandem {

namespace {
constexpr std::int64_t update_grain = 1 << 16;  // element-wise updates split in 64K chunks
}  // namespace

Optimizer::Optimizer(std::vector<Parameter*> parameters, double learning_rate)
    : parameters_(std::move(parameters)), learning_rate_(learning_rate) {
  for (Parameter* p : parameters_) TANDEM_CHECK(p != nullptr, "Optimizer: null parameter");
  TANDEM_CHECK(learning_rate >= 0.0, "Optimizer: learning rate must be >= 0");
  state_.resize(parameters_.size());
  parameter_steps_.assign(parameters_.size(), 0);
}

void Optimizer::zero_grad() {
  for (Parameter* p : parameters_)
    if (p->grad.defined()) p->grad.fill(0.0f);
}

std::string Optimizer::save_state() const {
  serial::Writer w;
  w.text(name());
  w.i64(steps_);
  w.f64(learning_rate_);
  w.u64(parameters_.size());
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    w.i64(parameter_steps_[i]);
    w.u64(state_[i].size());
    for (const Tensor& t : state_[i]) w.tensor(t);
  }
  return w.bytes();
}

void Optimizer::load_state(const std::string& bytes) {
  serial::Reader r(bytes, "optimizer state");
  const std::string kind = r.text();
  TANDEM_CHECK(kind == name(), "optimizer state is for '" + kind + "', not '" + name() + "'");
  const std::int64_t steps = r.i64();
  const double lr = r.f64();
  const std::uint64_t count = r.u64();
  TANDEM_CHECK(count == parameters_.size(),
               "optimizer state has " + std::to_string(count) + " parameters, the optimizer " +
                   std::to_string(parameters_.size()));
  std::vector<std::vector<Tensor>> state(parameters_.size());
  std::vector<std::int64_t> parameter_steps(parameters_.size());
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    parameter_steps[i] = r.i64();
    const std::uint64_t n = r.u64();
    for (std::uint64_t k = 0; k < n; ++k) {
      Tensor t = r.tensor();
      TANDEM_CHECK(t.shape() == parameters_[i]->value.shape(),
                   "optimizer state for '" + parameters_[i]->name + "' has shape " +
                       shape_to_string(t.shape()) + ", the parameter " +
                       shape_to_string(parameters_[i]->value.shape()));
      state[i].push_back(t);
    }
  }
  steps_ = steps;
  learning_rate_ = lr;
  state_ = std::move(state);
  parameter_steps_ = std::move(parameter_steps);
}

Sgd::Sgd(std::vector<Parameter*> parameters, SgdOptions options)
    : Optimizer(std::move(parameters), options.learning_rate), options_(options) {
  TANDEM_CHECK(options.momentum >= 0.0 && options.weight_decay >= 0.0,
               "SGD: momentum and weight decay must be >= 0");
  TANDEM_CHECK(!options.nesterov || (options.momentum > 0.0 && options.dampening == 0.0),
               "SGD: nesterov needs momentum > 0 and dampening 0 (as PyTorch)");
}

void Sgd::step() {
  const float lr = static_cast<float>(learning_rate_);
  const float wd = static_cast<float>(options_.weight_decay);
  const float mu = static_cast<float>(options_.momentum);
  const float damp = static_cast<float>(1.0 - options_.dampening);
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    Parameter& p = *parameters_[i];
    if (!p.grad.defined()) continue;
    float* w = p.value.data();
    const float* g = p.grad.data();
    const std::int64_t n = p.value.numel();
    if (mu == 0.0f) {
      parallel_for(n, update_grain, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t j = b; j < e; ++j) w[j] -= lr * (g[j] + wd * w[j]);
      });
    } else {
      const bool first = state_[i].empty();
      if (first) state_[i].push_back(Tensor::empty(p.value.shape()));
      float* buf = state_[i][0].data();
      const bool nesterov = options_.nesterov;
      const auto& k = kernels::table();
      parallel_for(n, update_grain, [&](std::int64_t b, std::int64_t e) {
        k.sgd_momentum(w + b, g + b, buf + b, e - b, lr, wd, mu, damp, nesterov, first);
      });
    }
    ++parameter_steps_[i];
  }
  ++steps_;
}

Adam::Adam(std::vector<Parameter*> parameters, AdamOptions options)
    : Adam(std::move(parameters), options, false) {}

Adam::Adam(std::vector<Parameter*> parameters, AdamOptions options, bool decoupled)
    : Optimizer(std::move(parameters), options.learning_rate),
      options_(options),
      decoupled_(decoupled) {
  TANDEM_CHECK(options.beta1 >= 0.0 && options.beta1 < 1.0 && options.beta2 >= 0.0 &&
                   options.beta2 < 1.0,
               "Adam: betas must be in [0, 1)");
  TANDEM_CHECK(options.epsilon >= 0.0 && options.weight_decay >= 0.0,
               "Adam: epsilon and weight decay must be >= 0");
}

void Adam::step() {
  const double lr = learning_rate_;
  const double b1 = options_.beta1, b2 = options_.beta2;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    Parameter& p = *parameters_[i];
    if (!p.grad.defined()) continue;
    if (state_[i].empty()) {
      state_[i].push_back(Tensor::zeros(p.value.shape()));
      state_[i].push_back(Tensor::zeros(p.value.shape()));
    }
    const std::int64_t t = ++parameter_steps_[i];
    float* w = p.value.data();
    const float* g = p.grad.data();
    float* m = state_[i][0].data();
    float* v = state_[i][1].data();
    const double bias1 = 1.0 - std::pow(b1, static_cast<double>(t));
    const double bias2 = 1.0 - std::pow(b2, static_cast<double>(t));
    const float step_size = static_cast<float>(lr / bias1);
    const float bias2_sqrt = static_cast<float>(std::sqrt(bias2));
    const float decay = static_cast<float>(decoupled_ ? 1.0 - lr * options_.weight_decay : 1.0);
    const float l2 = static_cast<float>(decoupled_ ? 0.0 : options_.weight_decay);
    const float fb1 = static_cast<float>(b1), fb2 = static_cast<float>(b2);
    const float eps = static_cast<float>(options_.epsilon);
    parallel_for(p.value.numel(), update_grain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t j = b; j < e; ++j) {
        w[j] *= decay;
        const float grad = g[j] + l2 * w[j];
        m[j] = fb1 * m[j] + (1.0f - fb1) * grad;
        v[j] = fb2 * v[j] + (1.0f - fb2) * grad * grad;
        w[j] -= step_size * m[j] / (std::sqrt(v[j]) / bias2_sqrt + eps);
      }
    });
  }
  ++steps_;
}

AdamW::AdamW(std::vector<Parameter*> parameters, AdamOptions options)
    : Adam(std::move(parameters), options, true) {}

double clip_grad_norm(const std::vector<Parameter*>& parameters, double max_norm) {
  TANDEM_CHECK(max_norm > 0.0, "clip_grad_norm: max_norm must be positive");
  double total = 0.0;
  for (const Parameter* p : parameters) {
    if (!p->grad.defined()) continue;
    const float* g = p->grad.data();
    for (std::int64_t j = 0; j < p->grad.numel(); ++j) total += static_cast<double>(g[j]) * g[j];
  }
  total = std::sqrt(total);
  const double coefficient = max_norm / (total + 1e-6);
  if (coefficient < 1.0) {
    for (Parameter* p : parameters) {
      if (!p->grad.defined()) continue;
      float* g = p->grad.data();
      const float c = static_cast<float>(coefficient);
      for (std::int64_t j = 0; j < p->grad.numel(); ++j) g[j] *= c;
    }
  }
  return total;
}

}  // namespace tandem
