// SNAS (see snas.hpp). Sources: SNAS-Series/SNAS-Series SNAS/model_search.py,
// SNAS/train_search.py, SNAS/utils.py, SNAS/README.md.
#include "search/oneshot/darts/snas.hpp"

#include <cmath>

#include "core/error.hpp"
#include "trainers/optimizer.hpp"

namespace tandem {

SnasOptions snas_defaults(const SearchSpace& space) {
  SnasOptions o;
  o.darts = darts_defaults(space);
  o.darts.step_order = "weights_first";  // one backward feeds both updates
  o.darts.common.epochs = 150;           // train_search.py --epochs
  return o;
}

SnasOptions read_snas_options(const ConfigNode& node, SnasOptions o) {
  o.darts = read_darts_options(node, o.darts);
  if (!node.present()) return o;
  if (o.darts.second_order)
    node.at("second_order")
        .fail(
            "second_order: true is not a SNAS option (SNAS is single level: "
            "one backward for w and α); use false");
  if (o.darts.step_order != "weights_first")
    node.at("step_order")
        .fail("step_order: " + o.darts.step_order +
              " is not accepted by snas (its α step uses the gradient of the "
              "weight step's backward); use weights_first");
  if (o.darts.sharp.weighting != "softmax")
    node.at("weighting")
        .fail("weighting: " + o.darts.sharp.weighting +
              " cannot be combined with snas (its op weights are the concrete "
              "sample); use softmax");
  auto positive = [&](const char* key, double& value) {
    value = node.get_double(key, value);
    if (!(value > 0.0 && std::isfinite(value)))
      node.at(key).fail(std::string(key) + " " + node.at(key).scalar_text() +
                        ": expected a number > 0");
  };
  positive("temperature", o.temperature);
  positive("temperature_min", o.temperature_min);
  if (o.temperature_min > o.temperature)
    node.at(node.has("temperature_min") ? "temperature_min" : "temperature")
        .fail("temperature_min (" + std::to_string(o.temperature_min) +
              ") must not exceed temperature (" + std::to_string(o.temperature) + ")");
  o.temperature_annealing = node.get_bool("temperature_annealing", o.temperature_annealing);
  o.temperature_anneal_epochs = static_cast<int>(
      node.get_int_in("temperature_anneal_epochs", o.temperature_anneal_epochs, 0, 1000000));
  o.alpha_init_mean = node.get_double("alpha_init_mean", o.alpha_init_mean);
  o.alpha_init_std = node.get_double("alpha_init_std", o.alpha_init_std);
  if (!(o.alpha_init_std >= 0.0))
    node.at("alpha_init_std")
        .fail("alpha_init_std " + node.at("alpha_init_std").scalar_text() +
              ": expected a number >= 0");
  positive("arch_grad_clip", o.arch_grad_clip);
  o.resource_lambda = node.get_double("resource_lambda", o.resource_lambda);
  if (!(o.resource_lambda >= 0.0))
    node.at("resource_lambda")
        .fail("resource_lambda " + node.at("resource_lambda").scalar_text() +
              ": expected a number >= 0 (0 = no resource constraint)");
  o.resource = node.get_choice("resource", o.resource, {"macs", "params"});
  o.resource_log = node.get_bool("resource_log", o.resource_log);
  return o;
}

std::vector<std::vector<double>> snas_edge_costs(const SupernetDescription& description,
                                                 const std::string& resource) {
  std::vector<std::vector<double>> costs;
  for (const MixedEdge& edge : description.edges) {
    std::vector<double> c;
    for (const CandidateOp& op : edge.candidates)
      c.push_back(static_cast<double>(resource == "params" ? op.graph.total_params()
                                                           : op.graph.total_macs()));
    costs.push_back(std::move(c));
  }
  return costs;
}

ResourcePenalty snas_resource_penalty(const SupernetDescription& description,
                                      const std::vector<std::vector<double>>& costs,
                                      const std::map<std::string, std::vector<double>>& z,
                                      double lambda, bool log_penalty) {
  std::map<std::string, int> edges_of_key;
  for (const MixedEdge& edge : description.edges) ++edges_of_key[edge.alpha_key];
  ResourcePenalty out;
  for (std::size_t e = 0; e < description.edges.size(); ++e) {
    const std::string& key = description.edges[e].alpha_key;
    const std::vector<double>& zk = z.at(key);
    const double share = lambda / static_cast<double>(edges_of_key[key]);  // mean over cells
    double r = 0.0;
    for (std::size_t k = 0; k < zk.size(); ++k) r += zk[k] * costs[e][k];
    std::vector<double>& g = out.gradient[key];
    g.resize(zk.size(), 0.0);
    if (!log_penalty) {
      out.value += share * r;
      for (std::size_t k = 0; k < zk.size(); ++k) g[k] += share * costs[e][k];
    } else if (std::abs(r) >= 1.0) {  // |R| < 1 is "cleaned" to 1: log 1 = 0, no gradient
      out.value += share * std::log(std::abs(r));
      for (std::size_t k = 0; k < zk.size(); ++k) g[k] += share * costs[e][k] / r;
    }
  }
  return out;
}

Snas::Snas(const StrategyContext& context, SnasOptions options)
    : DifferentiableSearch(context, "snas", options.darts),
      snas_(std::move(options)),
      relaxation_(/*hard=*/false, Rng(context.seed).derive(0x736e6173).next_u64()) {}

void Snas::begin_epoch(int epoch, Supernet& supernet) {
  if (epoch == 1) {
    Rng rng = Rng(seed()).derive(0x616c706861);  // "alpha": log_alpha ~ N(loc_mean, loc_std)
    for (Parameter* alpha : supernet.architecture())
      for (float& v : alpha->value.values())
        v = static_cast<float>(rng.normal(snas_.alpha_init_mean, snas_.alpha_init_std));
    Supernet::EdgeWeightFunction sample = resampling_weight_function(relaxation_);
    supernet.set_edge_weight_function([this, sample](const std::string& key, const Variable& alpha,
                                                     const std::vector<int>& allowed) {
      Variable z = sample(key, alpha, allowed);
      samples_[key] = z;
      return z;
    });
    if (snas_.resource_lambda > 0.0)
      costs_ = snas_edge_costs(supernet.description(), snas_.resource);
  }
  const int anneal =
      snas_.temperature_anneal_epochs > 0 ? snas_.temperature_anneal_epochs : options().epochs;
  relaxation_.set_temperature(
      snas_.temperature_annealing
          ? snas_temperature(epoch - 1, anneal, snas_.temperature, snas_.temperature_min)
          : snas_.temperature);
  penalty_sum_ = 0.0;
  penalty_count_ = 0;
}

Variable Snas::weight_loss(Supernet& supernet, const Batch& batch, const Variable& logits) {
  Variable loss = cross_entropy(logits, batch.labels);
  if (snas_.resource_lambda <= 0.0) return loss;
  std::map<std::string, std::vector<double>> z;
  for (const auto& [key, sample] : samples_) {
    std::vector<double> values;
    for (float v : sample.value().values()) values.push_back(v);
    z[key] = std::move(values);
  }
  const ResourcePenalty penalty = snas_resource_penalty(supernet.description(), costs_, z,
                                                        snas_.resource_lambda, snas_.resource_log);
  penalty_sum_ += penalty.value;
  ++penalty_count_;
  // surrogate sum_k G_k Z_k (the penalty's gradient) plus a constant making the value exact
  Tape& tape = supernet.tape();
  std::vector<Variable> terms = {loss};
  double surrogate = 0.0;
  for (const auto& [key, g] : penalty.gradient)
    for (std::size_t k = 0; k < g.size(); ++k) {
      if (g[k] == 0.0) continue;
      terms.push_back(scale(tape.constant(Tensor::scalar(static_cast<float>(g[k]))),
                            samples_.at(key), static_cast<int>(k)));
      surrogate += g[k] * z.at(key)[k];
    }
  terms.push_back(tape.constant(Tensor::scalar(static_cast<float>(penalty.value - surrogate))));
  return add(terms);
}

void Snas::architecture_step(Supernet& supernet, const Batch&, const Batch&) {
  clip_grad_norm(supernet.architecture(), snas_.arch_grad_clip);
  architecture_optimizer().step();
}

void Snas::end_epoch(int, Supernet&, Metrics& values) {
  values.set("search/temperature", relaxation_.temperature());
  if (penalty_count_ > 0) values.set("search/resource_penalty", penalty_sum_ / penalty_count_);
}

void register_snas(StrategyRegistry& registry) {
  registry.add(
      "snas", "weight-sharing",
      "SNAS: single-level search with a concrete (soft Gumbel-softmax) relaxation of the ops",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        std::vector<std::string> keys = darts_option_keys();
        for (const char* key : {"temperature", "temperature_min", "temperature_annealing",
                                "temperature_anneal_epochs", "alpha_init_mean", "alpha_init_std",
                                "arch_grad_clip", "resource_lambda", "resource", "resource_log"})
          keys.push_back(key);
        check_weight_sharing_keys(context.options, keys);
        SnasOptions options = read_snas_options(context.options, snas_defaults(context.space));
        context.space.default_supernet();  // a ConfigError now for spaces without one
        return std::make_unique<Snas>(context, std::move(options));
      });
}

}  // namespace tandem
