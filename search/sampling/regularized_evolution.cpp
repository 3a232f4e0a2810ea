// Regularized (aging) evolution (see regularized_evolution.hpp for the procedure and sources).
#include "search/sampling/regularized_evolution.hpp"

#include <algorithm>
#include <limits>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

RegularizedEvolutionOptions RegularizedEvolutionOptions::parse(const ConfigNode& options) {
  options.check_keys({"population_size", "sample_size", "cycles", "on_failure"});
  RegularizedEvolutionOptions out;
  out.population_size = static_cast<int>(
      options.get_int_in("population_size", out.population_size, 1, 1000000));
  out.sample_size =
      static_cast<int>(options.get_int_in("sample_size", out.sample_size, 1, 1000000));
  if (out.sample_size > out.population_size) {
    ConfigNode node = options.has("sample_size") ? options.at("sample_size") : options;
    node.fail("sample_size " + std::to_string(out.sample_size) +
              " exceeds population_size " + std::to_string(out.population_size) +
              "; accepted: 1 <= sample_size <= population_size");
  }
  out.cycles = options.get_int_in("cycles", 0, 0, std::numeric_limits<long long>::max());
  out.failures_as_worst = options.get_choice("on_failure", "ignore", {"ignore", "worst"}) == "worst";
  return out;
}

RegularizedEvolution::RegularizedEvolution(const SearchSpace& space,
                                           RegularizedEvolutionOptions options,
                                           Objective objective, std::uint64_t seed)
    : space_(space), options_(options), objective_(std::move(objective)), rng_(seed) {}

bool RegularizedEvolution::finished() const {
  return options_.cycles > 0 && children_asked_ >= options_.cycles;
}

Candidate RegularizedEvolution::next_child() {
  // Tournament: S draws with replacement; the first fittest wins (Python's max()).
  const Member* parent = nullptr;
  for (int i = 0; i < options_.sample_size; ++i) {
    const Member& contender = population_[rng_.uniform_index(population_.size())];
    if (parent == nullptr || contender.fitness > parent->fitness) parent = &contender;
  }
  ++children_asked_;
  return space_.mutate(parent->candidate, rng_);
}

std::vector<Candidate> RegularizedEvolution::ask(std::size_t n) {
  std::vector<Candidate> out;
  while (out.size() < n && !finished()) {
    const std::size_t filled = population_.size() + pending_random_.size();
    if (filled < static_cast<std::size_t>(options_.population_size)) {
      Candidate candidate = space_.sample(rng_);
      pending_random_.push_back(candidate);
      out.push_back(std::move(candidate));
    } else if (population_.empty()) {
      break;  // the whole initial population is still being evaluated: wait for results
    } else {
      out.push_back(next_child());
    }
  }
  return out;
}

void RegularizedEvolution::tell(const Candidate& candidate, const TrialResult& result) {
  auto pending = std::find(pending_random_.begin(), pending_random_.end(), candidate);
  if (pending != pending_random_.end()) pending_random_.erase(pending);

  std::optional<double> fitness = oriented_value(result, objective_);
  if (!fitness && !options_.failures_as_worst) return;
  population_.push_back(
      Member{candidate, fitness.value_or(-std::numeric_limits<double>::infinity())});
  // Aging: the oldest member dies once the population is full.
  if (population_.size() > static_cast<std::size_t>(options_.population_size))
    population_.pop_front();
}

std::string RegularizedEvolution::state() const {
  std::string text = "regularized_evolution children=" + std::to_string(children_asked_) +
                     " rng=" + rng_.state() + " pending=" + std::to_string(pending_random_.size()) +
                     " population=";
  for (const auto& member : population_) {
    text += "[";
    for (std::size_t i = 0; i < member.candidate.decisions.size(); ++i)
      text += (i ? "," : "") + std::to_string(member.candidate.decisions[i]);
    text += ":" + format_number(member.fitness) + "]";
  }
  return text;
}

void register_regularized_evolution(StrategyRegistry& registry) {
  registry.add(
      "regularized_evolution", "black-box",
      "aging evolution (Real et al. 2019): population_size, sample_size, cycles, on_failure",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        auto options = RegularizedEvolutionOptions::parse(context.options);
        TANDEM_CHECK(!context.objectives.empty(),
                     "regularized_evolution needs an objective (objectives: [{metric: ..., "
                     "direction: maximize|minimize}])");
        return std::make_unique<RegularizedEvolution>(context.space, options,
                                                      context.objectives.front(), context.seed);
      });
}

}  // namespace tandem
