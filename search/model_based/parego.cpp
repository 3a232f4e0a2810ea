// ParEGO (see parego.hpp for the procedure, its sources and the deviations).
#include "search/model_based/parego.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "core/error.hpp"
#include "core/text.hpp"
#include "search/model_based/bananas.hpp"
#include "search/model_based/scalarization.hpp"

namespace tandem {
namespace {

constexpr double kMaxPenalty = 1.0;  // cap of the violation added to the worst feasible value
// The default surrogate: a small, fast ensemble (about 20 ms a fit on 167 points; see parego.hpp).
constexpr const char* kSmallEnsemble = "{members: 3, hidden_layers: 2, width: 20, epochs: 30}";

// FNV-1a (64 bits) over the exact bits of the modelled points, so a stored state stays short
// (predictor_guided's history already lists every told candidate).
class Digest {
 public:
  void add(std::uint64_t value) {
    for (int byte = 0; byte < 8; ++byte) {
      hash_ ^= (value >> (8 * byte)) & 0xffu;
      hash_ *= 0x100000001b3ull;
    }
  }
  void add(double value) { add(std::bit_cast<std::uint64_t>(value)); }
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash_));
    return text;
  }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ull;
};

double read_positive_or_zero(const ConfigNode& options, const std::string& key, double fallback) {
  if (!options.has(key)) return fallback;
  const double value = options.get_double(key);
  if (!(value >= 0.0) || !std::isfinite(value))
    options.at(key).fail(key + " " + format_number(value) + " must be a number >= 0");
  return value;
}

// Indices of `values` ordered ascending (ties: the lower index first).
std::vector<std::size_t> ascending(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  return order;
}

}  // namespace

ParegoOptions ParegoOptions::parse(const ConfigNode& options) {
  std::vector<std::string> keys = PredictorGuidedOptions::keys();
  for (const char* key : {"rho", "divisions", "max_train_points", "num_parents", "num_candidates",
                          "max_mutation_rate", "num_crossovers", "num_random"})
    keys.push_back(key);
  options.check_keys(keys);
  ParegoOptions out;
  PredictorGuidedOptions& common = out.common;
  // The shared keys with ParEGO's defaults (sequential; a small, fast ensemble as surrogate).
  common.num_init = static_cast<int>(options.get_int_in("num_init", 10, 1, 1000000));
  common.queries_per_round =
      static_cast<int>(options.get_int_in("queries_per_round", 1, 1, 1000000));
  common.encoding =
      options.get_choice("encoding", "auto", {"auto", "one_hot", "adjacency", "path"});
  common.predictor = options.get_string("predictor", "mlp_ensemble");
  common.predictor_options = options.optional("predictor_options");
  if (common.predictor == "mlp_ensemble" && !common.predictor_options.present())
    common.predictor_options = ConfigNode::parse(kSmallEnsemble, "parego's default ensemble");
  try {
    predictor_registry().require(common.predictor);
  } catch (const Error& error) {
    options.at("predictor").fail(error.what());
  }
  if (common.predictor_options.present() && !common.predictor_options.is_map() &&
      !common.predictor_options.is_null())
    common.predictor_options.fail("predictor_options must be a mapping of the predictor's options");
  PredictorContext context{common.predictor_options, 0};
  predictor_registry().create(common.predictor, context);  // validates the predictor's options now

  out.rho = read_positive_or_zero(options, "rho", out.rho);
  out.divisions = static_cast<int>(options.get_int_in("divisions", 0, 0, 1000));
  out.max_train_points = static_cast<int>(options.get_int_in("max_train_points", 0, 0, 1000000));
  if (out.max_train_points == 1)
    options.at("max_train_points")
        .fail("max_train_points 1 leaves nothing to learn from; accepted: 0 (11d + 24) or >= 2");
  out.num_parents =
      static_cast<int>(options.get_int_in("num_parents", out.num_parents, 1, 1000000));
  out.num_candidates =
      static_cast<int>(options.get_int_in("num_candidates", out.num_candidates, 0, 1000000));
  out.max_mutation_rate =
      static_cast<int>(options.get_int_in("max_mutation_rate", out.max_mutation_rate, 1, 1000));
  out.num_crossovers =
      static_cast<int>(options.get_int_in("num_crossovers", out.num_crossovers, 0, 1000000));
  out.num_random = static_cast<int>(options.get_int_in("num_random", out.num_random, 0, 1000000));
  if (out.num_candidates == 0 && out.num_crossovers == 0 && out.num_random == 0)
    options.at(options.has("num_random") ? "num_random" : "num_candidates")
        .fail("num_candidates, num_crossovers and num_random are all 0: the pool would be empty");
  return out;
}

Parego::Parego(const SearchSpace& space, ParegoOptions options, std::vector<Objective> objectives,
               std::uint64_t seed)
    : PredictorGuidedSearch("parego", space, options.common, objectives.front(), seed),
      parego_options_(std::move(options)),
      objectives_(std::move(objectives)) {
  const int divisions = parego_options_.divisions > 0 ? parego_options_.divisions
                                                      : parego_divisions(objectives_.size());
  TANDEM_ASSERT(divisions > 0);
  weights_ = simplex_lattice(objectives_.size(), divisions);
  max_train_points_ = parego_options_.max_train_points > 0
                          ? static_cast<std::size_t>(parego_options_.max_train_points)
                          : 11 * space.decisions().size() + 24;
}

