// NASAIC-style co-exploration — Yang, Yan, Li, Kwon, Lai, Krishna, Chandra, Jiang, Shi,
// "Co-Exploration of Neural Architectures and Heterogeneous ASIC Accelerator Designs Targeting
// Multiple Tasks", DAC 2020 (arXiv 2002.04116; algorithms.md §13, mostly [UNVERIFIED]):
// one controller emits, in ONE episode, every decision of a joint space — the network decisions
// (one network per task when the space has several) followed by the accelerator decisions — and
// learns by REINFORCE from
//   penalty = sum over specs m of max(0, value_m / spec_m - 1)          (0 within the spec)
//   R = beta * sum_t w_t * accuracy_t * accuracy_scale     when every spec is met,
//   R = -(1 - beta) * penalty                              otherwise (NASAIC skips training a
//                                                          network whose hardware breaks a spec)
// An INFEASIBLE trial whose constraint (from the experiment's `constraints`) is not among the
// specs is penalised by its parsed violation the same way. Specs come from the strategy options
// (`specs: {latency_ms: 5, energy_mj: 2, area_mm2: 4}`); `accuracy` lists the accuracy metrics
// (one per task; default the first objective), `accuracy_weights` their weights (default equal).
// [UNVERIFIED] beta (default 0.5) and the penalty's form; every constant is an option.
// The controller is the LSTM policy by default (policy_gradient.hpp options apply).
#pragma once

#include <map>

#include "search/rl/space_controller.hpp"
#include "search/strategy.hpp"

namespace tandem {

struct CodesignRewardOptions {
  std::vector<std::string> accuracy;      // metrics, one per task
  std::vector<double> accuracy_weights;   // same length, default equal weights summing to 1
  std::map<std::string, double> specs;    // metric -> upper bound (> 0)
  double beta = 0.5;
  double accuracy_scale = 1.0;
};

// The NASAIC reward of one result; nullopt when the result carries neither accuracies nor
// spec metrics (a failed trial).
std::optional<double> codesign_reward(const CodesignRewardOptions& options,
                                      const TrialResult& result);

class CodesignReinforce final : public Strategy {
 public:
  CodesignReinforce(const SearchSpace& space, const PolicyGradientOptions& options,
                    CodesignRewardOptions reward, std::uint64_t seed);
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  std::string state() const override;

 private:
  CodesignRewardOptions reward_;
  SpaceController controller_;
  long long violations_ = 0;
};

void register_codesign_rl(StrategyRegistry& registry);

}  // namespace tandem
