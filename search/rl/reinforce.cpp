// REINFORCE with a categorical or LSTM policy (see reinforce.hpp).
#include "search/rl/reinforce.hpp"

#include "core/error.hpp"

namespace tandem {

std::vector<int> cardinalities_of(const SearchSpace& space) {
  std::vector<int> out;
  for (const auto& decision : space.decisions())
    out.push_back(static_cast<int>(decision.choices.size()));
  return out;
}

Candidate sample_valid(const SearchSpace& space, const PolicyGradientLearner& learner, Rng& rng) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    Candidate candidate{learner.sample(rng)};
    if (space.is_valid(candidate)) return candidate;
  }
  return space.sample(rng);
}

Reinforce::Reinforce(const SearchSpace& space, const PolicyGradientOptions& options,
                     Objective objective, std::uint64_t seed)
    : space_(space),
      options_(options),
      objective_(std::move(objective)),
      rng_(seed),
      init_rng_(rng_.derive(1)),
      learner_(cardinalities_of(space), options, init_rng_) {}

std::vector<Candidate> Reinforce::ask(std::size_t n) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(sample_valid(space_, learner_, rng_));
  asked_ += static_cast<long long>(n);
  return out;
}

void Reinforce::tell(const Candidate& candidate, const TrialResult& result) {
  ++told_;
  std::optional<double> reward = oriented_value(result, objective_);
  if (!reward) reward = options_.failure_reward;
  if (reward) learner_.learn(candidate.decisions, *reward);
}

std::string Reinforce::state() const {
  return "reinforce asked=" + std::to_string(asked_) + " told=" + std::to_string(told_) +
         " rng=" + rng_.state() + " " + learner_.state();
}

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
