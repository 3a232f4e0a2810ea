// The ask/tell loop of one REINFORCE controller over a whole space (see space_controller.hpp).
#include "search/rl/space_controller.hpp"

namespace tandem {

std::vector<int> cardinalities_of(const SearchSpace& space) {
  std::vector<int> out;
  for (const auto& decision : space.decisions())
    out.push_back(static_cast<int>(decision.choices.size()));
  return out;
}

Candidate sample_valid(const SearchSpace& space, Rng& rng, const std::function<Candidate()>& draw) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    Candidate candidate = draw();
    if (space.is_valid(candidate)) return candidate;
  }
  return space.sample(rng);
}

SpaceController::SpaceController(const SearchSpace& space, const PolicyGradientOptions& options,
                                 std::uint64_t seed)
    : space_(space),
      options_(options),
      rng_(seed),
      init_rng_(rng_.derive(1)),
      learner_(cardinalities_of(space), options, init_rng_) {}

std::vector<Candidate> SpaceController::ask(std::size_t n) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(sample_valid(space_, rng_, [&] { return Candidate{learner_.sample(rng_)}; }));
  asked_ += static_cast<long long>(n);
  return out;
}

void SpaceController::tell(const Candidate& candidate, std::optional<double> reward) {
  ++told_;
  if (!reward) reward = options_.failure_reward;
  if (reward) learner_.learn(candidate.decisions, *reward);
}

std::string SpaceController::state(const std::string& strategy, const std::string& counters) const {
  return strategy + " asked=" + std::to_string(asked_) + " told=" + std::to_string(told_) +
         counters + " rng=" + rng_.state() + " " + learner_.state();
}

}  // namespace tandem
