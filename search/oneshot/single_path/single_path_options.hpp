// The options the single-path strategies (spos, proxyless, and few-shot's sub-supernets) read
// alike: the `hardware` section (a cost model, metric and target: ProxylessNAS' latency loss,
// SPOS' flops_limit-style limit), label smoothing, and the checked number readers behind them.
// Sources: mit-han-lab/proxylessnas search/imagenet_arch_search.py (target latency, the loss
// forms and their constants), megvii-model/SinglePathOneShot src/Supernet/train.py
// (CrossEntropyLabelSmooth 0.1).
#pragma once

#include <memory>
#include <string>

#include "core/config_node.hpp"
#include "hwmodels/cost_model.hpp"
#include "search/oneshot/edge_cost_table.hpp"

namespace tandem {

struct CostConstraintOptions {
  std::shared_ptr<const hw::CostModel> model;
  CostMetric metric = CostMetric::latency_ms;
  double target = 0.0;              // T, in the metric's unit (> 0)
  std::string loss = "mul#log";     // mul#log | add#linear | lagrangian
  double alpha = 0.2;               // mul#log α_r
  double beta = 0.3;                // mul#log β_r
  double lambda = 0.1;              // add#linear λ
  double multiplier_lr = 1.0;       // lagrangian dual ascent step η (UNVERIFIED: no official)
  double multiplier_init = 0.0;     // lagrangian μ_0
  bool project = false;             // project the derived architecture onto the target
};

// The `hardware` section (proxyless' cost term, spos' limit): {accelerator: {model: ...} |
// accelerator_file, metric, target, loss, alpha, beta, lambda, multiplier_lr, multiplier_init,
// project}; paths relative to `config_dir`.
CostConstraintOptions read_cost_constraint(const ConfigNode& node, const std::string& config_dir);

// `label_smoothing` of `node` (fallback when absent), checked to lie in [0, 1).
double read_label_smoothing(const ConfigNode& node, double fallback);

// `key` of `node` (fallback when absent) as a finite number > 0, or >= 0; else a config error
// naming the key and the value.
double read_positive(const ConfigNode& node, const std::string& key, double fallback);
double read_non_negative(const ConfigNode& node, const std::string& key, double fallback);

}  // namespace tandem
