// Pareto local search (see pareto_local_search.hpp for the procedure and sources).
#include "search/multi_objective/pareto_local_search.hpp"

#include <algorithm>
#include <cstdint>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

constexpr int kFreshTries = 100;  // draws for a candidate never evaluated before

std::string decisions_text(const Candidate& candidate) {
  std::string text;
  for (std::size_t i = 0; i < candidate.decisions.size(); ++i)
    text += (i ? "," : "") + std::to_string(candidate.decisions[i]);
  return text;
}


bool same_point(const ConstrainedPoint& a, const ConstrainedPoint& b) {
  return a.violation == b.violation && a.objectives == b.objectives;
}

}  // namespace

ParetoLocalSearchOptions ParetoLocalSearchOptions::parse(const ConfigNode& options) {
  return parse(options, ParetoLocalSearchOptions{});
}

ParetoLocalSearchOptions ParetoLocalSearchOptions::parse(const ConfigNode& options,
                                                         ParetoLocalSearchOptions defaults) {
  options.check_keys(
      {"num_init", "acceptance", "exploration", "neutral", "restart", "perturbation", "swaps", "selection"});
  ParetoLocalSearchOptions out = std::move(defaults);
  out.num_init = static_cast<int>(options.get_int_in("num_init", out.num_init, 1, 1000000));
  out.acceptance =
      options.get_choice("acceptance", out.acceptance, {"non_dominated", "dominating", "both"});
  out.exploration = options.get_choice("exploration", out.exploration, {"first", "best"});
  out.neutral = options.get_choice("neutral", out.neutral, {"replace", "keep", "reject"});
  out.restart = options.get_choice("restart", out.restart, {"perturb", "random"});
  out.perturbation =
      static_cast<int>(options.get_int_in("perturbation", out.perturbation, 1, 1000));
  out.swaps = options.get_choice("swaps", out.swaps, {"none", "mixed", "after", "vnd"});
  out.selection = options.get_choice("selection", out.selection, {"uniform", "crowding"});
  if (options.has("perturbation") && out.restart != "perturb")
    options.at("perturbation").fail("perturbation applies to `restart: perturb` only");
  return out;
}

ParetoLocalSearch::ParetoLocalSearch(const SearchSpace& space, ParetoLocalSearchOptions options,
                                     std::vector<Objective> objectives, std::uint64_t seed,
                                     ParetoLocalSearchScope scope)
    : space_(space),
      options_(std::move(options)),
      objectives_(std::move(objectives)),
      scope_(std::move(scope)),
      rng_(seed) {
  TANDEM_CHECK(scope_.frozen.empty() || (scope_.frozen.size() == space_.decisions().size() &&
                                          !scope_.settings.empty()),
               "pareto_local_search: a scope needs one frozen flag per decision (" +
                   std::to_string(scope_.frozen.size()) + " for " +
                   std::to_string(space_.decisions().size()) + ") and a setting");
}

void ParetoLocalSearch::extend_scope(const Candidate& setting, std::vector<Candidate> initial) {
  scope_.settings.push_back(setting);
  for (auto& candidate : initial) scope_.initial.push_back(std::move(candidate));
}

bool ParetoLocalSearch::frozen_differs(const Candidate& a, const Candidate& b) const {
  for (std::size_t d = 0; d < scope_.frozen.size(); ++d)
    if (scope_.frozen[d] && a.decisions[d] != b.decisions[d]) return true;
  return false;
}

Candidate ParetoLocalSearch::with_frozen(Candidate candidate, const Candidate& from) const {
  for (std::size_t d = 0; d < scope_.frozen.size(); ++d)
    if (scope_.frozen[d]) candidate.decisions[d] = from.decisions[d];
  return candidate;
}

bool ParetoLocalSearch::evaluated(const Candidate& candidate) const {
  return std::binary_search(evaluated_.begin(), evaluated_.end(), candidate);
}

void ParetoLocalSearch::remember(const Candidate& candidate) {
  auto at = std::lower_bound(evaluated_.begin(), evaluated_.end(), candidate);
  if (at == evaluated_.end() || *at != candidate) evaluated_.insert(at, candidate);
}

Candidate ParetoLocalSearch::fresh_sample() {
  auto draw = [&] {
    Candidate candidate = space_.sample(rng_);
    if (scope_.frozen.empty()) return candidate;
    return with_frozen(std::move(candidate),
                       scope_.settings[rng_.uniform_index(scope_.settings.size())]);
  };
  Candidate candidate = draw();
  for (int attempt = 1; attempt < kFreshTries && evaluated(candidate); ++attempt)
    candidate = draw();
  return candidate;
}

