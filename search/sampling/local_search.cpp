// Local search with random restarts (see local_search.hpp for the procedure and sources).
#include "search/sampling/local_search.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

LocalSearchOptions LocalSearchOptions::parse(const ConfigNode& options) {
  options.check_keys({"num_init", "first_improvement"});
  LocalSearchOptions out;
  out.num_init = static_cast<int>(options.get_int_in("num_init", out.num_init, 1, 1000000));
  out.first_improvement = options.get_bool("first_improvement", out.first_improvement);
  return out;
}

LocalSearch::LocalSearch(const SearchSpace& space, LocalSearchOptions options, Objective objective,
                         std::uint64_t seed)
    : space_(space), options_(options), objective_(std::move(objective)), rng_(seed) {}

std::vector<Candidate> LocalSearch::ask(std::size_t n) {
  std::vector<Candidate> out;
  while (out.size() < n) {
    if (!current_) {
      if (init_asked_ >= options_.num_init) break;  // wait for the initial samples
      ++init_asked_;
      out.push_back(space_.sample(rng_));
    } else {
      if (queue_.empty()) break;  // wait for the neighbourhood's results
      pending_.push_back(queue_.back());
      out.push_back(queue_.back());
      queue_.pop_back();
    }
  }
  asked_ += static_cast<long long>(out.size());
  return out;
}

void LocalSearch::move_to(const Candidate& candidate, double fitness) {
  current_ = candidate;
  current_fitness_ = fitness;
  queue_ = space_.neighbours(candidate);
  rng_.shuffle(queue_);
  best_neighbour_.reset();
}

void LocalSearch::restart() {
  current_.reset();
  queue_.clear();
  best_neighbour_.reset();
  best_init_.reset();
  init_asked_ = init_told_ = 0;
  ++restarts_;
}

void LocalSearch::tell(const Candidate& candidate, const TrialResult& result) {
  const std::optional<double> fitness = oriented_value(result, objective_);
  auto pending = std::find(pending_.begin(), pending_.end(), candidate);
  const bool neighbour = pending != pending_.end();
  if (neighbour) pending_.erase(pending);

  if (!current_) {  // initial phase (a late neighbour result is just another evaluated point)
    if (!neighbour) ++init_told_;
    if (fitness && (!best_init_ || *fitness > best_init_fitness_)) {
      best_init_ = candidate;
      best_init_fitness_ = *fitness;
    }
    if (init_told_ >= options_.num_init) {
      if (best_init_) {
        Candidate start = *best_init_;
        move_to(start, best_init_fitness_);
      } else {
        restart();  // every initial sample failed: sample again
      }
    }
    return;
  }

  if (fitness && *fitness > current_fitness_ && options_.first_improvement) {
    move_to(candidate, *fitness);
    return;
  }
  if (fitness && (!best_neighbour_ || *fitness > best_neighbour_fitness_)) {
    best_neighbour_ = candidate;
    best_neighbour_fitness_ = *fitness;
  }
  if (queue_.empty() && pending_.empty()) {
    if (best_neighbour_ && best_neighbour_fitness_ > current_fitness_) {
      Candidate next = *best_neighbour_;
      move_to(next, best_neighbour_fitness_);
    } else {
      restart();  // local optimum
    }
  }
}

namespace {
std::string decisions_text(const Candidate& candidate) {
  std::string text;
  for (std::size_t i = 0; i < candidate.decisions.size(); ++i)
    text += (i ? "," : "") + std::to_string(candidate.decisions[i]);
  return text;
}
}  // namespace

std::string LocalSearch::state() const {
  std::string text = "local_search asked=" + std::to_string(asked_) +
                     " restarts=" + std::to_string(restarts_) + " rng=" + rng_.state() +
                     " init=" + std::to_string(init_asked_) + "/" + std::to_string(init_told_);
  if (best_init_) text += " best_init=" + decisions_text(*best_init_) + ":" + format_number(best_init_fitness_);
  if (current_) text += " current=" + decisions_text(*current_) + ":" + format_number(current_fitness_);
  if (best_neighbour_)
    text += " best_neighbour=" + decisions_text(*best_neighbour_) + ":" +
            format_number(best_neighbour_fitness_);
  text += " queue=" + std::to_string(queue_.size()) + " pending=";
  for (const auto& c : pending_) text += "[" + decisions_text(c) + "]";
  return text;
}

void register_local_search(StrategyRegistry& registry) {
  registry.add("local_search", "black-box",
               "local search with random restarts (White et al. 2021, NASLib): num_init, "
               "first_improvement",
               [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
                 auto options = LocalSearchOptions::parse(context.options);
                 TANDEM_CHECK(!context.objectives.empty(),
                              "local_search needs an objective (objectives: [{metric: ..., "
                              "direction: maximize|minimize}])");
                 return std::make_unique<LocalSearch>(context.space, options,
                                                      context.objectives.front(), context.seed);
               });
}

}  // namespace tandem
