// sharpDARTS (Hundt, Jain, Hager, arXiv 1903.09900; ahundt/sharpDARTS cnn/train_search.py,
// cnn/cosine_power_annealing.py, cnn/model_search.py; algorithms.md §5): its two search-time
// pieces, usable with every DARTS-family strategy through these keys of DartsOptions:
//   lr_schedule: cosine | cosine_power   the w learning rate per epoch: DARTS's cosine annealing,
//                                        or Cosine Power Annealing from lr to lr_min
//                                        (search/oneshot/darts/cosine_power_annealing.hpp)
//   lr_power, lr_warmup_epochs           CPA's exponent order p and linear warm-up W
//   weighting: softmax | max_w           mixed-op weights softmax(alpha) or Max-W
//   max_w_detach                         Max-W with max_j w_j as a constant
//                                        (search/oneshot/darts/max_w_regularization.hpp)
// and the `sharp_darts` strategy = DARTS with the sharpDARTS search defaults: CPA p = 2 from
// lr 0.025 to lr_min 1e-4 with a 5-epoch warm-up (at most epochs / 10 when not given), Max-W
// weighting, the other hyper-parameters DARTS's (train_search.py). Not reproduced: sharpDARTS's
// own op set (SharpSepConv, flood/choke convs, §5.3) — the space's ops are searched.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "search/strategy.hpp"
#include "search/oneshot/weight_sharing.hpp"
#include "trainers/schedule.hpp"

namespace tandem {

struct SharpDartsPieces {
  std::string lr_schedule = "cosine";  // cosine (DARTS) | cosine_power (sharpDARTS CPA)
  double lr_power = 2.0;               // CPA exponent order p (>= 1)
  int lr_warmup_epochs = 0;            // CPA warm-up W (< epochs)
  std::string weighting = "softmax";   // softmax (DARTS) | max_w (sharpDARTS)
  bool max_w_detach = false;           // Max-W: gradient through max_j w_j (official) or not
};

// The keys read_sharp_darts_pieces() reads.
const std::vector<std::string>& sharp_darts_piece_keys();
// Parses the keys above (no check_keys); `common` supplies epochs for the warm-up range.
SharpDartsPieces read_sharp_darts_pieces(const ConfigNode& node, SharpDartsPieces pieces,
                                         const WeightSharingOptions& common);
// The w learning rate per 0-based epoch: CosineSchedule(lr, epochs, lr_min) or CPA.
std::unique_ptr<LrSchedule> weight_lr_schedule(const WeightSharingOptions& common,
                                               const SharpDartsPieces& pieces);
// Installs the Max-W edge-weight function on `supernet` when weighting == max_w (no-op otherwise).
void apply_weighting(Supernet& supernet, const SharpDartsPieces& pieces);

void register_sharp_darts(StrategyRegistry& registry);

}  // namespace tandem
