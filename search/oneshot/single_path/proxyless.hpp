// ProxylessNAS (Cai, Zhu & Han, ICLR 2019) on the mobilenet and nb201 supernets, with a hardware
// cost from any registered hwmodels/ cost model. Source: mit-han-lab/proxylessnas
// search/nas_manager.py (warm_up, train: weight step then every `grad_update_arch_param_every`
// batches an arch step, none in epoch 0; gradient_step; add_regularization_loss),
// search/modules/mix_op.py (binarize, set_arch_param_grad, rescale_updated_arch_param),
// search/imagenet_arch_search.py (defaults). Fact sheet: algorithms.md §7.
//
//   * Weight step: one path per alpha key sampled from softmax(α) (MixedEdge.MODE = None), SGD on
//     label-smoothed cross-entropy of a batch of the w split; per-iteration cosine learning rate.
//     Warm-up epochs train w only (α untouched, so paths are ~uniform) at warmup_lr.
//   * Architecture step on a batch of the α split: binarization `two` (default, two sampled paths,
//     the pair estimator and the rescale of Supernet::two_path) or `full_v2` (every op evaluated,
//     Supernet::binary_gates). A key whose active op is Zero gets no update. Adam (lr 1e-3,
//     betas (0, 0.999), eps 1e-8, no weight decay).
//   * Cost term: E[C] = base + Σ_decisions Σ_ops p(op)·cost(op) from an EdgeCostTable of the cost
//     model on the space's own network (search/oneshot/edge_cost_table.hpp), differentiable in α; p is the
//     pair's softmax in `two` mode and the softmax over the allowed ops in `full_v2` mode
//     (mix_op.py current_prob_over_ops). Loss forms:
//       mul#log     α_r · CE · (log E / log T)^β_r   (α_r 0.2, β_r 0.3; the official default)
//       add#linear  CE + λ (E − T) / T               (λ 0.1)
//       lagrangian  CE + μ (E − T) / T, μ >= 0 by dual ascent after every arch step:
//                   μ ← max(0, μ + η (E − T) / T) with E under softmax(α) over the allowed ops
//                   (the HARD constraint mode; not in ProxylessNAS).
//   * Derivation: argmax α per edge (convert_to_normal_net). With `project` (default on for
//     lagrangian) a derived architecture over the target is projected onto it: repeatedly the
//     cheapest switch in lost log-probability per unit of cost saved, until the cost model's
//     cost of the whole network (recomputed, not the table) meets the target — so the hard mode
//     always returns a feasible architecture, or fails with the cheapest reachable cost.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "search/oneshot/edge_cost_table.hpp"
#include "search/oneshot/single_path/single_path_options.hpp"
#include "search/oneshot/weight_sharing.hpp"

