// PC-DARTS: partial channel connections and edge normalisation (Xu et al., ICLR 2020). Source:
// yuhuixu1993/PC-DARTS model_search.py (MixedOp with k=4, channel_shuffle, betas, genotype),
// train_search.py (hyper-parameters, `if epoch >= 15: architect.step(...)`), architect.py.
//
//   * Partial channels: every mixed edge runs its ops on the first C/K channels only and passes
//     the other (K-1)C/K through (max-pooled 2x2 on stride-2 edges); the concatenation is
//     channel-shuffled with K groups (trainers/supernet.hpp, MixedEdge::partial_channels). The ops
//     are built for C/K channels: partial_channel_description() rescales the space's candidates.
//   * Edge normalisation: one β per edge; node i's incoming edges are weighted by softmax(β) over
//     that node's edges (MixedEdge::beta_key = "<cell>/<i>" or "<i>", beta_index = j), shared by
//     all cells of a type like α.
//   * Derivation: W = softmax(α) of each edge times the node-wise softmax(β) of that edge, then the
//     exact DARTS rule (darts space) or the argmax per edge (nb201).
//   * Warm-up: the first `warmup_epochs` epochs train w only (official: 15 of 50 epochs; default
//     here: floor(0.3 * epochs), the same fraction).
// Defaults are PC-DARTS's CIFAR-10 values: batch 256, SGD lr 0.1 cosine to 0, momentum 0.9,
// weight decay 3e-4, α/β Adam lr 6e-4, betas (0.5, 0.999), weight decay 1e-3, first order, K=4.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "search/oneshot/darts/darts.hpp"

namespace tandem {

struct PcDartsOptions {
  DartsOptions darts;
  int partial_channels = 4;  // K (model_search.py: self.k = 4)
};

PcDartsOptions pc_darts_defaults(const SearchSpace& space);
// Parses the PC-DARTS keys (partial_channels; warmup_epochs defaults to floor(0.3 epochs)).
PcDartsOptions read_pc_darts_options(const ConfigNode& node, PcDartsOptions defaults);

// Every edge of `description` with K partial channels: candidate graphs rebuilt for C/K channels
// (conv outputs, depthwise groups, zero/slice widths divided by K) and β keys per node, derived
// from alpha keys "<prefix><i><-<j>" (beta key "<prefix><i>", index j). Throws tandem::Error
// naming the edge when K does not divide its channels or a key is not of that form.
SupernetDescription partial_channel_description(SupernetDescription description, int K);

// softmax(α) of every alpha key times the node-wise softmax(β) of its edge (PC-DARTS genotype()).
std::map<std::string, std::vector<double>> edge_normalised_weights(Supernet& supernet);

class PcDarts final : public DifferentiableSearch {
 public:
  PcDarts(const StrategyContext& context, PcDartsOptions options);

 protected:
  void configure_supernet(SupernetDescription& description) override;
  SupernetMode supernet_mode() const override { return SupernetMode::partial_channels; }
  std::map<std::string, std::vector<double>> derivation_weights(Supernet& supernet) override;

 private:
  int partial_channels_;
};

void register_pc_darts(StrategyRegistry& registry);

}  // namespace tandem
