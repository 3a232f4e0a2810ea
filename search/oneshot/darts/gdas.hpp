// GDAS: Gradient-based search using Differentiable Architecture Sampler (Dong & Yang, "Searching
// for A Robust Neural Architecture in Four GPU Hours", CVPR 2019). Source: D-X-Y/AutoDL-Projects
// exps/NAS-Bench-201-algos/GDAS.py (search loop), configs/nas-benchmark/algos/GDAS.config,
// xautodl/models/cell_searchs/search_model_gdas*.py (get_gumbel_prob) and search_cells.py
// (NAS201SearchCell.forward_gdas, MixedOp.forward_gdas).
//
//   * Every forward draws one Gumbel sample per alpha key (shared by all cells):
//     h = one_hot(argmax p) - stopgrad(p) + p, p = softmax((log_softmax(alpha) + g) / tau);
//     each edge runs ONLY its selected op: y = h_a op_a(x) (supernet mode hard_weights). The
//     other ops' h_k get no gradient (AutoDL NASNet cells) or the sum of dL/dy (AutoDL NB201
//     cells add the scalar h_k); option unselected_gradient: auto picks by space (output_sum on
//     spaces whose edges realise decisions, as nb201; none on the darts space).
//   * Per step: w step on a train batch (SGD, grad clip 5), then α step on a valid batch (Adam),
//     each with its own sample; tau = tau_max - (tau_max - tau_min) epoch / (epochs - 1).
//   * Derivation: argmax of alpha per edge (nb201, none included) / the DARTS rule (darts space;
//     AutoDL's GDAS-FRC instead keeps the top-2 (op, input) pairs of a node, which may repeat an
//     input — the space needs two distinct inputs).
// Defaults: GDAS.config (epochs 240, SGD lr 0.025 cosine to 0.001, momentum 0.9, nesterov,
// weight decay 5e-4, batch 64), tau 10 -> 0.1, α Adam 3e-4 (0.5, 0.999) weight decay 1e-3;
// first order only.
#pragma once

#include <string>

#include "search/oneshot/darts/darts.hpp"
#include "search/oneshot/darts/gumbel_relaxation.hpp"

namespace tandem {

struct GdasOptions {
  DartsOptions darts;
  double tau_max = 10.0;
  double tau_min = 0.1;
  std::string unselected_gradient = "auto";  // auto | output_sum | none
};

GdasOptions gdas_defaults(const SearchSpace& space);
// Parses the DARTS keys and tau_max, tau_min, unselected_gradient; rejects second_order and
// weighting: max_w (GDAS's weights are the Gumbel sample).
GdasOptions read_gdas_options(const ConfigNode& node, GdasOptions defaults);
// Whether unselected ops pass the output-gradient sum for `option` on `description`.
bool gdas_unselected_gradient(const std::string& option, const SupernetDescription& description);

class Gdas final : public DifferentiableSearch {
 public:
  Gdas(const StrategyContext& context, GdasOptions options);

 protected:
  SupernetMode supernet_mode() const override { return SupernetMode::hard_weights; }
  void begin_epoch(int epoch, Supernet& supernet) override;
  void end_epoch(int epoch, Supernet& supernet, Metrics& values) override;

 private:
  GdasOptions gdas_;
  GumbelRelaxation relaxation_;
};

void register_gdas(StrategyRegistry& registry);

}  // namespace tandem
