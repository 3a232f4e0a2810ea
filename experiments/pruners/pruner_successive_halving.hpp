// Asynchronous successive halving as Optuna's SuccessiveHalvingPruner decides it
// (optuna/pruners/_successive_halving.py; Li et al. 2020, "A System for Massively Parallel
// Hyperparameter Tuning"), rebuilt from stored values instead of per-trial rung attributes:
//   rung r ends at step min_resource * reduction_factor^(min_early_stopping_rate + r);
//   a trial's value at rung r is its value at the first reported step >= that step;
//   a trial reaching the end of rung r competes with every peer that has a value at rung r; it is
//   promoted when it is among the best max(1, floor(n / reduction_factor)) of the n competitors
//   (itself included), else pruned; with n <= bootstrap_count it is pruned; a NaN value is pruned.
// Hyperband (pruner_hyperband.cpp) runs one such schedule per bracket.
#pragma once

#include <string>
#include <vector>

#include "experiments/pruners/pruner.hpp"

namespace tandem {

struct RungSchedule {
  int min_resource = 1;
  int reduction_factor = 4;
  int min_early_stopping_rate = 0;
  int bootstrap_count = 0;
  // The step at which rung `rung` ends; nullopt when it exceeds the int range.
  std::optional<int> rung_step(int rung) const;
};

// `who` starts the reason ("successive halving pruner", "hyperband pruner (bracket 1)").
PruneDecision successive_halving_decide(const PrunerTrial& trial, int step,
                                        const std::vector<const PrunerTrial*>& peers,
                                        const RungSchedule& schedule, bool minimize,
                                        const std::string& who);

}  // namespace tandem
