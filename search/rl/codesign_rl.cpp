// NASAIC-style co-exploration controller and reward (see codesign_rl.hpp).
#include "search/rl/codesign_rl.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/pareto.hpp"

namespace tandem {

std::optional<double> codesign_reward(const CodesignRewardOptions& options,
                                      const TrialResult& result) {
  double penalty = 0.0;
  for (const auto& [metric, bound] : options.specs) {
    auto value = result.metrics.find(metric);
    if (!value || std::isnan(*value)) continue;
    penalty += std::max(0.0, *value / bound - 1.0);
  }
  if (result.status == TrialStatus::infeasible && penalty == 0.0) {
    const double violation = constraint_violation(result);
    penalty = std::isfinite(violation) ? violation : 1.0;
  }
  if (penalty > 0.0) return -(1.0 - options.beta) * penalty;
  if (result.status != TrialStatus::complete) return std::nullopt;
  double accuracy = 0.0;
  for (std::size_t t = 0; t < options.accuracy.size(); ++t) {
    auto value = result.metrics.find(options.accuracy[t]);
    if (!value || std::isnan(*value)) return std::nullopt;
    accuracy += options.accuracy_weights[t] * *value;
  }
  return options.beta * accuracy * options.accuracy_scale;
}

CodesignReinforce::CodesignReinforce(const SearchSpace& space, const PolicyGradientOptions& options,
                                     CodesignRewardOptions reward, std::uint64_t seed)
    : reward_(std::move(reward)), controller_(space, options, seed) {}

std::vector<Candidate> CodesignReinforce::ask(std::size_t n) { return controller_.ask(n); }

void CodesignReinforce::tell(const Candidate& candidate, const TrialResult& result) {
  const std::optional<double> reward = codesign_reward(reward_, result);
  if (reward && *reward < 0) ++violations_;
  controller_.tell(candidate, reward);
}

std::string CodesignReinforce::state() const {
  return controller_.state("codesign_rl", " violations=" + std::to_string(violations_));
}

void register_codesign_rl(StrategyRegistry& registry) {
  registry.add(
      "codesign_rl", "rl",
      "NASAIC-style co-exploration: one controller for network and accelerator decisions, "
      "reward = accuracy with spec penalties: specs, accuracy, accuracy_weights, beta, "
      "accuracy_scale, plus the reinforce options (policy lstm by default)",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        const ConfigNode& node = context.options;
        std::vector<std::string> keys = PolicyGradientOptions::keys();
        for (const char* key : {"specs", "accuracy", "accuracy_weights", "beta", "accuracy_scale"})
          keys.push_back(key);
        node.check_keys(keys);
        // NASAIC's controller is recurrent: the LSTM policy by default.
        auto options = PolicyGradientOptions::parse(node, "lstm");
        CodesignRewardOptions reward;
        if (node.has("accuracy")) {
          reward.accuracy = node.at("accuracy").is_sequence() ? node.at("accuracy").as_string_list()
                                                              : std::vector<std::string>{node.get_string("accuracy")};
        } else {
          TANDEM_CHECK(!context.objectives.empty(),
                       "codesign_rl needs `accuracy: METRIC` or an objective to reward");
          reward.accuracy = {context.objectives.front().metric};
        }
        if (node.has("accuracy_weights")) {
          ConfigNode weights = node.at("accuracy_weights");
          if (weights.size() != reward.accuracy.size())
            weights.fail("accuracy_weights needs one weight per accuracy metric (" +
                         std::to_string(reward.accuracy.size()) + ")");
          for (std::size_t i = 0; i < weights.size(); ++i) {
            const double w = weights.element(i).as_double();
            if (!(w >= 0)) weights.element(i).fail("weights must be >= 0");
            reward.accuracy_weights.push_back(w);
          }
        } else {
          reward.accuracy_weights.assign(reward.accuracy.size(), 1.0 / reward.accuracy.size());
        }
        if (node.has("specs")) {
          ConfigNode specs = node.at("specs");
          for (const auto& metric : specs.keys()) {
            const double bound = specs.at(metric).as_double();
            if (!(bound > 0) || !std::isfinite(bound))
              specs.at(metric).fail("spec " + metric + " " + format_number(bound) +
                                    " must be a number > 0");
            reward.specs[metric] = bound;
          }
        }
        if (node.has("beta")) {
          reward.beta = node.get_double("beta");
          if (!(reward.beta >= 0 && reward.beta <= 1))
            node.at("beta").fail("beta " + format_number(reward.beta) +
                                 " is out of range; accepted: 0 <= beta <= 1");
        }
        if (node.has("accuracy_scale")) {
          reward.accuracy_scale = node.get_double("accuracy_scale");
          if (!(reward.accuracy_scale > 0))
            node.at("accuracy_scale").fail("accuracy_scale must be > 0");
        }
        return std::make_unique<CodesignReinforce>(context.space, options, std::move(reward),
                                                   context.seed);
      });
}

}  // namespace tandem
