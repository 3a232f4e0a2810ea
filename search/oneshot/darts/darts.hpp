// DARTS: differentiable architecture search (Liu, Simonyan & Yang, ICLR 2019), first and second
// order, on any space with a supernet. Source: quark0/darts cnn/train_search.py (search loop),
// cnn/architect.py (unrolled step and finite-difference Hessian-vector product),
// cnn/model_search.py (genotype); on nb201 AutoDL-Projects exps/NAS-Bench-201-algos/DARTS-V1.py,
// DARTS-V2.py and configs/nas-benchmark/algos/DARTS.config.
//
// Per training step (one w batch from the first train_portion of the data, one α batch from the
// rest): an architecture step on α (Adam) and a weight step on w (SGD, cosine lr per epoch, grad
// clipping) — α first as quark0/darts, or w first as AutoDL's NB201 scripts (`step_order`).
//   first order:  ∇α L_val(w, α)
//   second order: ∇α L_val(w', α) − ξ [∇α L_train(w+, α) − ∇α L_train(w−, α)] / (2ε) with
//                 w' = w − ξ(μ m + ∇w L_train(w, α) + λ w) (ξ = the current w learning rate,
//                 m = the w optimizer's momentum buffer), v = ∇w' L_val(w', α), ε = r / ‖v‖,
//                 w± = w ± ε v.
// Derivation: the exact DARTS rule on the darts space (search/oneshot/darts/derivation.hpp darts_genotype);
// on spaces whose edges realise decisions (nb201) AutoDL's argmax per edge over all ops, `none`
// included (option exclude_none).
//
// DifferentiableSearch is the base of the DARTS family (pc_darts here; rarts, sharp_darts,
// sd_darts, gdas, snas elsewhere): it owns the epoch loop and exposes the hooks below.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "search/oneshot/darts/sharp_darts.hpp"  // sharpDARTS pieces (CPA, Max-W) for every DARTS-family method
#include "search/oneshot/weight_sharing.hpp"

namespace tandem {

class Optimizer;  // trainers/optimizer.hpp (not included here: search/rl/policy_gradient.hpp has its
                  // own tandem::Adam, so headers of search/ must not pull in the trainers' one)

struct DartsOptions {
  WeightSharingOptions common;
  bool second_order = false;              // quark0 --unrolled (AutoDL: DARTS-V2)
  std::string step_order = "arch_first";  // arch_first (quark0) | weights_first (AutoDL NB201)
  int warmup_epochs = 0;                  // epochs with α frozen, w trained (PC-DARTS: 15 of 50)
  double unrolled_r = 0.01;               // ε = r / ‖∇w' L_val‖ (architect.py r=1e-2)
  bool exclude_none = false;              // argmax derivation without `none` (AutoDL: with)
  SharpDartsPieces sharp;  // lr_schedule / lr_power / lr_warmup_epochs / weighting (search/oneshot/darts/sharp_darts.hpp)
};

// Official defaults for `space` (nb201: AutoDL, w step first; others: quark0).
DartsOptions darts_defaults(const SearchSpace& space);
// The keys read_darts_options() reads on top of the weight-sharing ones.
const std::vector<std::string>& darts_option_keys();
// Parses the weight-sharing and DARTS keys (no check_keys; see check_weight_sharing_keys).
DartsOptions read_darts_options(const ConfigNode& node, DartsOptions defaults);

// A loss on the supernet (it runs its own forward pass).
using SupernetLoss = std::function<Variable(Supernet&)>;

struct UnrolledStep {
  double xi = 0.0;            // the virtual step's learning rate (the current w lr)
  double momentum = 0.0;      // μ of the w optimizer
  double weight_decay = 0.0;  // λ of the w optimizer
  // The w optimizer's momentum buffers, one per supernet weight in weights() order (empty: none
  // yet, as before the first w step).
  const std::vector<Tensor>* momentum_buffer = nullptr;
  double r = 0.01;
};

// quark0/darts architect._backward_step_unrolled: sets every architecture parameter's grad to the
// second-order gradient above (weight grads to zero). Weights are restored exactly; BN running
// statistics are updated by the forwards at w, w+ and w− (as the official code, whose unrolled
// copy alone keeps its own). Returns L_val(w', α).
double unrolled_architecture_gradient(Supernet& supernet, const SupernetLoss& train_loss,
                                      const SupernetLoss& valid_loss, const UnrolledStep& step);

class DifferentiableSearch : public WeightSharingStrategy {
 public:
  const DartsOptions& darts_options() const { return darts_; }
  // The trained supernet (after the search ran; for tests and reports).
  Supernet* supernet() { return supernet_.get(); }

 protected:
  DifferentiableSearch(const StrategyContext& context, std::string method, DartsOptions options);
  ~DifferentiableSearch() override;
  std::vector<Candidate> run_search() override;

  using Batch = BatchStream::Batch;
  // --- hooks (defaults = DARTS) ---
  // Adjust the space's description before the supernet is built (PC-DARTS: partial channels, β).
  virtual void configure_supernet(SupernetDescription&) {}
  virtual SupernetMode supernet_mode() const { return SupernetMode::weighted_sum; }
  virtual void begin_epoch(int /*epoch*/, Supernet&) {}
  // The loss the w step minimises, from the forward's logits (default: cross-entropy).
  virtual Variable weight_loss(Supernet&, const Batch& batch, const Variable& logits);
  // The loss the α step minimises (default: cross-entropy).
  virtual Variable architecture_loss(Supernet&, const Batch& batch, const Variable& logits);
  // One α update (default: first or second order gradient, then Adam).
  virtual void architecture_step(Supernet&, const Batch& train, const Batch& valid);
  // Method-specific values for the epoch's log entry.
  virtual void end_epoch(int /*epoch*/, Supernet&, Metrics& /*values*/) {}
  // Weights the derivation ranks, per alpha key (default: softmax(α) over the key's ops).
  virtual std::map<std::string, std::vector<double>> derivation_weights(Supernet&);
  // The derived candidate(s) (default: the DARTS rule / argmax, see the file comment).
  virtual std::vector<Candidate> derive(Supernet&);

  // The w optimizer (SGD) and the α optimizer (Adam) of the running search.
  Optimizer& weight_optimizer() { return *weight_optimizer_; }
  Optimizer& architecture_optimizer() { return *architecture_optimizer_; }
  double learning_rate() const { return learning_rate_; }
  // The w optimizer's momentum buffers, mirrored (PyTorch SGD rule), for the unrolled step.
  const std::vector<Tensor>& momentum_buffers() const { return momentum_; }

 private:
  // One w update on `batch`; adds to the epoch's loss / correct / sample sums.
  void weight_step(Supernet&, const Batch& batch, double& loss_sum, double& correct,
                   double& samples);
  DartsOptions darts_;
  std::unique_ptr<Supernet> supernet_;
  std::unique_ptr<Optimizer> weight_optimizer_;
  std::unique_ptr<Optimizer> architecture_optimizer_;
  std::vector<Tensor> momentum_;
  double learning_rate_ = 0.0;
};

class Darts final : public DifferentiableSearch {
 public:
  Darts(const StrategyContext& context, DartsOptions options);
};

void register_darts(StrategyRegistry& registry);

}  // namespace tandem
