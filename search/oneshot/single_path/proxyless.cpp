// ProxylessNAS with a differentiable hardware cost and a hard-constraint (Lagrangian) mode (see
// proxyless.hpp). Sources: mit-han-lab/proxylessnas search/nas_manager.py, search/modules/
// mix_op.py, search/imagenet_arch_search.py.
#include "search/oneshot/single_path/proxyless.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/text.hpp"
#include "search/oneshot/single_path/single_path_step.hpp"
#include "search/oneshot/darts/derivation.hpp"
#include "trainers/autograd.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/schedule.hpp"

namespace tandem {

namespace {

constexpr double kExcluded = -std::numeric_limits<double>::infinity();

// The first edge of every alpha key.
std::map<std::string, std::size_t> first_edges(const SupernetDescription& d) {
  std::map<std::string, std::size_t> first;
  for (std::size_t e = 0; e < d.edges.size(); ++e) first.emplace(d.edges[e].alpha_key, e);
  return first;
}

}  // namespace

// ---- options -------------------------------------------------------------------------------

ProxylessOptions proxyless_defaults(const SearchSpace& space) {
  ProxylessOptions o;
  o.common = weight_sharing_defaults(space);
  o.common.batch_size = 256;
  o.common.epochs = 120;
  o.common.lr = 0.025;
  o.common.lr_min = 0.0;
  o.common.momentum = 0.9;
  o.common.nesterov = true;
  o.common.weight_decay = 4e-5;
  o.common.grad_clip = 0.0;
  o.common.arch_lr = 1e-3;
  o.common.arch_beta1 = 0.0;
  o.common.arch_beta2 = 0.999;
  o.common.arch_weight_decay = 0.0;
  return o;
}

const std::vector<std::string>& proxyless_option_keys() {
  static const std::vector<std::string> keys = {
      "warmup_epochs",      "warmup_lr",       "binarization", "arch_update_every",
      "arch_update_steps",  "arch_start_epoch", "label_smoothing", "hardware"};
  return keys;
}

ProxylessOptions read_proxyless_options(const ConfigNode& node, ProxylessOptions o,
                                        const std::string& config_dir) {
  o.common = read_weight_sharing_options(node, o.common);
  if (!node.present()) return o;
  o.warmup_epochs = static_cast<int>(node.get_int_in("warmup_epochs", o.warmup_epochs, 0, 100000));
  o.warmup_lr = read_positive(node, "warmup_lr", o.warmup_lr);
  o.binarization = node.get_choice("binarization", o.binarization, {"two", "full_v2"});
  o.arch_update_every =
      static_cast<int>(node.get_int_in("arch_update_every", o.arch_update_every, 1, 1000000));
  o.arch_update_steps =
      static_cast<int>(node.get_int_in("arch_update_steps", o.arch_update_steps, 0, 1000));
  o.arch_start_epoch = static_cast<int>(
      node.get_int_in("arch_start_epoch", o.arch_start_epoch, 0, o.common.epochs));
  o.label_smoothing = read_label_smoothing(node, o.label_smoothing);
  if (ConfigNode hardware = node.optional("hardware"); hardware.present())
    o.cost = read_cost_constraint(hardware, config_dir);
  return o;
}

CostLoss cost_loss(const CostConstraintOptions& o, double ce, double e, double multiplier) {
  CostLoss loss;
  if (o.loss == "mul#log") {
    // α_r CE (log E / log T)^β_r
    const double ratio = std::log(e) / std::log(o.target);
    if (!(ratio > 0.0))
      throw Error("proxyless mul#log: log(expected cost " + format_number(e) + ") / log(target " +
                  format_number(o.target) +
                  ") is not positive (the two lie on both sides of 1 in this unit); use metric "
                  "cycles or loss add#linear");
    const double power = std::pow(ratio, o.beta);
    loss.value = o.alpha * ce * power;
    loss.d_ce = o.alpha * power;
    loss.d_cost = o.alpha * ce * o.beta * std::pow(ratio, o.beta - 1.0) / (e * std::log(o.target));
  } else {
    const double weight = o.loss == "add#linear" ? o.lambda : multiplier;
    loss.value = ce + weight * (e - o.target) / o.target;
    loss.d_ce = 1.0;
    loss.d_cost = weight / o.target;
  }
  return loss;
}

// ---- the architect -------------------------------------------------------------------------

ProxylessArchitect::ProxylessArchitect(const SearchSpace& space,
                                       const SupernetDescription& description,
                                       ProxylessOptions options)
    : space_(space), options_(std::move(options)) {
  const std::size_t decisions = space.decisions().size();
  std::vector<std::string> key_of_decision(decisions);
  for (const MixedEdge& edge : description.edges) {
    if (edge.decision < 0 || static_cast<std::size_t>(edge.decision) >= decisions)
      throw ConfigError("proxyless: space '" + space.name() +
                        "' has supernet edges that do not realise a decision (ProxylessNAS "
                        "needs one alpha per decision: nb201, mobilenet)");
    std::string& key = key_of_decision[static_cast<std::size_t>(edge.decision)];
    if (!key.empty() && key != edge.alpha_key)
      throw ConfigError("proxyless: decision " + std::to_string(edge.decision) +
                        " of space '" + space.name() + "' has two alpha keys");
    key = edge.alpha_key;
    KeyDecision kd;
    kd.decision = edge.decision;
    for (std::size_t k = 0; k < edge.candidates.size(); ++k)
      kd.value_of_candidate.push_back(edge.choice_of_candidate.empty() ? static_cast<int>(k)
                                                                       : edge.choice_of_candidate[k]);
    auto [it, inserted] = keys_.emplace(edge.alpha_key, kd);
    if (!inserted && it->second.decision != kd.decision)
      throw ConfigError("proxyless: alpha key '" + edge.alpha_key + "' realises two decisions");
  }
  for (std::size_t d = 0; d < decisions; ++d)
    if (key_of_decision[d].empty())
      throw ConfigError("proxyless: decision '" + space.decisions()[d].name +
                        "' has no supernet edge");
  if (!options_.cost) return;
  const CostConstraintOptions& cost = *options_.cost;
  Candidate reference;
  reference.decisions.assign(decisions, 0);
  Rng rng(0);
  for (int tries = 0; !space.is_valid(reference) && tries < 1000; ++tries)
    reference = space.sample(rng);
  table_ = build_edge_cost_table(space, *cost.model, reference, cost.metric);
  multiplier_ = cost.multiplier_init;
  if (cost.loss == "lagrangian" || cost.project) {
    double cheapest = table_.base;
    for (const auto& row : table_.cost) cheapest += *std::min_element(row.begin(), row.end());
    if (cheapest > cost.target)
      throw ConfigError("proxyless: hardware target " + format_number(cost.target) +
                        " is below the cheapest architecture of the space (" +
                        format_number(cheapest) + " " + (cost.metric == CostMetric::latency_ms ? "ms"
                                                         : cost.metric == CostMetric::energy_mj ? "mJ"
                                                                                                : "cycles") +
                        " on this accelerator)");
  }
}

double ProxylessArchitect::expected_from(const std::map<std::string, std::vector<double>>& logits,
                                         std::map<std::string, std::vector<double>>* gradient) const {
  TANDEM_CHECK(options_.cost.has_value(), "proxyless: no hardware cost configured");
  std::vector<std::vector<double>> rows(table_.cost.size());
  for (std::size_t d = 0; d < rows.size(); ++d) rows[d].assign(table_.cost[d].size(), kExcluded);
  for (const auto& [key, kd] : keys_) {
    const std::vector<double>& l = logits.at(key);
    for (std::size_t k = 0; k < l.size(); ++k)
      rows[static_cast<std::size_t>(kd.decision)][static_cast<std::size_t>(kd.value_of_candidate[k])] = l[k];
  }
  std::vector<std::vector<double>> row_gradient;
  const double e = table_.expected(rows, gradient ? &row_gradient : nullptr);
  if (gradient) {
    gradient->clear();
    for (const auto& [key, kd] : keys_) {
      std::vector<double>& g = (*gradient)[key];
      g.assign(kd.value_of_candidate.size(), 0.0);
      for (std::size_t k = 0; k < g.size(); ++k)
        g[k] = row_gradient[static_cast<std::size_t>(kd.decision)]
                           [static_cast<std::size_t>(kd.value_of_candidate[k])];
    }
  }
  return e;
}

double ProxylessArchitect::expected_cost(Supernet& net,
                                         std::map<std::string, std::vector<double>>* gradient) const {
  std::map<std::string, std::vector<double>> logits;
  for (const auto& [key, edge] : first_edges(net.description())) {
    const Tensor& a = net.alpha(key).value;
    std::vector<double> l(static_cast<std::size_t>(a.numel()), kExcluded);
    for (int k : net.allowed(edge)) l[static_cast<std::size_t>(k)] = a.data()[k];
    logits[key] = std::move(l);
  }
  return expected_from(logits, gradient);
}

double ProxylessArchitect::expected_pair_cost(
    Supernet& net, std::map<std::string, std::vector<double>>* gradient) const {
  std::map<std::string, std::vector<double>> logits;
  for (const auto& [key, edge] : first_edges(net.description())) {
    const Tensor& a = net.alpha(key).value;
    std::vector<double> l(static_cast<std::size_t>(a.numel()), kExcluded);
    const PathPair& pair = net.path_pair(key);
    l[static_cast<std::size_t>(pair.active)] = a.data()[pair.active];
    if (pair.inactive >= 0) l[static_cast<std::size_t>(pair.inactive)] = a.data()[pair.inactive];
    logits[key] = std::move(l);
  }
  return expected_from(logits, gradient);
}

double ProxylessArchitect::table_cost(const Candidate& candidate) const {
  TANDEM_CHECK(options_.cost.has_value(), "proxyless: no hardware cost configured");
  return table_.cost_of(candidate);
}

double ProxylessArchitect::model_cost(const Candidate& candidate) const {
  TANDEM_CHECK(options_.cost.has_value(), "proxyless: no hardware cost configured");
  const hw::CostReport report = options_.cost->model->evaluate(space_.to_graph(candidate));
  if (!report.feasible)
    throw Error("proxyless: " + space_.to_string(candidate) + " cannot run on the " +
                options_.cost->model->name() + " accelerator: " + report.reason);
  return cost_of_report(report, options_.cost->metric);
}

double ProxylessArchitect::weight_step(Supernet& net, Optimizer& weights,
                                       const BatchStream::Batch& batch, Rng& rng,
                                       double grad_clip) const {
  net.set_mode(SupernetMode::single_path);
  net.sample_paths(rng, /*from_alpha=*/true);
  return train_current_path(net, weights, batch, options_.label_smoothing, grad_clip);
}

ProxylessArchitect::ArchitectureStep ProxylessArchitect::architecture_step(
    Supernet& net, Optimizer& architecture, const BatchStream::Batch& batch, Rng& rng) {
  const bool two = options_.binarization == "two";
  if (two) {
    net.set_mode(SupernetMode::two_path);
    net.sample_path_pairs(rng);
  } else {
    net.set_mode(SupernetMode::binary_gates);
    net.sample_paths(rng, /*from_alpha=*/true);
  }
  net.zero_grad();
  Variable ce = cross_entropy(net.forward(batch.images, true), batch.labels,
                              options_.label_smoothing);
  ArchitectureStep result;
  result.ce = ce.value().item();
  CostLoss loss;
  std::map<std::string, std::vector<double>> cost_gradient;
  if (options_.cost) {
    result.expected_cost =
        two ? expected_pair_cost(net, &cost_gradient) : expected_cost(net, &cost_gradient);
    loss = cost_loss(*options_.cost, result.ce, result.expected_cost, multiplier_);
  }
  if (loss.d_ce == 1.0) {
    backward(ce);
  } else {
    backward(scale(ce, Variable(Tensor({1}, std::vector<float>{static_cast<float>(loss.d_ce)})), 0));
  }
  for (const auto& [key, g] : cost_gradient) {  // + dL/dE · dE/dα
    Parameter& alpha = net.alpha(key);
    if (!alpha.grad.defined()) alpha.grad = Tensor::zeros(alpha.value.shape());
    for (std::size_t k = 0; k < g.size(); ++k)
      alpha.grad.data()[k] += static_cast<float>(loss.d_cost * g[k]);
  }
  const auto before = net.alpha_snapshot();
  const std::vector<std::string> dropped = net.drop_zero_path_gradients();
  result.updated = dropped.size() < before.size();
  architecture.step();
  if (two) net.rescale_path_pairs(before, dropped);
  if (options_.cost && options_.cost->loss == "lagrangian") {
    const CostConstraintOptions& c = *options_.cost;  // dual ascent on E under softmax(α)
    multiplier_ = std::max(0.0, multiplier_ + c.multiplier_lr * (expected_cost(net) - c.target) / c.target);
  }
  return result;
}

Candidate ProxylessArchitect::candidate_of(Supernet& net,
                                           const std::vector<int>& choice_per_edge) const {
  return candidate_from_edge_choices(space_, net.description(), choice_per_edge);
}

Candidate ProxylessArchitect::derive(Supernet& net) const {
  Candidate candidate = candidate_of(net, net.derive());
  if (!options_.cost || !options_.cost->project) return candidate;
  const double target = options_.cost->target;
  // per decision: the allowed values and their log-probabilities
  std::vector<std::vector<double>> log_p(table_.cost.size());
  for (const auto& [key, edge] : first_edges(net.description())) {
    const KeyDecision& kd = keys_.at(key);
    std::vector<double>& row = log_p[static_cast<std::size_t>(kd.decision)];
    row.assign(table_.cost[static_cast<std::size_t>(kd.decision)].size(), kExcluded);
    const std::vector<double> p = net.edge_weights(edge);
    for (int k : net.allowed(edge))
      row[static_cast<std::size_t>(kd.value_of_candidate[static_cast<std::size_t>(k)])] =
          std::log(std::max(p[static_cast<std::size_t>(k)], 1e-300));
  }
  double cost = model_cost(candidate);
  for (std::size_t moves = 0; cost > target; ++moves) {
    double best_ratio = std::numeric_limits<double>::infinity();
    std::size_t best_d = 0;
    int best_v = -1;
    for (std::size_t d = 0; d < log_p.size(); ++d) {
      const auto cur = static_cast<std::size_t>(candidate.decisions[d]);
      for (std::size_t v = 0; v < log_p[d].size(); ++v) {
        const double saved = table_.cost[d][cur] - table_.cost[d][v];
        if (v == cur || log_p[d][v] == kExcluded || !(saved > 0.0)) continue;
        const double ratio = (log_p[d][cur] - log_p[d][v]) / saved;
        if (ratio < best_ratio) {
          best_ratio = ratio;
          best_d = d;
          best_v = static_cast<int>(v);
        }
      }
    }
    if (best_v < 0 || moves > 100000)
      throw Error("proxyless: cannot meet the hardware target " + format_number(target) +
                  ": the cheapest architecture reachable from " + space_.to_string(candidate) +
                  " costs " + format_number(cost));
    candidate.decisions[best_d] = best_v;
    cost = model_cost(candidate);
  }
  return candidate;
}

// ---- the strategy --------------------------------------------------------------------------

Proxyless::Proxyless(const StrategyContext& context, ProxylessOptions options)
    : WeightSharingStrategy(context, "proxyless", options.common), proxyless_(std::move(options)) {}

std::vector<Candidate> Proxyless::run_search() {
  const SupernetDescription description = supernet_description();
  ProxylessArchitect architect(space(), description, proxyless_);
  std::unique_ptr<Supernet> supernet = make_supernet(description);
  Supernet& net = *supernet;
  const WeightSharingOptions& o = options();
  Sgd weights(net.weights(), weight_sgd_options(o));
  Adam architecture(net.architecture(), architecture_adam_options(o));
  BatchStream train = batches(data().weights, 1);
  BatchStream valid = batches(data().architecture, 2);
  Rng rng = Rng(seed()).derive(0x70726f78);  // "prox": path sampling
  const std::int64_t steps = train.batches_per_pass();
  // per-iteration cosine (nas_manager: warm-up from warmup_lr, search from lr, both to lr_min)
  const CosineSchedule warmup_lr(proxyless_.warmup_lr, std::max<std::int64_t>(1, proxyless_.warmup_epochs * steps), 0.0);
  const CosineSchedule search_lr(o.lr, std::max<std::int64_t>(1, o.epochs * steps), o.lr_min);
  const int total = proxyless_.warmup_epochs + o.epochs;
  for (int epoch = 0; epoch < total; ++epoch) {
    const auto started = std::chrono::steady_clock::now();
    const bool warming = epoch < proxyless_.warmup_epochs;
    const int search_epoch = epoch - proxyless_.warmup_epochs;
    const bool arch_updates = !warming && search_epoch >= proxyless_.arch_start_epoch &&
                              proxyless_.arch_update_steps > 0;
    double loss_sum = 0.0, ce_sum = 0.0, cost_sum = 0.0, lr = 0.0;
    int arch_steps = 0;
    for (std::int64_t s = 0; s < steps; ++s) {
      const std::int64_t t = (warming ? epoch : search_epoch) * steps + s;
      lr = warming ? warmup_lr.learning_rate(t) : search_lr.learning_rate(t);
      weights.set_learning_rate(lr);
      loss_sum += architect.weight_step(net, weights, train.next(), rng, o.grad_clip);
      if (arch_updates && (s + 1) % proxyless_.arch_update_every == 0)
        for (int j = 0; j < proxyless_.arch_update_steps; ++j) {
          const auto step = architect.architecture_step(net, architecture, valid.next(), rng);
          ce_sum += step.ce;
          cost_sum += step.expected_cost;
          ++arch_steps;
        }
    }
    // the derived (argmax) network on the α split, as nas_manager.validate
    net.set_mode(SupernetMode::single_path);
    const std::vector<int> chosen = net.derive();
    for (std::size_t e = 0; e < chosen.size(); ++e) net.set_active(e, chosen[e]);
    const SupernetEvaluation evaluation =
        evaluate_supernet(net, data().architecture, data().normalization);
    Metrics values = architecture_values(net);
    values.set("search/phase", warming ? 0.0 : 1.0);
    values.set("search/train_loss", loss_sum / static_cast<double>(steps));
    values.set("search/valid_loss", evaluation.loss);
    values.set("search/valid_accuracy", 100.0 * evaluation.accuracy);
    values.set("search/lr", lr);
    values.set("search/arch_updates", arch_steps);
    if (arch_steps > 0) values.set("search/arch_loss", ce_sum / arch_steps);
    if (architect.has_cost()) {
      values.set("search/expected_cost", architect.expected_cost(net));
      values.set("search/derived_cost", architect.table_cost(architect.candidate_of(net, chosen)));
      if (arch_steps > 0) values.set("search/step_expected_cost", cost_sum / arch_steps);
      values.set("search/lagrange_multiplier", architect.multiplier());
    }
    values.set("search/seconds",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    record_epoch(epoch + 1, std::move(values));
  }
  return {architect.derive(net)};
}

void register_proxyless(StrategyRegistry& registry) {
  registry.add(
      "proxyless", "weight-sharing",
      "ProxylessNAS (two-path binarised paths, Adam on alpha) with a differentiable hardware "
      "cost from any cost model, soft (mul#log, add#linear) or hard (lagrangian) target",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        check_weight_sharing_keys(context.options, proxyless_option_keys());
        ProxylessOptions options = read_proxyless_options(
            context.options, proxyless_defaults(context.space), context.config_dir);
        // errors before the run: spaces without a supernet, edges without decisions, targets
        // below the cheapest architecture
        ProxylessArchitect check(context.space, context.space.default_supernet(), options);
        return std::make_unique<Proxyless>(context, std::move(options));
      });
}

}  // namespace tandem
