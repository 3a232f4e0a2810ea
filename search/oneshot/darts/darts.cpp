// DARTS and the DifferentiableSearch epoch loop (see darts.hpp).
// Sources: quark0/darts cnn/train_search.py, cnn/architect.py, cnn/model_search.py; AutoDL-Projects
// exps/NAS-Bench-201-algos/DARTS-V1.py / DARTS-V2.py, configs/nas-benchmark/algos/DARTS.config.
#include "search/oneshot/darts/darts.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "search/oneshot/darts/derivation.hpp"
#include "trainers/autograd.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/schedule.hpp"

namespace tandem {
namespace {

std::vector<Tensor> copy_values(const std::vector<Parameter*>& parameters) {
  std::vector<Tensor> out;
  for (const Parameter* p : parameters) out.push_back(p->value.clone());
  return out;
}

// Gradients (zeros where none reached the parameter).
std::vector<Tensor> copy_grads(const std::vector<Parameter*>& parameters) {
  std::vector<Tensor> out;
  for (const Parameter* p : parameters)
    out.push_back(p->grad.defined() ? p->grad.clone() : Tensor::zeros(p->value.shape()));
  return out;
}

std::vector<Tensor> copy_buffers(ParameterSet& set) {
  std::vector<Tensor> out;
  for (const Buffer* b : set.buffers()) out.push_back(b->value.clone());
  return out;
}

void restore_buffers(ParameterSet& set, const std::vector<Tensor>& saved) {
  const auto buffers = set.buffers();
  for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i]->value.copy_from(saved[i]);
}

// p = base + scale * direction, for every weight.
void set_weights(const std::vector<Parameter*>& weights, const std::vector<Tensor>& base,
                 double scale, const std::vector<Tensor>& direction) {
  for (std::size_t i = 0; i < weights.size(); ++i) {
    float* w = weights[i]->value.data();
    const float* b = base[i].data();
    const float* d = direction[i].data();
    const float s = static_cast<float>(scale);
    for (std::int64_t j = 0; j < weights[i]->value.numel(); ++j) w[j] = b[j] + s * d[j];
  }
}

// The gradients of `loss` on the current parameters (every grad zeroed first).
void gradients(Supernet& net, const SupernetLoss& loss) {
  net.zero_grad();
  backward(loss(net));
}

}  // namespace

// ---- options -------------------------------------------------------------------------------

DartsOptions darts_defaults(const SearchSpace& space) {
  DartsOptions options;
  options.common = weight_sharing_defaults(space);
  if (space.name() == "nb201") options.step_order = "weights_first";  // AutoDL DARTS-V1/V2
  return options;
}

const std::vector<std::string>& darts_option_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k = {"second_order", "step_order", "warmup_epochs", "unrolled_r",
                                  "exclude_none"};
    for (const std::string& key : sharp_darts_piece_keys()) k.push_back(key);  // sharp_darts.hpp
    return k;
  }();
  return keys;
}

DartsOptions read_darts_options(const ConfigNode& node, DartsOptions o) {
  o.common = read_weight_sharing_options(node, o.common);
  if (!node.present()) return o;
  o.second_order = node.get_bool("second_order", o.second_order);
  o.step_order = node.get_choice("step_order", o.step_order, {"arch_first", "weights_first"});
  o.warmup_epochs = static_cast<int>(
      node.get_int_in("warmup_epochs", o.warmup_epochs, 0, o.common.epochs - 1));
  o.unrolled_r = node.get_double("unrolled_r", o.unrolled_r);
  if (!(o.unrolled_r > 0.0 && o.unrolled_r < 1e3))
    node.at("unrolled_r").fail("unrolled_r " + node.at("unrolled_r").scalar_text() +
                               ": expected a number in (0, 1000)");
  o.exclude_none = node.get_bool("exclude_none", o.exclude_none);
  o.sharp = read_sharp_darts_pieces(node, o.sharp, o.common);
  return o;
}

// ---- the unrolled (second-order) architecture gradient --------------------------------------

