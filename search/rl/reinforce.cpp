// REINFORCE with a categorical or LSTM policy (see reinforce.hpp).
#include "search/rl/reinforce.hpp"

#include "core/error.hpp"

namespace tandem {

Reinforce::Reinforce(const SearchSpace& space, const PolicyGradientOptions& options,
                     Objective objective, std::uint64_t seed)
    : objective_(std::move(objective)), controller_(space, options, seed) {}

std::vector<Candidate> Reinforce::ask(std::size_t n) { return controller_.ask(n); }

void Reinforce::tell(const Candidate& candidate, const TrialResult& result) {
  controller_.tell(candidate, oriented_value(result, objective_));
}

std::string Reinforce::state() const { return controller_.state("reinforce"); }

void register_reinforce(StrategyRegistry& registry) {
  registry.add(
      "reinforce", "rl",
      "REINFORCE with a moving-average baseline: policy (categorical|lstm), learning_rate, "
      "batch_size, baseline, baseline_decay, entropy_weight, hidden_size, temperature, "
      "tanh_constant, ... (docs/strategies.md)",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        context.options.check_keys(PolicyGradientOptions::keys());
        auto options = PolicyGradientOptions::parse(context.options);
        TANDEM_CHECK(!context.objectives.empty(),
                     "reinforce needs an objective (objectives: [{metric: ..., direction: "
                     "maximize|minimize}])");
        return std::make_unique<Reinforce>(context.space, options, context.objectives.front(),
                                           context.seed);
      });
}

}  // namespace tandem
