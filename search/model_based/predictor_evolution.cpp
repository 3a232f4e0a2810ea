// Predictor-based evolutionary search (see predictor_evolution.hpp for the procedure, the source
// and which details are unverified options).
#include "search/model_based/predictor_evolution.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

PredictorEvolutionOptions PredictorEvolutionOptions::parse(const ConfigNode& options) {
  std::vector<std::string> keys = PredictorGuidedOptions::keys();
  for (const char* key :
       {"population_size", "generations", "tournament_size", "crossover_rate", "explore"})
    keys.push_back(key);
  options.check_keys(keys);
  PredictorEvolutionOptions out;
  out.common = PredictorGuidedOptions::parse(options);
  out.population_size =
      static_cast<int>(options.get_int_in("population_size", out.population_size, 2, 1000000));
  out.generations =
      static_cast<int>(options.get_int_in("generations", out.generations, 0, 1000000));
  out.tournament_size = static_cast<int>(
      options.get_int_in("tournament_size", out.tournament_size, 1, out.population_size));
  out.crossover_rate = options.get_double("crossover_rate", out.crossover_rate);
  if (!(out.crossover_rate >= 0.0 && out.crossover_rate <= 1.0))
    options.at("crossover_rate")
        .fail("crossover_rate " + format_number(out.crossover_rate) +
              " is not a probability; accepted: 0 <= crossover_rate <= 1");
  out.explore = options.get_double("explore", out.explore);
  if (!(out.explore >= 0.0) || !std::isfinite(out.explore))
    options.at("explore").fail("explore " + format_number(out.explore) + " must be a number >= 0");
  return out;
}

PredictorEvolution::PredictorEvolution(const SearchSpace& space, PredictorEvolutionOptions options,
                                       Objective objective, std::uint64_t seed)
    : PredictorGuidedSearch("predictor_evolution", space, options.common, std::move(objective),
                            seed),
      evolution_options_(std::move(options)) {}

std::vector<Candidate> PredictorEvolution::propose(std::size_t count) {
  std::unique_ptr<Predictor> predictor = fit_predictor();
  if (!predictor) return {};
  const PredictorEvolutionOptions& o = evolution_options_;
  const std::size_t size = static_cast<std::size_t>(o.population_size);

  struct Individual {
    Candidate candidate;
    double score;
  };
  std::map<Candidate, double> archive;  // every individual scored this round
  auto score = [&](const std::vector<Candidate>& candidates) {
    std::vector<Individual> out;
    if (candidates.empty()) return out;
    const Eigen::MatrixXd features = encode(candidates);
    Eigen::VectorXd value = predictor->predict(features);
    if (o.explore > 0) value += o.explore * predictor->predict_stddev(features);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      out.push_back(Individual{candidates[i], value(static_cast<Eigen::Index>(i))});
      archive.emplace(candidates[i], out.back().score);
    }
    return out;
  };
  auto best_distinct = [&](std::vector<Individual> pool) {
    std::stable_sort(pool.begin(), pool.end(),
                     [](const Individual& a, const Individual& b) { return a.score > b.score; });
    std::vector<Individual> kept;
    std::set<Candidate> taken;
    for (Individual& individual : pool) {
      if (kept.size() >= size) break;
      if (taken.insert(individual.candidate).second) kept.push_back(std::move(individual));
    }
    return kept;
  };

  // Initial population: the best evaluated candidates (up to half), then random ones.
  std::vector<Candidate> initial;
  for (const Record* record : best_first()) {
    if (initial.size() >= size / 2) break;
    initial.push_back(record->candidate);
  }
  while (initial.size() < size) initial.push_back(space_.sample(rng_));
  std::vector<Individual> population = best_distinct(score(initial));

  auto tournament = [&]() -> const Individual& {
    const Individual* winner = nullptr;
    for (int i = 0; i < o.tournament_size; ++i) {
      const Individual& contender = population[rng_.uniform_index(population.size())];
      if (!winner || contender.score > winner->score) winner = &contender;
    }
    return *winner;
  };
  for (int generation = 0; generation < o.generations; ++generation) {
    std::vector<Candidate> children;
    for (std::size_t i = 0; i < size; ++i) {
      Candidate child = tournament().candidate;
      if (rng_.bernoulli(o.crossover_rate)) {
        const Candidate& other = tournament().candidate;
        Candidate crossed = child;
        for (std::size_t d = 0; d < crossed.decisions.size(); ++d)
          if (rng_.bernoulli(0.5)) crossed.decisions[d] = other.decisions[d];
        if (space_.is_valid(crossed)) child = std::move(crossed);
      }
      children.push_back(space_.mutate(child, rng_));
    }
    std::vector<Individual> pool = std::move(population);
    for (Individual& child : score(children)) pool.push_back(std::move(child));
    population = best_distinct(std::move(pool));
  }
  last_round_scored_ = archive.size();

  std::vector<Individual> ranked;
  for (const auto& [candidate, value] : archive)
    if (!seen(candidate)) ranked.push_back(Individual{candidate, value});
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Individual& a, const Individual& b) { return a.score > b.score; });
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < ranked.size() && out.size() < count; ++i)
    out.push_back(ranked[i].candidate);
  return out;
}

void register_predictor_evolution(StrategyRegistry& registry) {
  registry.add(
      "predictor_evolution", "model-based",
      "FBNetV3-style evolutionary search on a fitted predictor, then real evaluation of the top "
      "predicted: num_init, queries_per_round, encoding, predictor, predictor_options, "
      "population_size, generations, tournament_size, crossover_rate, explore",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        auto options = PredictorEvolutionOptions::parse(context.options);
        TANDEM_CHECK(!context.objectives.empty(),
                     "predictor_evolution needs an objective (objectives: [{metric: ..., "
                     "direction: maximize|minimize}])");
        return std::make_unique<PredictorEvolution>(context.space, std::move(options),
                                                    context.objectives.front(), context.seed);
      });
}

}  // namespace tandem