void Parego::tell(const Candidate& candidate, const TrialResult& result) {
  const bool complete = result.status == TrialStatus::complete;
  if (complete || result.status == TrialStatus::infeasible) {
    std::optional<ObjectiveVector> values = minimised_objectives(result, objectives_);
    if (complete && values) {
      points_.push_back(Point{candidate, true, *values, 0.0});
    } else if (!complete) {
      points_.push_back(Point{candidate, false, values.value_or(ObjectiveVector{}),
                              constraint_violation(result)});
    }
  }
  PredictorGuidedSearch::tell(candidate, result);
}

std::vector<double> Parego::scalarised(const std::vector<double>& lambda) const {
  std::vector<ObjectiveVector> feasible;
  for (const Point& point : points_)
    if (point.feasible) feasible.push_back(point.objectives);
  const ObjectiveRanges ranges = ObjectiveRanges::of(feasible);
  std::vector<double> out(points_.size(), 0.0);
  double worst = feasible.empty() ? 0.0 : -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < points_.size(); ++i) {
    if (!points_[i].feasible) continue;
    out[i] =
        augmented_tchebycheff(ranges.normalise(points_[i].objectives), lambda, parego_options_.rho);
    worst = std::max(worst, out[i]);
  }
  for (std::size_t i = 0; i < points_.size(); ++i) {
    if (points_[i].feasible) continue;
    const double violation = points_[i].violation;  // +inf when the reason did not parse
    out[i] = worst + (std::isfinite(violation) ? std::min(violation, kMaxPenalty) : kMaxPenalty);
  }
  return out;
}