double unrolled_architecture_gradient(Supernet& net, const SupernetLoss& train_loss,
                                      const SupernetLoss& valid_loss, const UnrolledStep& step) {
  const std::vector<Parameter*> weights = net.weights();
  const std::vector<Parameter*> alphas = net.architecture();
  const std::vector<Tensor> w0 = copy_values(weights);

  // 1. the virtual step w' = w - xi (mu m + dL_train/dw + lambda w)
  gradients(net, train_loss);
  std::vector<Tensor> direction = copy_grads(weights);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    float* d = direction[i].data();
    const float* w = w0[i].data();
    const bool has_momentum = step.momentum_buffer && i < step.momentum_buffer->size() &&
                              (*step.momentum_buffer)[i].defined();
    const float* m = has_momentum ? (*step.momentum_buffer)[i].data() : nullptr;
    for (std::int64_t j = 0; j < direction[i].numel(); ++j)
      d[j] += static_cast<float>(step.weight_decay) * w[j] +
              (m ? static_cast<float>(step.momentum) * m[j] : 0.0f);
  }
  set_weights(weights, w0, -step.xi, direction);

  // 2. g_alpha = dL_val(w', alpha)/dalpha and v = dL_val(w', alpha)/dw' (the unrolled copy's BN
  //    statistics are its own: restore the real ones afterwards)
  const std::vector<Tensor> buffers = copy_buffers(net.parameters());
  net.zero_grad();
  Variable unrolled_loss = valid_loss(net);
  const double loss_value = unrolled_loss.value().item();
  backward(unrolled_loss);
  restore_buffers(net.parameters(), buffers);
  std::vector<Tensor> g_alpha = copy_grads(alphas);
  const std::vector<Tensor> v = copy_grads(weights);

  // 3. finite-difference Hessian-vector product at w +- eps v, eps = r / ||v||
  double norm = 0.0;
  for (const Tensor& t : v)
    for (float x : t.values()) norm += static_cast<double>(x) * x;
  norm = std::sqrt(norm);
  if (norm > 0.0 && step.xi != 0.0) {
    const double eps = step.r / norm;
    set_weights(weights, w0, eps, v);
    gradients(net, train_loss);
    const std::vector<Tensor> g_plus = copy_grads(alphas);
    set_weights(weights, w0, -eps, v);
    gradients(net, train_loss);
    const std::vector<Tensor> g_minus = copy_grads(alphas);
    for (std::size_t i = 0; i < alphas.size(); ++i)
      for (std::int64_t j = 0; j < g_alpha[i].numel(); ++j)
        g_alpha[i].data()[j] -= static_cast<float>(
            step.xi * (static_cast<double>(g_plus[i].data()[j]) - g_minus[i].data()[j]) /
            (2.0 * eps));
  }
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i]->value.copy_from(w0[i]);

  // 4. leave the result in the architecture gradients
  net.zero_grad();
  for (std::size_t i = 0; i < alphas.size(); ++i) {
    if (!alphas[i]->grad.defined()) alphas[i]->grad = Tensor::zeros(alphas[i]->value.shape());
    alphas[i]->grad.copy_from(g_alpha[i]);
  }
  return loss_value;
}

// ---- the search loop -----------------------------------------------------------------------

DifferentiableSearch::DifferentiableSearch(const StrategyContext& context, std::string method,
                                           DartsOptions options)
    : WeightSharingStrategy(context, std::move(method), options.common),
      darts_(std::move(options)) {}

DifferentiableSearch::~DifferentiableSearch() = default;

Variable DifferentiableSearch::weight_loss(Supernet&, const Batch& batch, const Variable& logits) {
  return cross_entropy(logits, batch.labels);
}

Variable DifferentiableSearch::architecture_loss(Supernet&, const Batch& batch,
                                                 const Variable& logits) {
  return cross_entropy(logits, batch.labels);
}

void DifferentiableSearch::architecture_step(Supernet& net, const Batch& train,
                                             const Batch& valid) {
  SupernetLoss valid_loss = [&](Supernet& n) {
    return architecture_loss(n, valid, n.forward(valid.images, true));
  };
  if (darts_.second_order) {
    SupernetLoss train_loss = [&](Supernet& n) {
      return weight_loss(n, train, n.forward(train.images, true));
    };
    UnrolledStep step;
    step.xi = learning_rate_;
    step.momentum = options().momentum;
    step.weight_decay = options().weight_decay;
    step.momentum_buffer = &momentum_;
    step.r = darts_.unrolled_r;
    unrolled_architecture_gradient(net, train_loss, valid_loss, step);
  } else {
    gradients(net, valid_loss);
  }
  architecture_optimizer_->step();
}

void DifferentiableSearch::weight_step(Supernet& net, const Batch& batch, double& loss_sum,
                                       double& correct, double& samples) {
  net.zero_grad();
  Variable logits = net.forward(batch.images, true);
  Variable loss = weight_loss(net, batch, logits);
  const Tensor& values = logits.value();
  const std::int64_t classes = values.size(1);
  for (std::size_t i = 0; i < batch.labels.size(); ++i) {
    const float* row = values.data() + static_cast<std::int64_t>(i) * classes;
    correct += static_cast<int>(std::max_element(row, row + classes) - row) == batch.labels[i];
  }
  const double n = static_cast<double>(batch.labels.size());
  loss_sum += static_cast<double>(loss.value().item()) * n;
  samples += n;
  backward(loss);
  const std::vector<Parameter*> weights = net.weights();
  if (options().grad_clip > 0.0) clip_grad_norm(weights, options().grad_clip);
  // mirror the momentum buffer (PyTorch SGD: buf = d_p on the first step, else mu buf + d_p,
  // d_p = grad + wd w) before the optimizer moves w
  if (options().momentum > 0.0 && darts_.second_order) {
    const bool first = momentum_.empty();
    if (first) momentum_.resize(weights.size());
    const float mu = static_cast<float>(options().momentum);
    const float wd = static_cast<float>(options().weight_decay);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (!weights[i]->grad.defined()) continue;
      if (!momentum_[i].defined()) momentum_[i] = Tensor::zeros(weights[i]->value.shape());
      float* m = momentum_[i].data();
      const float* g = weights[i]->grad.data();
      const float* w = weights[i]->value.data();
      for (std::int64_t j = 0; j < weights[i]->value.numel(); ++j)
        m[j] = (first ? 0.0f : mu * m[j]) + g[j] + wd * w[j];
    }
  }
  weight_optimizer_->step();
}

