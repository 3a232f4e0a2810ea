// BANANAS (see bananas.hpp for the procedure and the official code it follows).
#include "search/model_based/bananas.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

BananasOptions BananasOptions::parse(const ConfigNode& options) {
  std::vector<std::string> keys = PredictorGuidedOptions::keys();
  for (const char* key : {"acquisition", "ucb_beta", "num_candidates", "num_arches_to_mutate",
                          "max_mutation_rate", "patience_factor"})
    keys.push_back(key);
  options.check_keys(keys);
  BananasOptions out;
  out.common = PredictorGuidedOptions::parse(options);
  out.acquisition = options.get_choice("acquisition", "its", {"its", "ucb"}) == "its"
                        ? Acquisition::independent_thompson
                        : Acquisition::upper_confidence_bound;
  if (options.has("ucb_beta")) {
    if (out.acquisition != Acquisition::upper_confidence_bound)
      options.at("ucb_beta").fail("ucb_beta applies to `acquisition: ucb` only");
    out.ucb_beta = options.get_double("ucb_beta");
    if (!(out.ucb_beta >= 0.0) || !std::isfinite(out.ucb_beta))
      options.at("ucb_beta")
          .fail("ucb_beta " + format_number(out.ucb_beta) + " must be a number >= 0");
  }
  out.num_candidates =
      static_cast<int>(options.get_int_in("num_candidates", out.num_candidates, 1, 1000000));
  out.num_arches_to_mutate = static_cast<int>(
      options.get_int_in("num_arches_to_mutate", out.num_arches_to_mutate, 1, 1000000));
  out.max_mutation_rate =
      static_cast<int>(options.get_int_in("max_mutation_rate", out.max_mutation_rate, 1, 1000));
  out.patience_factor =
      static_cast<int>(options.get_int_in("patience_factor", out.patience_factor, 1, 1000));
  return out;
}

Candidate bananas_mutate(const SearchSpace& space, const Candidate& candidate, int rate, Rng& rng) {
  const auto& decisions = space.decisions();
  const double count = static_cast<double>(decisions.size());
  const double probability = std::min(1.0, rate / (count > 2 ? count - 2 : count));
  Candidate out = candidate;
  for (std::size_t d = 0; d < decisions.size(); ++d) {
    if (!rng.bernoulli(probability)) continue;
    const std::size_t choices = decisions[d].choices.size();
    if (choices < 2) continue;
    // A uniformly chosen different value: draw among the other choices-1 and skip the current.
    int value = static_cast<int>(rng.uniform_index(choices - 1));
    if (value >= candidate.decisions[d]) ++value;
    out.decisions[d] = value;
  }
  return out;
}

std::vector<std::size_t> acquisition_order(const Eigen::VectorXd& mean,
                                           const Eigen::VectorXd& stddev, Acquisition acquisition,
                                           double ucb_beta, Rng& rng) {
  TANDEM_ASSERT(mean.size() == stddev.size());
  std::vector<double> value(static_cast<std::size_t>(mean.size()));
  for (Eigen::Index i = 0; i < mean.size(); ++i) {
    value[static_cast<std::size_t>(i)] = acquisition == Acquisition::independent_thompson
                                             ? rng.normal(mean(i), stddev(i))
                                             : mean(i) + ucb_beta * stddev(i);
  }
  std::vector<std::size_t> order(value.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return value[a] > value[b]; });
  return order;
}

Bananas::Bananas(const SearchSpace& space, BananasOptions options, Objective objective,
                 std::uint64_t seed)
    : PredictorGuidedSearch("bananas", space, options.common, std::move(objective), seed),
      bananas_options_(std::move(options)) {}

std::vector<Candidate> Bananas::mutation_candidates() {
  const BananasOptions& o = bananas_options_;
  std::vector<const Record*> best = best_first();
  const std::size_t parents =
      std::min(best.size(), static_cast<std::size_t>(o.num_arches_to_mutate) *
                                static_cast<std::size_t>(o.patience_factor));
  const int per_parent = o.num_candidates / o.num_arches_to_mutate / o.max_mutation_rate;
  std::vector<Candidate> candidates;
  std::set<Candidate> taken;
  for (std::size_t p = 0; p < parents; ++p) {
    if (candidates.size() >= static_cast<std::size_t>(o.num_candidates)) break;
    for (int i = 0; i < per_parent; ++i) {
      for (int rate = 1; rate <= o.max_mutation_rate; ++rate) {
        Candidate mutant = bananas_mutate(space_, best[p]->candidate, rate, rng_);
        if (!space_.is_valid(mutant) || seen(mutant) || taken.count(mutant)) continue;
        taken.insert(mutant);
        candidates.push_back(std::move(mutant));
      }
    }
  }
  return candidates;
}

std::vector<Candidate> Bananas::propose(std::size_t count) {
  std::unique_ptr<Predictor> predictor = fit_predictor();
  if (!predictor) return {};  // nothing to learn from yet: random unseen candidates
  std::vector<Candidate> candidates = mutation_candidates();
  if (candidates.empty()) return {};
  const Eigen::MatrixXd features = encode(candidates);
  const Eigen::VectorXd mean = predictor->predict(features);
  const Eigen::VectorXd stddev = predictor->predict_stddev(features);
  std::vector<std::size_t> order = acquisition_order(mean, stddev, bananas_options_.acquisition,
                                                     bananas_options_.ucb_beta, rng_);
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < order.size() && out.size() < count; ++i)
    out.push_back(candidates[order[i]]);
  return out;
}

void register_bananas(StrategyRegistry& registry) {
  registry.add(
      "bananas", "model-based",
      "BANANAS (White et al. 2021): predictor ensemble on path encodings, ITS/UCB acquisition "
      "over mutants of the best: num_init, queries_per_round, encoding, predictor, "
      "predictor_options, acquisition, ucb_beta, num_candidates, num_arches_to_mutate, "
      "max_mutation_rate, patience_factor",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        auto options = BananasOptions::parse(context.options);
        TANDEM_CHECK(!context.objectives.empty(),
                     "bananas needs an objective (objectives: [{metric: ..., direction: "
                     "maximize|minimize}])");
        return std::make_unique<Bananas>(context.space, std::move(options),
                                         context.objectives.front(), context.seed);
      });
}

}  // namespace tandem
