// NSGA-II on categorical decisions (see nsga2.hpp for the procedure and sources).
#include "search/multi_objective/nsga2.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

constexpr int kDuplicateTries = 100;  // NSGA-Net / pymoo duplicate elimination retries

double read_rate(const ConfigNode& options, const std::string& key, double fallback) {
  if (!options.has(key)) return fallback;
  const double value = options.get_double(key);
  if (!(value >= 0.0 && value <= 1.0))
    options.at(key).fail(key + " " + format_number(value) +
                         " is not a probability; accepted: 0 <= " + key + " <= 1");
  return value;
}

std::string decisions_text(const Candidate& candidate) {
  std::string text;
  for (std::size_t i = 0; i < candidate.decisions.size(); ++i)
    text += (i ? "," : "") + std::to_string(candidate.decisions[i]);
  return text;
}

}  // namespace

Nsga2Options Nsga2Options::parse(const ConfigNode& options,
                                 const std::vector<std::string>& extra_keys) {
  std::vector<std::string> keys = {"population_size", "offspring_size", "crossover_rate",
                                   "mutation_rate", "generations"};
  keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
  options.check_keys(keys);
  Nsga2Options out;
  out.population_size =
      static_cast<int>(options.get_int_in("population_size", out.population_size, 2, 1000000));
  out.offspring_size =
      static_cast<int>(options.get_int_in("offspring_size", out.population_size, 1, 1000000));
  out.crossover_rate = read_rate(options, "crossover_rate", out.crossover_rate);
  out.mutation_rate = read_rate(options, "mutation_rate", -1.0);
  out.generations = options.get_int_in("generations", 0, 0, std::numeric_limits<int>::max());
  return out;
}

Nsga2::Nsga2(const SearchSpace& space, Nsga2Options options, std::vector<Objective> objectives,
             std::uint64_t seed, InitialPopulation initial)
    : space_(space),
      options_(options),
      objectives_(std::move(objectives)),
      rng_(seed),
      initial_(std::move(initial)) {
  if (options_.offspring_size <= 0) options_.offspring_size = options_.population_size;
  if (options_.mutation_rate < 0)
    options_.mutation_rate = 1.0 / static_cast<double>(std::max<std::size_t>(1, space_.decisions().size()));
  start_generation();
}

bool Nsga2::finished() const {
  return options_.generations > 0 && generation_ > options_.generations;
}

Candidate Nsga2::fresh(const std::function<Candidate()>& make) {
  Candidate candidate = make();
  for (int attempt = 1; attempt < kDuplicateTries &&
                        std::binary_search(seen_.begin(), seen_.end(), candidate);
       ++attempt)
    candidate = make();
  seen_.insert(std::upper_bound(seen_.begin(), seen_.end(), candidate), candidate);
  return candidate;
}

const Nsga2::Member& Nsga2::tournament() {
  const Member& a = population_[rng_.uniform_index(population_.size())];
  const Member& b = population_[rng_.uniform_index(population_.size())];
  if (constrained_dominates(a.point, b.point)) return a;
  if (constrained_dominates(b.point, a.point)) return b;
  if (a.crowding > b.crowding) return a;
  if (b.crowding > a.crowding) return b;
  return rng_.bernoulli(0.5) ? a : b;
}

std::pair<Candidate, Candidate> Nsga2::crossover(const Candidate& a, const Candidate& b) {
  Candidate x = a, y = b;
  const std::size_t n = a.decisions.size();
  if (n >= 2 && rng_.bernoulli(options_.crossover_rate)) {
    // Two distinct cut points in 1..n-1 (pymoo PointCrossover); the segment between is swapped.
    std::size_t first = 1 + rng_.uniform_index(n - 1), second = first;
    if (n > 2)
      while (second == first) second = 1 + rng_.uniform_index(n - 1);
    else
      second = n;
    if (second < first) std::swap(first, second);
    for (std::size_t i = first; i < second; ++i) std::swap(x.decisions[i], y.decisions[i]);
  }
  return {x, y};
}

Candidate Nsga2::mutate(Candidate child) {
  const auto& decisions = space_.decisions();
  for (int attempt = 0; attempt < 10; ++attempt) {
    Candidate mutated = child;
    for (std::size_t d = 0; d < decisions.size(); ++d) {
      const auto choices = static_cast<std::uint64_t>(decisions[d].choices.size());
      if (choices < 2 || !rng_.bernoulli(options_.mutation_rate)) continue;
      auto value = static_cast<int>(rng_.uniform_index(choices - 1));
      if (value >= mutated.decisions[d]) ++value;  // a different value, uniformly
      mutated.decisions[d] = value;
    }
    if (space_.is_valid(mutated)) return mutated;
  }
  return space_.sample(rng_);
}