Candidate ParetoLocalSearch::restart_candidate() {
  ++restarts_;
  const auto& decisions = space_.decisions();
  const bool mutable_space = std::any_of(decisions.begin(), decisions.end(),
                                         [](const Decision& d) { return d.choices.size() > 1; });
  if (options_.restart == "perturb" && !archive_.empty() && mutable_space) {
    for (int attempt = 0; attempt < kFreshTries; ++attempt) {
      Candidate candidate = archive_[rng_.uniform_index(archive_.size())].candidate;
      for (int k = 0; k < options_.perturbation; ++k)
        candidate = with_frozen(space_.mutate(candidate, rng_), candidate);
      if (!evaluated(candidate)) return candidate;
    }
  }
  return fresh_sample();
}

bool ParetoLocalSearch::insert(const Candidate& candidate, const ConstrainedPoint& point) {
  const bool reject_neutral = options_.neutral == "reject";
  const bool replace_neutral = options_.neutral == "replace";
  for (const auto& member : archive_)
    if (member.candidate == candidate || constrained_dominates(member.point, point) ||
        (reject_neutral && same_point(member.point, point)))
      return false;
  std::erase_if(archive_, [&](const Member& m) {
    return constrained_dominates(point, m.point) || (replace_neutral && same_point(m.point, point));
  });
  Member member{candidate, point, false};
  auto at = std::lower_bound(archive_.begin(), archive_.end(), member,
                             [](const Member& a, const Member& b) { return a.candidate < b.candidate; });
  archive_.insert(at, std::move(member));
  return true;
}

void ParetoLocalSearch::mark_done(const Exploration& exploration) {
  for (auto& member : archive_)
    if (member.candidate == exploration.parent)
      (exploration.swap_level ? member.swapped : member.explored) = true;
}

void ParetoLocalSearch::open(const Candidate& parent, const ConstrainedPoint& point,
                             bool swap_level) {
  Exploration exploration;
  exploration.parent = parent;
  exploration.point = point;
  exploration.swap_level = swap_level;
  auto moves = [&](std::vector<Candidate> candidates) {
    if (!scope_.frozen.empty())  // moves of a frozen decision leave the scope
      std::erase_if(candidates, [&](const Candidate& c) { return frozen_differs(c, parent); });
    rng_.shuffle(candidates);
    return candidates;
  };
  exploration.queue = moves(swap_level ? space_.swap_neighbours(parent) : space_.neighbours(parent));
  if (options_.swaps == "mixed" || options_.swaps == "after") {
    // The queue is handed out from its back: `after` puts the swaps in front of the one-decision
    // changes, so they are asked once those are used up.
    std::vector<Candidate> swaps = moves(space_.swap_neighbours(parent));
    swaps.insert(swaps.end(), exploration.queue.begin(), exploration.queue.end());
    exploration.queue = std::move(swaps);
    if (options_.swaps == "mixed") rng_.shuffle(exploration.queue);
  }
  std::erase_if(exploration.queue, [&](const Candidate& c) { return evaluated(c); });
  explorations_.push_back(std::move(exploration));
  if (explorations_.back().queue.empty()) {  // nothing left to evaluate around it
    mark_done(explorations_.back());
    close_if_done(explorations_.size() - 1);
  }
}