namespace tandem {

class Optimizer;  // trainers/optimizer.hpp (see search/oneshot/darts/darts.hpp)

struct ProxylessOptions {
  WeightSharingOptions common;       // ProxylessNAS defaults (see proxyless_defaults)
  int warmup_epochs = 40;
  double warmup_lr = 0.05;
  std::string binarization = "two";  // two | full_v2
  int arch_update_every = 5;         // grad_update_arch_param_every
  int arch_update_steps = 1;         // grad_update_steps
  int arch_start_epoch = 1;          // no arch update in search epochs before this (0-based)
  double label_smoothing = 0.1;
  std::optional<CostConstraintOptions> cost;  // the `hardware` section; none = accuracy only
};

// ProxylessNAS's search settings (imagenet_arch_search.py): w SGD nesterov momentum 0.9, lr 0.025
// cosine per iteration to 0, weight decay 4e-5, no clipping, label smoothing 0.1; α Adam 1e-3,
// betas (0, 0.999), no weight decay. (Batch 256 and 40 + 120 epochs: scale down in configs.)
ProxylessOptions proxyless_defaults(const SearchSpace& space);
const std::vector<std::string>& proxyless_option_keys();
// Reads the weight-sharing keys and ProxylessNAS's (no check_keys; see check_weight_sharing_keys).
// The `hardware` section: {accelerator: {model: ..., ...} | accelerator_file, metric, target,
// loss, alpha, beta, lambda, multiplier_lr, multiplier_init, project}.
ProxylessOptions read_proxyless_options(const ConfigNode& node, ProxylessOptions defaults,
                                        const std::string& config_dir);

// A cost loss's value and its partial derivatives in CE and E.
struct CostLoss {
  double value = 0.0;
  double d_ce = 1.0;
  double d_cost = 0.0;
};
// The loss forms above at (ce, expected cost E); `multiplier` is μ for lagrangian.
CostLoss cost_loss(const CostConstraintOptions& options, double ce, double expected_cost,
                   double multiplier);

// ProxylessNAS's architecture side for one supernet (the proxyless strategy and few-shot
// sub-supernets): the cost table, the α update, the weight step's path sampling, the Lagrange
// multiplier and the derivation.
class ProxylessArchitect {
 public:
  // Builds the cost table on `space` (the candidate network as the space lowers it). Edges must
  // realise decisions (MixedEdge::decision >= 0), one alpha key per decision.
  ProxylessArchitect(const SearchSpace& space, const SupernetDescription& description,
                     ProxylessOptions options);

  // Weight step: paths from softmax(α), label-smoothed CE, clipping (if > 0), optimizer step.
  // Returns the batch loss.
  double weight_step(Supernet& supernet, Optimizer& weights, const BatchStream::Batch& batch,
                     Rng& rng, double grad_clip) const;
  struct ArchitectureStep {
    double ce = 0.0;
    double expected_cost = 0.0;  // E of the step's probabilities (pair slice in `two` mode)
    bool updated = false;        // false when every key was dropped (Zero active)
  };
  // One architecture update on `batch` with `architecture` (Adam over the supernet's α).
  ArchitectureStep architecture_step(Supernet& supernet, Optimizer& architecture,
                                     const BatchStream::Batch& batch, Rng& rng);

  bool has_cost() const { return options_.cost.has_value(); }
  // E[C] under softmax(α) over each edge's allowed ops; fills d/dα per alpha key when asked.
  double expected_cost(Supernet& supernet,
                       std::map<std::string, std::vector<double>>* gradient = nullptr) const;
  // E[C] with the current two-path pairs' probabilities (zero outside the pair).
  double expected_pair_cost(Supernet& supernet,
                            std::map<std::string, std::vector<double>>* gradient = nullptr) const;
  // The table's cost of a candidate, and the cost model's cost of its whole network.
  double table_cost(const Candidate& candidate) const;
  double model_cost(const Candidate& candidate) const;
  double multiplier() const { return multiplier_; }
  const EdgeCostTable& table() const { return table_; }

  // The argmax candidate (projected onto the target when the options say so).
  Candidate derive(Supernet& supernet) const;
  // The candidate of per-key choices (candidate index per alpha key).
  Candidate candidate_of(Supernet& supernet, const std::vector<int>& choice_per_edge) const;

 private:
  // E[C] from per-key log-weights (−inf = excluded).
  double expected_from(const std::map<std::string, std::vector<double>>& logits,
                       std::map<std::string, std::vector<double>>* gradient) const;

  const SearchSpace& space_;
  ProxylessOptions options_;
  EdgeCostTable table_;
  struct KeyDecision {
    int decision = 0;
    std::vector<int> value_of_candidate;  // decision value per candidate
  };
  std::map<std::string, KeyDecision> keys_;
  double multiplier_ = 0.0;
};

class Proxyless final : public WeightSharingStrategy {
 public:
  Proxyless(const StrategyContext& context, ProxylessOptions options);
  const ProxylessOptions& proxyless_options() const { return proxyless_; }

 protected:
  std::vector<Candidate> run_search() override;

 private:
  ProxylessOptions proxyless_;
};

void register_proxyless(StrategyRegistry& registry);

}  // namespace tandem
