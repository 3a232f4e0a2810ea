// SNAS: Stochastic Neural Architecture Search (Xie, Zheng, Liu, Lin, ICLR 2019). Source:
// SNAS-Series/SNAS-Series SNAS/model_search.py (Network._get_categ_mask, MixedOp, the
// 'reparametrization' resource penalty), SNAS/train_search.py (single-level loop, defaults and the
// README's search command), SNAS/utils.py (Temp_Scheduler).
//
//   * Concrete relaxation: every forward draws one sample per alpha key (shared by all cells),
//     Z = softmax((log_alpha + g) / lambda) with Gumbel noise g; every op runs, y = sum_k Z_k
//     op_k(x).
//   * Single level: ONE batch of the training split and ONE backward give the gradients of both
//     the weights and log_alpha; the w optimizer (SGD, grad clip 5) and the α optimizer (Adam,
//     grad-norm clip 10) both step. The α split serves only the per-epoch validation metric.
//   * Temperature: lambda = max(lambda_min, lambda0 - (lambda0 - lambda_min) (epoch + 1) / T)
//     (Temp_Scheduler, stepped before each epoch; the code fixes T = 150 = its epoch count; here
//     T = temperature_anneal_epochs, default = epochs); temperature_annealing: false keeps lambda0.
//   * log_alpha initialised N(1, 0.01) (--loc_mean 1 --loc_std 0.01).
//   * Optional resource constraint (--resource_efficient --method reparametrization): per edge
//     R_e = sum_k Z_k c_k with c_k the op's MACs or parameters (computed from its graph); the
//     penalty resource_lambda * sum_keys mean_{edges of key} [log max(1, |R_e|)] (--log_penalty;
//     a mean over cells as the code's /6 normal + /2 reduce) or the same with R_e itself, added
//     to the loss. Off by default (resource_lambda 0).
//   * Derivation: argmax of alpha per edge (nb201, none included, as SNAS's _parse) / the DARTS
//     rule (darts space; SNAS's own genotype() ranks edges including `none`).
// Defaults: train_search.py / README (epochs 150, SGD lr 0.025 cosine to 0.001, momentum 0.9,
// weight decay 3e-4, batch 64, lambda0 1, lambda_min 0.03, annealing on; α Adam 3e-4 (0.5,
// 0.999), weight decay 1e-3 as the README's distributed runs — the single-GPU script uses plain
// SGD for α); on nb201 the AutoDL DARTS.config weight settings. Not reproduced: drop-path in the
// search network, the policy-gradient / discrete resource variants.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "search/oneshot/darts/darts.hpp"
#include "search/oneshot/darts/gumbel_relaxation.hpp"

namespace tandem {

struct SnasOptions {
  DartsOptions darts;
  double temperature = 1.0;       // lambda0 (--temp)
  double temperature_min = 0.03;  // --temp_min
  bool temperature_annealing = true;
  int temperature_anneal_epochs = 0;  // T (0 = epochs; the code: 150)
  double alpha_init_mean = 1.0;       // --loc_mean
  double alpha_init_std = 0.01;       // --loc_std
  double arch_grad_clip = 10.0;       // clip_grad_norm_(arch_parameters, 10.)
  double resource_lambda = 0.0;       // 0 = no resource constraint (README: 1e-2 with log)
  std::string resource = "macs";      // macs | params
  bool resource_log = true;           // --log_penalty
};

SnasOptions snas_defaults(const SearchSpace& space);
// Parses the DARTS keys and the keys above (as `temperature`, `temperature_min`, ...);
// rejects second_order and weighting: max_w.
SnasOptions read_snas_options(const ConfigNode& node, SnasOptions defaults);

// The SNAS resource cost c[e][k] of every candidate of every edge (MACs or parameters of its
// graph).
std::vector<std::vector<double>> snas_edge_costs(const SupernetDescription& description,
                                                 const std::string& resource);
// The penalty (value) and its gradient with respect to each key's weights Z, for the per-key
// samples `z` of one forward: see the header comment.
struct ResourcePenalty {
  double value = 0.0;
  std::map<std::string, std::vector<double>> gradient;  // d penalty / d Z[key][k]
};
ResourcePenalty snas_resource_penalty(const SupernetDescription& description,
                                      const std::vector<std::vector<double>>& costs,
                                      const std::map<std::string, std::vector<double>>& z,
                                      double lambda, bool log_penalty);

class Snas final : public DifferentiableSearch {
 public:
  Snas(const StrategyContext& context, SnasOptions options);

 protected:
  void begin_epoch(int epoch, Supernet& supernet) override;
  Variable weight_loss(Supernet& supernet, const Batch& batch, const Variable& logits) override;
  // Single level: uses the α gradients of the weight step's backward (no forward of its own).
  void architecture_step(Supernet& supernet, const Batch& train, const Batch& valid) override;
  void end_epoch(int epoch, Supernet& supernet, Metrics& values) override;

 private:
  SnasOptions snas_;
  GumbelRelaxation relaxation_;
  std::map<std::string, Variable> samples_;  // this forward's Z per alpha key
  std::vector<std::vector<double>> costs_;
  double penalty_sum_ = 0.0;
  int penalty_count_ = 0;
};

void register_snas(StrategyRegistry& registry);

}  // namespace tandem