std::vector<std::size_t> Parego::training_subset(const std::vector<double>& targets) {
  std::vector<std::size_t> all(targets.size());
  std::iota(all.begin(), all.end(), 0);
  if (targets.size() <= max_train_points_) return all;
  // The reference code: the best half by the current scalarisation, the rest drawn without
  // replacement from the others.
  std::vector<std::size_t> order = ascending(targets);
  const std::size_t best = max_train_points_ / 2;
  std::vector<std::size_t> chosen(order.begin(), order.begin() + static_cast<long>(best));
  std::vector<std::size_t> others(order.begin() + static_cast<long>(best), order.end());
  for (std::size_t i = 0; i < max_train_points_ - best; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(rng_.uniform_index(others.size() - i));
    std::swap(others[i], others[j]);
    chosen.push_back(others[i]);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

std::vector<Candidate> Parego::candidate_pool(const std::vector<double>& targets,
                                              const std::set<Candidate>& excluded) {
  const ParegoOptions& o = parego_options_;
  std::vector<std::size_t> order = ascending(targets);
  const std::size_t parents = std::min(order.size(), static_cast<std::size_t>(o.num_parents));
  std::vector<Candidate> pool;
  std::set<Candidate> taken = excluded;
  auto add = [&](Candidate candidate) {
    if (!space_.is_valid(candidate) || seen(candidate) || taken.count(candidate)) return;
    taken.insert(candidate);
    pool.push_back(std::move(candidate));
  };
  // num_candidates mutants spread evenly over the parents (the first ones take the remainder),
  // cycling through rates 1..max_mutation_rate.
  for (std::size_t p = 0; p < parents; ++p) {
    const std::size_t share = static_cast<std::size_t>(o.num_candidates) / parents +
                              (p < static_cast<std::size_t>(o.num_candidates) % parents ? 1 : 0);
    const Candidate& parent = points_[order[p]].candidate;
    for (std::size_t i = 0; i < share; ++i) {
      const int rate = 1 + static_cast<int>(i % static_cast<std::size_t>(o.max_mutation_rate));
      add(bananas_mutate(space_, parent, rate, rng_));
    }
  }
  // Recombination: each of num_crossovers pairs (a parent drawn from the best, a partner from the
  // non-dominated feasible points) gives both children of the one-point crossover at every cut.
  std::vector<ObjectiveVector> feasible;
  std::vector<std::size_t> feasible_index;
  for (std::size_t i = 0; i < points_.size(); ++i)
    if (points_[i].feasible) {
      feasible.push_back(points_[i].objectives);
      feasible_index.push_back(i);
    }
  std::vector<std::size_t> partners;
  for (std::size_t f : pareto_front(feasible)) partners.push_back(feasible_index[f]);
  const std::size_t width = space_.decisions().size();
  for (int pair = 0; pair < o.num_crossovers && parents > 0 && !partners.empty(); ++pair) {
    const Candidate& first = points_[order[rng_.uniform_index(parents)]].candidate;
    const Candidate& second = points_[partners[rng_.uniform_index(partners.size())]].candidate;
    if (first == second) continue;
    for (std::size_t cut = 1; cut < width; ++cut) {
      Candidate head = first, tail = second;
      for (std::size_t d = cut; d < width; ++d) std::swap(head.decisions[d], tail.decisions[d]);
      add(std::move(head));
      add(std::move(tail));
    }
  }
  for (int i = 0; i < o.num_random; ++i) {
    std::optional<Candidate> candidate = random_unseen(taken);
    if (!candidate) break;
    add(*candidate);
  }
  return pool;
}

std::optional<Candidate> Parego::propose_one(const std::vector<double>& lambda,
                                             const std::set<Candidate>& taken) {
  const std::vector<double> targets = scalarised(lambda);
  const std::vector<std::size_t> subset = training_subset(targets);
  std::vector<Candidate> train;
  Eigen::VectorXd y(static_cast<Eigen::Index>(subset.size()));
  for (std::size_t i = 0; i < subset.size(); ++i) {
    train.push_back(points_[subset[i]].candidate);
    y(static_cast<Eigen::Index>(i)) = targets[subset[i]];
  }
  PredictorContext context{options_.predictor_options, rng_.next_u64()};
  std::unique_ptr<Predictor> predictor = predictor_registry().create(options_.predictor, context);
  if (train.size() < std::max<std::size_t>(2, predictor->min_training_points()))
    return std::nullopt;  // too little to learn from: the round is filled with random candidates
  predictor->fit(encode(train), y);

  // The incumbent: the best feasible f_lambda (every point when none is feasible yet).
  double best = std::numeric_limits<double>::infinity();
  bool any_feasible = false;
  for (const Point& point : points_) any_feasible = any_feasible || point.feasible;
  for (std::size_t i = 0; i < points_.size(); ++i)
    if (points_[i].feasible || !any_feasible) best = std::min(best, targets[i]);

  std::vector<Candidate> pool = candidate_pool(targets, taken);
  if (pool.empty()) return std::nullopt;
  const Eigen::MatrixXd features = encode(pool);
  const Eigen::VectorXd mean = predictor->predict(features);
  const Eigen::VectorXd stddev = predictor->predict_stddev(features);
  std::size_t chosen = 0;
  double chosen_ei = -1.0;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    const auto row = static_cast<Eigen::Index>(i);
    const double ei = expected_improvement(mean(row), stddev(row), best);
    // Largest EI; equal EI (zero, for predictors without a std): the lower predicted mean.
    if (ei > chosen_ei ||
        (ei == chosen_ei && mean(row) < mean(static_cast<Eigen::Index>(chosen)))) {
      chosen = i;
      chosen_ei = ei;
    }
  }
  return pool[chosen];
}

std::vector<Candidate> Parego::propose(std::size_t count) {
  std::vector<Candidate> out;
  std::set<Candidate> taken;
  last_weights_.clear();
  for (std::size_t q = 0; q < count; ++q) {
    const std::size_t index = static_cast<std::size_t>(rng_.uniform_index(weights_.size()));
    last_weights_.push_back(index);
    std::optional<Candidate> candidate = propose_one(weights_[index], taken);
    if (!candidate) break;  // the caller tops the round up with random unseen candidates
    taken.insert(*candidate);
    out.push_back(std::move(*candidate));
  }
  return out;
}

std::string Parego::extra_state() const {
  std::string text = "weights=[";
  for (std::size_t i = 0; i < last_weights_.size(); ++i)
    text += (i ? "," : "") + std::to_string(last_weights_[i]);
  Digest digest;
  std::size_t infeasible = 0;
  for (const Point& point : points_) {
    for (int value : point.candidate.decisions) digest.add(static_cast<std::uint64_t>(value));
    digest.add(static_cast<std::uint64_t>(point.feasible));
    digest.add(static_cast<std::uint64_t>(point.objectives.size()));
    for (double value : point.objectives) digest.add(value);
    digest.add(point.violation);
    infeasible += !point.feasible;
  }
  return text + "] points=" + std::to_string(points_.size()) +
         " infeasible=" + std::to_string(infeasible) + " points_digest=" + digest.hex();
}

void register_parego(StrategyRegistry& registry) {
  registry.add(
      "parego", "multi-objective",
      "ParEGO (Knowles 2006): a random augmented-Tchebycheff scalarisation per query, a predictor "
      "fitted to it, expected improvement over mutants of the best: num_init, queries_per_round, "
      "encoding, predictor, predictor_options, rho, divisions, max_train_points, num_parents, "
      "num_candidates, max_mutation_rate, num_crossovers, num_random",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        auto options = ParegoOptions::parse(context.options);
        const std::size_t count = context.objectives.size();
        TANDEM_CHECK(count >= 2 && count <= 4,
                     "parego needs 2 to 4 objectives, each with a direction (objectives: "
                     "[{metric: accuracy, direction: maximize}, {metric: latency_ms, direction: "
                     "minimize}]); got " +
                         std::to_string(count));
        return std::make_unique<Parego>(context.space, std::move(options), context.objectives,
                                        context.seed);
      });
}

}  // namespace tandem