void Nsga2::start_generation() {
  if (population_.empty()) {  // initial population (again, if every member failed)
    if (initial_) {
      const auto size = static_cast<std::size_t>(options_.population_size);
      for (Candidate& candidate : initial_(rng_)) {
        if (to_ask_.size() >= size) break;
        auto at = std::lower_bound(seen_.begin(), seen_.end(), candidate);
        if (at != seen_.end() && *at == candidate) continue;
        seen_.insert(at, candidate);
        to_ask_.push_back(std::move(candidate));
      }
      initial_ = nullptr;
    }
    for (int i = static_cast<int>(to_ask_.size()); i < options_.population_size; ++i)
      to_ask_.push_back(fresh([&] { return space_.sample(rng_); }));
    return;
  }
  std::vector<Candidate> children;
  int tries = 0;
  while (static_cast<int>(children.size()) < options_.offspring_size) {
    const Member& first = tournament();
    const Member& second = tournament();
    auto [x, y] = crossover(first.candidate, second.candidate);
    for (Candidate* child : {&x, &y}) {
      if (static_cast<int>(children.size()) >= options_.offspring_size) break;
      Candidate mutated = mutate(*child);
      const bool duplicate = std::binary_search(seen_.begin(), seen_.end(), mutated);
      if (duplicate && ++tries < kDuplicateTries * options_.offspring_size) continue;
      if (duplicate) mutated = fresh([&] { return space_.sample(rng_); });
      else seen_.insert(std::upper_bound(seen_.begin(), seen_.end(), mutated), mutated);
      children.push_back(std::move(mutated));
    }
  }
  to_ask_ = std::move(children);
}

void Nsga2::survive() {
  std::vector<Member> merged = std::move(population_);
  merged.insert(merged.end(), offspring_.begin(), offspring_.end());
  offspring_.clear();
  std::vector<ConstrainedPoint> points;
  std::vector<ObjectiveVector> objectives;
  for (const auto& member : merged) {
    points.push_back(member.point);
    objectives.push_back(member.point.objectives);
  }
  population_.clear();
  const auto fronts = non_dominated_fronts(points);
  for (std::size_t rank = 0; rank < fronts.size(); ++rank) {
    const auto& front = fronts[rank];
    std::vector<double> crowding = crowding_distances(objectives, front);
    std::vector<std::size_t> order(front.size());
    for (std::size_t k = 0; k < front.size(); ++k) {
      merged[front[k]].rank = static_cast<int>(rank);
      order[k] = k;
    }
    const std::size_t room = static_cast<std::size_t>(options_.population_size) - population_.size();
    if (front.size() > room) {  // truncate by descending crowding distance, random tie-break
      rng_.shuffle(order);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return crowding[a] > crowding[b]; });
      order.resize(room);
    }
    for (std::size_t k : order) {
      Member member = merged[front[k]];
      member.crowding = crowding[k];
      population_.push_back(std::move(member));
    }
    if (population_.size() >= static_cast<std::size_t>(options_.population_size)) break;
  }
}

std::vector<Candidate> Nsga2::ask(std::size_t n) {
  std::vector<Candidate> out;
  while (out.size() < n && !to_ask_.empty() && !finished()) {
    out.push_back(to_ask_.front());
    pending_.push_back(to_ask_.front());
    to_ask_.erase(to_ask_.begin());
  }
  return out;
}

void Nsga2::tell(const Candidate& candidate, const TrialResult& result) {
  auto pending = std::find(pending_.begin(), pending_.end(), candidate);
  if (pending != pending_.end()) pending_.erase(pending);
  if (result.status == TrialStatus::complete || result.status == TrialStatus::infeasible) {
    Member member{candidate, {}, 0, 0.0};
    member.point.violation = constraint_violation(result);
    if (auto values = minimised_objectives(result, objectives_)) {
      member.point.objectives = *values;
    } else {
      // A result without its objectives can only rank last: infeasible with unknown violation.
      member.point.objectives.assign(objectives_.size(), std::numeric_limits<double>::max());
      member.point.violation = std::numeric_limits<double>::infinity();
    }
    offspring_.push_back(std::move(member));
  }
  if (to_ask_.empty() && pending_.empty()) {
    survive();
    ++generation_;
    if (!finished()) start_generation();
  }
}

std::string Nsga2::state() const {
  std::string text = "nsga2 generation=" + std::to_string(generation_) + " rng=" + rng_.state() +
                     " seen=" + std::to_string(seen_.size()) +
                     " to_ask=" + std::to_string(to_ask_.size()) +
                     " pending=" + std::to_string(pending_.size()) + " population=";
  auto member_text = [](const Member& m) {
    std::string out = "[" + decisions_text(m.candidate) + ":";
    for (double v : m.point.objectives) out += format_number(v) + ";";
    return out + "v" + format_number(m.point.violation) + ",r" + std::to_string(m.rank) + ",c" +
           format_number(m.crowding) + "]";
  };
  for (const auto& member : population_) text += member_text(member);
  text += " offspring=";
  for (const auto& member : offspring_) text += member_text(member);
  return text;
}

void register_nsga2(StrategyRegistry& registry) {
  registry.add(
      "nsga2", "multi-objective",
      "NSGA-II (Deb et al. 2002) with constrained domination: population_size, offspring_size, "
      "crossover_rate, mutation_rate, generations",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        auto options = Nsga2Options::parse(context.options);
        const std::size_t count = context.objectives.size();
        TANDEM_CHECK(count >= 2 && count <= 4,
                     "nsga2 needs 2 to 4 objectives, each with a direction (objectives: [{metric: "
                     "accuracy, direction: maximize}, {metric: latency_ms, direction: minimize}]); "
                     "got " + std::to_string(count));
        return std::make_unique<Nsga2>(context.space, options, context.objectives, context.seed);
      });
}

}  // namespace tandem