std::vector<Candidate> DifferentiableSearch::run_search() {
  SupernetDescription description = supernet_description();
  configure_supernet(description);
  supernet_ = make_supernet(description);
  Supernet& net = *supernet_;
  net.set_mode(supernet_mode());
  apply_weighting(net, darts_.sharp);  // sharpDARTS Max-W when weighting: max_w
  const WeightSharingOptions& o = options();
  weight_optimizer_ = std::make_unique<Sgd>(net.weights(), weight_sgd_options(o));
  architecture_optimizer_ = std::make_unique<Adam>(net.architecture(), architecture_adam_options(o));
  // CosineAnnealingLR(T_max = epochs, eta_min = lr_min) or sharpDARTS CPA, stepped per epoch
  const std::unique_ptr<LrSchedule> lr_schedule = weight_lr_schedule(o, darts_.sharp);
  BatchStream train = batches(data().weights, 1);
  BatchStream valid = batches(data().architecture, 2);
  const std::int64_t steps = train.batches_per_pass();
  const bool arch_first = darts_.step_order == "arch_first";

  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto started = std::chrono::steady_clock::now();
    learning_rate_ = lr_schedule->learning_rate(epoch - 1);
    weight_optimizer_->set_learning_rate(learning_rate_);
    begin_epoch(epoch, net);
    const bool update_architecture = epoch > darts_.warmup_epochs;
    double loss_sum = 0.0, correct = 0.0, samples = 0.0;
    for (std::int64_t s = 0; s < steps; ++s) {
      const Batch w_batch = train.next();
      const Batch a_batch = valid.next();
      if (update_architecture && arch_first) architecture_step(net, w_batch, a_batch);
      weight_step(net, w_batch, loss_sum, correct, samples);
      if (update_architecture && !arch_first) architecture_step(net, w_batch, a_batch);
    }
    const SupernetEvaluation evaluation =
        evaluate_supernet(net, data().architecture, data().normalization);
    Metrics values = architecture_values(net);
    values.set("search/train_loss", loss_sum / samples);
    values.set("search/train_accuracy", 100.0 * correct / samples);
    values.set("search/valid_loss", evaluation.loss);
    values.set("search/valid_accuracy", 100.0 * evaluation.accuracy);
    values.set("search/lr", learning_rate_);
    values.set("search/arch_updates", update_architecture ? 1.0 : 0.0);
    end_epoch(epoch, net, values);
    values.set("search/seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                               started).count());
    record_epoch(epoch, std::move(values));
  }
  return derive(net);
}

std::map<std::string, std::vector<double>> DifferentiableSearch::derivation_weights(
    Supernet& net) {
  std::map<std::string, std::vector<double>> weights;
  const SupernetDescription& d = net.description();
  for (std::size_t e = 0; e < d.edges.size(); ++e)
    if (!weights.count(d.edges[e].alpha_key)) weights[d.edges[e].alpha_key] = net.edge_weights(e);
  return weights;
}

std::vector<Candidate> DifferentiableSearch::derive(Supernet& net) {
  const SupernetDescription& d = net.description();
  const std::map<std::string, std::vector<double>> weights = derivation_weights(net);
  bool edge_decisions = true;
  for (const MixedEdge& edge : d.edges) edge_decisions = edge_decisions && edge.decision >= 0;
  if (edge_decisions) {  // AutoDL genotype(): argmax per edge
    std::vector<std::vector<double>> per_edge;
    for (const MixedEdge& edge : d.edges) {
      std::vector<double> w = weights.at(edge.alpha_key);
      if (darts_.exclude_none)
        for (std::size_t k = 0; k < w.size(); ++k)
          if (edge.candidates[k].name == "none") w[k] = -1.0;
      per_edge.push_back(std::move(w));
    }
    return {candidate_from_edge_choices(space(), d, argmax_choices(per_edge))};
  }
  std::vector<std::string> op_names;
  for (const CandidateOp& op : d.edges.front().candidates) op_names.push_back(op.name);
  return {darts_genotype(space(), weights, op_names)};
}

Darts::Darts(const StrategyContext& context, DartsOptions options)
    : DifferentiableSearch(context, "darts", std::move(options)) {}

void register_darts(StrategyRegistry& registry) {
  registry.add(
      "darts", "weight-sharing",
      "DARTS (first or second order) on the space's supernet; hands out the derived cell",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        check_weight_sharing_keys(context.options, darts_option_keys());
        DartsOptions options = read_darts_options(context.options, darts_defaults(context.space));
        context.space.default_supernet();  // a ConfigError now for spaces without one
        return std::make_unique<Darts>(context, std::move(options));
      });
}

}  // namespace tandem