bool ParetoLocalSearch::open_next() {
  std::vector<std::size_t> choices;
  for (std::size_t i = 0; i < archive_.size(); ++i) {
    if (archive_[i].explored) continue;
    const bool open_now = std::any_of(explorations_.begin(), explorations_.end(),
                                      [&](const Exploration& e) { return e.parent == archive_[i].candidate; });
    if (!open_now) choices.push_back(i);
  }
  bool swap_level = false;
  if (choices.empty() && options_.swaps == "vnd") {
    // Variable neighbourhood descent: every member is a local optimum for one-decision moves;
    // explore the swap neighbourhood of those whose swaps have not been handed out yet.
    swap_level = true;
    for (std::size_t i = 0; i < archive_.size(); ++i) {
      if (archive_[i].swapped) continue;
      const bool open_now = std::any_of(explorations_.begin(), explorations_.end(),
                                        [&](const Exploration& e) { return e.parent == archive_[i].candidate; });
      if (!open_now) choices.push_back(i);
    }
  }
  if (choices.empty()) return false;
  std::size_t pick = choices[rng_.uniform_index(choices.size())];
  if (options_.selection == "crowding" && archive_.size() > 2) {
    // The least crowded member (NSGA-II's crowding distance over the archive): the ends of the
    // front and its sparse stretches are explored first; ties at random.
    std::vector<ObjectiveVector> points;
    std::vector<std::size_t> all;
    for (std::size_t i = 0; i < archive_.size(); ++i) {
      points.push_back(archive_[i].point.objectives);
      all.push_back(i);
    }
    const auto crowding = crowding_distances(points, all);
    std::vector<std::size_t> best;
    double top = -1;
    for (std::size_t i : choices) {
      if (crowding[i] > top) { top = crowding[i]; best.clear(); }
      if (crowding[i] == top) best.push_back(i);
    }
    pick = best[rng_.uniform_index(best.size())];
  }
  const Member member = archive_[pick];
  open(member.candidate, member.point, swap_level);
  return true;
}

ParetoLocalSearch::Exploration* ParetoLocalSearch::active() {
  for (auto& exploration : explorations_)
    if (!exploration.stopped && !exploration.queue.empty()) return &exploration;
  return nullptr;
}

std::vector<Candidate> ParetoLocalSearch::ask(std::size_t n) {
  std::vector<Candidate> out;
  auto hand_out = [&](Candidate candidate, Origin origin, const Candidate& parent) {
    remember(candidate);
    pending_.push_back({candidate, origin, parent});
    out.push_back(std::move(candidate));
  };
  while (out.size() < n) {
    if (initial_asked_ < scope_.initial.size()) {
      Candidate candidate = scope_.initial[initial_asked_++];
      if (!evaluated(candidate)) hand_out(std::move(candidate), Origin::init, {});
      continue;
    }
    if (init_asked_ < options_.num_init) {
      ++init_asked_;
      hand_out(fresh_sample(), Origin::init, {});
      continue;
    }
    Exploration* exploration = active();
    if (!exploration) {
      if (open_next()) continue;
      if (!pending_.empty()) break;  // wait: pending results may add unexplored members
      hand_out(restart_candidate(), Origin::restart, {});
      continue;
    }
    Candidate neighbour = exploration->queue.back();
    exploration->queue.pop_back();
    const bool fresh = !evaluated(neighbour);
    if (fresh) {
      ++exploration->outstanding;
      hand_out(std::move(neighbour), Origin::neighbour, exploration->parent);
    }
    if (exploration->queue.empty()) {  // the whole neighbourhood is asked
      mark_done(*exploration);
      close_if_done(static_cast<std::size_t>(exploration - explorations_.data()));
    }
  }
  asked_ += static_cast<long long>(out.size());
  return out;
}

void ParetoLocalSearch::close_if_done(std::size_t index) {
  Exploration& exploration = explorations_[index];
  if (exploration.outstanding > 0 || (!exploration.stopped && !exploration.queue.empty())) return;
  if (options_.acceptance == "both" && !exploration.dominating_found)
    for (const auto& held : exploration.held) insert(held.candidate, held.point);
  explorations_.erase(explorations_.begin() + static_cast<std::ptrdiff_t>(index));
}

void ParetoLocalSearch::neighbour_told(Exploration& exploration, const Candidate& candidate,
                                       const std::optional<ConstrainedPoint>& point) {
  --exploration.outstanding;
  if (!point) return;
  bool accepted = false;
  if (options_.acceptance == "non_dominated") {
    accepted = insert(candidate, *point);
  } else if (constrained_dominates(*point, exploration.point)) {
    accepted = insert(candidate, *point);
    if (accepted) {  // as EvoCOP 2012: the first dominating neighbour that joins ends holding back
      exploration.dominating_found = true;
      exploration.held.clear();
    }
  } else if (options_.acceptance == "both" && !exploration.dominating_found) {
    exploration.held.push_back({candidate, *point, false});
  }
  if (accepted && options_.exploration == "first") exploration.stopped = true;
}

