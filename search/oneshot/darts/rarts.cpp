// RARTS (see rarts.hpp; algorithms.md §4 reconstruction, UNVERIFIED coefficients).
#include "search/oneshot/darts/rarts.hpp"

#include <cmath>
#include <map>

#include "core/error.hpp"
#include "trainers/optimizer.hpp"

namespace tandem {

RartsOptions rarts_defaults(const SearchSpace& space) {
  RartsOptions o;
  o.darts = darts_defaults(space);
  o.darts.step_order = "weights_first";  // the Gauss-Seidel sweep: w, then y, then α
  return o;
}

RartsOptions read_rarts_options(const ConfigNode& node, RartsOptions o) {
  o.darts = read_darts_options(node, o.darts);
  if (!node.present()) return o;
  if (o.darts.second_order)
    node.at("second_order")
        .fail(
            "second_order: true is not a RARTS option (RARTS is first "
            "order: no mixed second derivatives); use false");
  if (o.darts.step_order != "weights_first")
    node.at("step_order")
        .fail("step_order: " + o.darts.step_order +
              " is not accepted by rarts (its sweep updates w, then y, then α); "
              "use weights_first");
  o.train_weight = node.get_double("train_weight", o.train_weight);
  if (!(o.train_weight >= 0.0 && std::isfinite(o.train_weight)))
    node.at("train_weight")
        .fail("train_weight " + node.at("train_weight").scalar_text() + ": expected a number >= 0");
  o.coupling = node.get_double("coupling", o.coupling);
  if (!(o.coupling >= 0.0 && std::isfinite(o.coupling)))
    node.at("coupling")
        .fail("coupling " + node.at("coupling").scalar_text() + ": expected a number >= 0");
  o.y_lr_scale = node.get_double("y_lr_scale", o.y_lr_scale);
  if (!(o.y_lr_scale > 0.0 && std::isfinite(o.y_lr_scale)))
    node.at("y_lr_scale")
        .fail("y_lr_scale " + node.at("y_lr_scale").scalar_text() + ": expected a number > 0");
  o.y_init = node.get_choice("y_init", o.y_init, {"copy", "independent"});
  return o;
}

void copy_architecture(Supernet& from, Supernet& to) {
  for (Parameter* p : from.architecture()) {
    Parameter* q = to.parameters().find(p->name);
    TANDEM_CHECK(q != nullptr, "rarts: the second network lacks '" + p->name + "'");
    q->value.copy_from(p->value);
  }
}

double rarts_coupled_gradient(Supernet& y_net, Supernet& w_net, const BatchStream::Batch& valid,
                              double coupling) {
  y_net.zero_grad();
  Variable loss = cross_entropy(y_net.forward(valid.images, true), valid.labels);
  const double value = loss.value().item();
  backward(loss);
  for (Parameter* y : y_net.weights()) {
    const Parameter* w = w_net.parameters().find(y->name);
    TANDEM_CHECK(w != nullptr, "rarts: the first network lacks '" + y->name + "'");
    if (!y->grad.defined()) y->grad = Tensor::zeros(y->value.shape());
    float* g = y->grad.data();
    const float* yv = y->value.data();
    const float* wv = w->value.data();
    const float c = static_cast<float>(coupling);
    for (std::int64_t i = 0; i < y->value.numel(); ++i) g[i] += c * (yv[i] - wv[i]);
  }
  return value;
}

std::pair<double, double> rarts_architecture_gradient(Supernet& w_net, Supernet& y_net,
                                                      const BatchStream::Batch& train,
                                                      const BatchStream::Batch& valid,
                                                      double beta) {
  y_net.zero_grad();
  Variable valid_loss = cross_entropy(y_net.forward(valid.images, true), valid.labels);
  const double valid_value = valid_loss.value().item();
  backward(valid_loss);
  w_net.zero_grad();
  Variable train_loss = cross_entropy(w_net.forward(train.images, true), train.labels);
  const double train_value = train_loss.value().item();
  backward(train_loss);
  for (Parameter* a : w_net.architecture()) {
    const Parameter* b = y_net.parameters().find(a->name);
    TANDEM_CHECK(b != nullptr, "rarts: the second network lacks '" + a->name + "'");
    if (!a->grad.defined()) a->grad = Tensor::zeros(a->value.shape());
    float* g = a->grad.data();
    const float* gy = b->grad.defined() ? b->grad.data() : nullptr;
    for (std::int64_t i = 0; i < a->value.numel(); ++i)
      g[i] = static_cast<float>(beta * g[i] + (gy ? gy[i] : 0.0f));
  }
  return {valid_value, train_value};
}

Rarts::Rarts(const StrategyContext& context, RartsOptions options)
    : DifferentiableSearch(context, "rarts", options.darts), rarts_(std::move(options)) {}

Rarts::~Rarts() = default;

void Rarts::begin_epoch(int epoch, Supernet& supernet) {
  if (epoch == 1) {
    y_net_ = make_supernet(supernet.description(), rarts_.y_init == "copy" ? 0 : 0x79);  // "y"
    if (rarts_.y_init == "copy") y_net_->copy_state_from(supernet);
    copy_architecture(supernet, *y_net_);
    y_net_->set_mode(supernet.mode());
    apply_weighting(*y_net_, darts_options().sharp);
    y_optimizer_ = std::make_unique<Sgd>(y_net_->weights(), weight_sgd_options(options()));
  }
  y_loss_sum_ = 0.0;
  y_steps_ = 0;
}

void Rarts::architecture_step(Supernet& supernet, const Batch& train, const Batch& valid) {
  // 2. y <- y - eta_y [grad_y L_val(y, alpha) + lambda (y - w)]
  copy_architecture(supernet, *y_net_);
  y_loss_sum_ += rarts_coupled_gradient(*y_net_, supernet, valid, rarts_.coupling);
  ++y_steps_;
  if (options().grad_clip > 0.0) clip_grad_norm(y_net_->weights(), options().grad_clip);
  y_optimizer_->set_learning_rate(rarts_.y_lr_scale * learning_rate());
  y_optimizer_->step();
  // 3. alpha <- Adam(grad_alpha L_val(y, alpha) + beta grad_alpha L_train(w, alpha))
  rarts_architecture_gradient(supernet, *y_net_, train, valid, rarts_.train_weight);
  architecture_optimizer().step();
  copy_architecture(supernet, *y_net_);
}

void Rarts::end_epoch(int, Supernet& supernet, Metrics& values) {
  if (y_steps_ > 0) values.set("search/y_valid_loss", y_loss_sum_ / y_steps_);
  double distance = 0.0;  // ||y - w||
  for (Parameter* y : y_net_->weights()) {
    const Parameter* w = supernet.parameters().find(y->name);
    for (std::int64_t i = 0; i < y->value.numel(); ++i) {
      const double d = static_cast<double>(y->value.data()[i]) - w->value.data()[i];
      distance += d * d;
    }
  }
  values.set("search/coupling_distance", std::sqrt(distance));
}

void register_rarts(StrategyRegistry& registry) {
  registry.add(
      "rarts", "weight-sharing",
      "RARTS: single-level relaxed search, two weight sets (train / valid split) sharing α",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        std::vector<std::string> keys = darts_option_keys();
        for (const char* key : {"train_weight", "coupling", "y_lr_scale", "y_init"})
          keys.push_back(key);
        check_weight_sharing_keys(context.options, keys);
        RartsOptions options = read_rarts_options(context.options, rarts_defaults(context.space));
        context.space.default_supernet();  // a ConfigError now for spaces without one
        return std::make_unique<Rarts>(context, std::move(options));
      });
}

}  // namespace tandem
