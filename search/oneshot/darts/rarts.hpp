// RARTS: relaxed architecture search (Xue, Qi, Xin, "RARTS: An Efficient First-Order Relaxed
// Architecture Search Method", arXiv 2008.03901, IEEE Access 2022). No official code was found;
// this follows the reconstruction in algorithms.md §4 (UNVERIFIED: the coefficients are options).
//
//   Single-level relaxed objective with data splitting and network splitting: two networks with
//   their own weights — w trained on the train split, y on the valid split — share one α:
//     L(w, y, α) = L_val(y, α) + β L_train(w, α) + (λ/2) ||y - w||².
//   One Gauss-Seidel sweep per step, each a single SGD step on fresh batches:
//     1. w <- w - η_w ∇w L_train(w, α)                      (the DARTS weight step)
//     2. y <- y - η_y [∇y L_val(y, α) + λ (y - w)]           (pulled toward the fresh w)
//     3. α <- Adam(∇α L_val(y, α) + β ∇α L_train(w, α))      (first order, fresh w and y)
//   No mixed second derivatives. y starts as a copy of w (y_init: copy) or from its own
//   initialisation (independent); η_y = y_lr_scale × the current w learning rate, with the w
//   optimizer's momentum / weight decay / clipping. Derivation: the DARTS rule / argmax on α.
// Defaults: DARTS's (quark0 train_search.py; AutoDL DARTS.config on nb201), β = 1, λ = 1.
#pragma once

#include <memory>
#include <string>

#include "search/oneshot/darts/darts.hpp"

namespace tandem {

struct RartsOptions {
  DartsOptions darts;
  double train_weight = 1.0;    // β: weight of L_train(w, α) in the α gradient
  double coupling = 1.0;        // λ: strength of (λ/2)||y - w||²
  double y_lr_scale = 1.0;      // η_y / η_w
  std::string y_init = "copy";  // copy | independent
};

RartsOptions rarts_defaults(const SearchSpace& space);
// Parses the DARTS keys and train_weight, coupling, y_lr_scale, y_init; rejects second_order and
// step_order: arch_first (the sweep order is w, y, α).
RartsOptions read_rarts_options(const ConfigNode& node, RartsOptions defaults);

// Step 3's α gradient, left in `w_net`'s architecture gradients (all other gradients of both nets
// are zeroed first; `y_net`'s α must equal `w_net`'s): ∇α L_val(y, α) + β ∇α L_train(w, α).
// Returns {L_val(y, α), L_train(w, α)}.
std::pair<double, double> rarts_architecture_gradient(Supernet& w_net, Supernet& y_net,
                                                      const BatchStream::Batch& train,
                                                      const BatchStream::Batch& valid, double beta);
// Step 2's gradient, left in `y_net`'s weight gradients: ∇y L_val(y, α) + λ (y - w), the weights
// of both nets matched by name. Returns L_val(y, α).
double rarts_coupled_gradient(Supernet& y_net, Supernet& w_net, const BatchStream::Batch& valid,
                              double coupling);
// Copies `from`'s architecture parameters into `to` (same alpha/beta keys).
void copy_architecture(Supernet& from, Supernet& to);

class Rarts final : public DifferentiableSearch {
 public:
  Rarts(const StrategyContext& context, RartsOptions options);
  ~Rarts() override;
  // The second network (y), after the search ran.
  Supernet* y_supernet() { return y_net_.get(); }

 protected:
  void begin_epoch(int epoch, Supernet& supernet) override;
  void architecture_step(Supernet& supernet, const Batch& train, const Batch& valid) override;
  void end_epoch(int epoch, Supernet& supernet, Metrics& values) override;

 private:
  RartsOptions rarts_;
  std::unique_ptr<Supernet> y_net_;
  std::unique_ptr<Optimizer> y_optimizer_;
  double y_loss_sum_ = 0.0, distance_ = 0.0;
  int y_steps_ = 0;
};

void register_rarts(StrategyRegistry& registry);

}  // namespace tandem