void ParetoLocalSearch::tell(const Candidate& candidate, const TrialResult& result) {
  ++told_;
  Pending told{candidate, Origin::init, {}};  // a candidate this strategy never asked: as init
  auto pending = std::find_if(pending_.begin(), pending_.end(),
                              [&](const Pending& p) { return p.candidate == candidate; });
  if (pending != pending_.end()) {
    told = *pending;
    pending_.erase(pending);
  }
  remember(candidate);

  std::optional<ConstrainedPoint> point;
  if (result.status == TrialStatus::complete || result.status == TrialStatus::infeasible)
    if (auto values = minimised_objectives(result, objectives_))
      point = ConstrainedPoint{*values, constraint_violation(result)};

  if (told.origin == Origin::neighbour) {
    for (std::size_t i = 0; i < explorations_.size(); ++i) {
      if (explorations_[i].parent != told.parent) continue;
      neighbour_told(explorations_[i], candidate, point);
      close_if_done(i);
      return;
    }
  }
  if (!point) return;
  insert(candidate, *point);
  if (told.origin == Origin::restart) open(candidate, *point);
}

bool ParetoLocalSearch::converged() const {
  return initial_asked_ >= scope_.initial.size() && init_asked_ >= options_.num_init &&
         pending_.empty() && explorations_.empty() &&
         std::all_of(archive_.begin(), archive_.end(), [&](const Member& m) {
           return m.explored && (m.swapped || options_.swaps != "vnd");
         });
}

std::string ParetoLocalSearch::state() const {
  std::string text = "pareto_local_search asked=" + std::to_string(asked_) +
                     " told=" + std::to_string(told_) + " init=" + std::to_string(init_asked_) +
                     " restarts=" + std::to_string(restarts_) + " rng=" + rng_.state() +
                     " evaluated=" + std::to_string(evaluated_.size()) + ":" + candidates_digest(evaluated_) +
                     " archive=";
  if (!scope_.frozen.empty() || !scope_.initial.empty())
    text = "initial=" + std::to_string(initial_asked_) + "/" +
           std::to_string(scope_.initial.size()) + ":" + candidates_digest(scope_.initial) +
           " settings=" + std::to_string(scope_.settings.size()) + ":" +
           candidates_digest(scope_.settings) + " " + text;
  for (const auto& member : archive_)
    text += "[" + decisions_text(member.candidate) + ":" + constrained_point_text(member.point) +
            (member.explored ? ",e" : ",u") + (member.swapped ? "s]" : "]");
  text += " explorations=";
  for (const auto& e : explorations_) {
    text += "[" + decisions_text(e.parent) + ":" + constrained_point_text(e.point) +
            ",queue=" + std::to_string(e.queue.size()) + ":" + candidates_digest(e.queue) +
            ",out=" + std::to_string(e.outstanding) + (e.stopped ? ",stopped" : "") +
            (e.dominating_found ? ",dominating" : "") + ",held=";
    for (const auto& held : e.held)
      text += "(" + decisions_text(held.candidate) + ":" + constrained_point_text(held.point) + ")";
    text += "]";
  }
  text += " pending=";
  for (const auto& p : pending_) {
    text += "[" + decisions_text(p.candidate) + ":";
    text += p.origin == Origin::init ? "init" : p.origin == Origin::restart ? "restart" : "n<" + decisions_text(p.parent);
    text += "]";
  }
  return text;
}

std::string constrained_point_text(const ConstrainedPoint& point) {
  std::string text;
  for (double v : point.objectives) text += format_number(v) + ";";
  return text + "v" + format_number(point.violation);
}

std::string candidates_digest(const std::vector<Candidate>& candidates) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const auto& candidate : candidates)
    for (int v : candidate.decisions) {
      hash ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(v)) + 0x9e37U;
      hash *= 1099511628211ULL;
    }
  return std::to_string(hash);
}

void check_objective_count(const std::string& strategy, std::size_t count) {
  TANDEM_CHECK(count >= 2 && count <= 4,
               strategy + " needs 2 to 4 objectives, each with a direction (objectives: "
               "[{metric: accuracy, direction: maximize}, {metric: latency_ms, direction: "
               "minimize}]); got " + std::to_string(count));
}

void register_pareto_local_search(StrategyRegistry& registry) {
  registry.add(
      "pareto_local_search", "multi-objective",
      "Pareto local search (Paquete et al. 2004; anytime variants, Dubois-Lacoste et al. 2012) "
      "with constrained domination: num_init, acceptance, exploration, neutral, restart, "
      "perturbation",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        auto options = ParetoLocalSearchOptions::parse(context.options);
        check_objective_count("pareto_local_search", context.objectives.size());
        return std::make_unique<ParetoLocalSearch>(context.space, options, context.objectives,
                                                   context.seed);
      });
}

}  // namespace tandem
