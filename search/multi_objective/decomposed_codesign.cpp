// Decomposed co-design search (see decomposed_codesign.hpp for the procedure and sources).
#include "search/multi_objective/decomposed_codesign.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/error.hpp"
#include "core/text.hpp"
#include "spaces/joint_space.hpp"

namespace tandem {
namespace {

constexpr int kFreshTries = 100;  // draws for a candidate never evaluated before

std::string decisions_text(const std::vector<int>& decisions) {
  std::string text;
  for (std::size_t i = 0; i < decisions.size(); ++i)
    text += (i ? "," : "") + std::to_string(decisions[i]);
  return text;
}


void insert_sorted(std::vector<Candidate>& set, const Candidate& candidate) {
  auto at = std::lower_bound(set.begin(), set.end(), candidate);
  if (at == set.end() || *at != candidate) set.insert(at, candidate);
}

bool contains(const std::vector<Candidate>& set, const Candidate& candidate) {
  return std::binary_search(set.begin(), set.end(), candidate);
}

}  // namespace

DecomposedCodesignOptions DecomposedCodesignOptions::parse(const ConfigNode& options) {
  options.check_keys(
      {"num_init", "warmup", "rechecks", "recheck_after", "exchange_moves", "families",
       "inert_after", "network_stage", "climb", "infer_infeasible", "pattern_moves"});
  DecomposedCodesignOptions out;
  out.climb = options.get_choice("climb", out.climb, {"product", "dominance"});
  out.infer_infeasible = options.get_bool("infer_infeasible", out.infer_infeasible);
  out.pattern_moves = options.get_bool("pattern_moves", out.pattern_moves);
  out.num_init = static_cast<int>(options.get_int_in("num_init", out.num_init, 1, 1000000));
  out.warmup = static_cast<int>(options.get_int_in("warmup", out.warmup, 1, 1000000));
  out.rechecks = static_cast<int>(options.get_int_in("rechecks", out.rechecks, 0, 1000));
  out.recheck_after =
      static_cast<int>(options.get_int_in("recheck_after", out.recheck_after, 0, 1000000));
  out.exchange_moves = options.get_bool("exchange_moves", out.exchange_moves);
  out.families = static_cast<int>(options.get_int_in("families", out.families, 0, 1000));
  out.inert_after =
      static_cast<int>(options.get_int_in("inert_after", out.inert_after, 0, 1000000));
  out.network_stage =
      ParetoLocalSearchOptions::parse(options.optional("network_stage"), out.network_stage);
  return out;
}

DecomposedCodesign::DecomposedCodesign(const JointSpace& space, DecomposedCodesignOptions options,
                                       std::vector<Objective> objectives, std::uint64_t seed,
                                       std::vector<Constraint> constraints)
    : space_(space),
      options_(std::move(options)),
      objectives_(std::move(objectives)),
      constraints_(std::move(constraints)),
      rng_(seed),
      network_decisions_(space.network().decisions().size()),
      moves_(space, network_decisions_),
      ordered_(moves_.ordered()),
      feasibility_(network_decisions_, ordered_, constraints_.size()) {
  ParetoLocalSearchOptions warmup;
  warmup.num_init = std::min(options_.num_init, options_.warmup);
  warmup_search_ = std::make_unique<ParetoLocalSearch>(space_, warmup, objectives_, rng_.next_u64());
  moves_tried_.assign(ordered_.size(), 0);
  varies_.assign(objectives_.size(), false);
  moves_changed_.assign(ordered_.size(), 0);
}

bool DecomposedCodesign::evaluated(const Candidate& candidate) const {
  if (contains(asked_set_, candidate)) return true;
  auto at = std::lower_bound(history_.begin(), history_.end(), candidate,
                             [](const Evaluated& e, const Candidate& c) { return e.candidate < c; });
  return at != history_.end() && at->candidate == candidate;
}

std::optional<ConstrainedPoint> DecomposedCodesign::point_of(const Candidate& candidate) const {
  auto at = std::lower_bound(history_.begin(), history_.end(), candidate,
                             [](const Evaluated& e, const Candidate& c) { return e.candidate < c; });
  if (at == history_.end() || at->candidate != candidate) return std::nullopt;
  return at->point;
}

void DecomposedCodesign::start_accelerator_stage(const Candidate& probe,
                                                 const ClimbPoint& point, int target) {
  stage_ = Stage::accelerator;
  target_ = target;
  ++accelerator_stages_;
  incumbent_ = probe;
  previous_incumbent_ = {};
  incumbent_point_ = point;
  stage_best_ = probe;
  stage_best_point_ = point;
  insert_sorted(probes_, space_.network_part(probe));
  starts_.clear();
  if (working_.empty() && options_.families > 0) {
    // One climb per family (combination of the non-numeric parameters), each from the smallest
    // accelerator: every ordered parameter at its lowest value.
    Candidate smallest = probe;
    std::vector<std::size_t> categorical;
    for (std::size_t k = 0; k < ordered_.size(); ++k) {
      if (!ordered_[k].empty())
        smallest.decisions[network_decisions_ + k] = ordered_[k].front();
      else
        categorical.push_back(network_decisions_ + k);
    }
    std::vector<Candidate> families = {smallest};
    for (std::size_t d : categorical) {
      std::vector<Candidate> grown;
      for (const auto& family : families)
        for (std::size_t c = 0; c < space_.decisions()[d].choices.size(); ++c) {
          Candidate next = family;
          next.decisions[d] = static_cast<int>(c);
          grown.push_back(std::move(next));
        }
      families = std::move(grown);
    }
    std::erase_if(families, [&](const Candidate& c) { return !space_.is_valid(c); });
    rng_.shuffle(families);
    if (families.size() > static_cast<std::size_t>(options_.families))
      families.resize(static_cast<std::size_t>(options_.families));
    starts_ = std::move(families);
  }
  next_climb();
}

std::vector<Candidate> DecomposedCodesign::archive_networks() const {
  std::vector<Candidate> out;
  if (network_search_) {
    for (const auto& member : network_search_->archive()) out.push_back(member.candidate);
    return out;
  }
  std::vector<ConstrainedPoint> points;
  std::vector<Candidate> candidates;
  for (const auto& e : history_)
    if (e.point) {
      points.push_back(*e.point);
      candidates.push_back(e.candidate);
    }
  if (points.empty()) return out;
  const auto fronts = non_dominated_fronts(points);
  for (std::size_t i : fronts.front()) out.push_back(candidates[i]);
  return out;
}

std::size_t DecomposedCodesign::farthest_from_probes(const std::vector<Candidate>& members) {
  // Farthest-first traversal (Gonzalez, "Clustering to minimize the maximum intercluster
  // distance", TCS 38, 1985): the member whose network differs from every earlier probe's in the
  // most decisions; ties at random.
  std::vector<std::size_t> best;
  std::size_t best_distance = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    std::size_t nearest = SIZE_MAX;
    for (const auto& probe : probes_) {
      std::size_t distance = 0;
      for (std::size_t d = 0; d < network_decisions_; ++d)
        distance += members[i].decisions[d] != probe.decisions[d];
      nearest = std::min(nearest, distance);
    }
    if (best.empty() || nearest > best_distance) {
      best = {i};
      best_distance = nearest;
    } else if (nearest == best_distance) {
      best.push_back(i);
    }
  }
  return best[rng_.uniform_index(best.size())];
}

Candidate DecomposedCodesign::knee(const std::vector<Candidate>& members) {
  std::vector<ConstrainedPoint> points;
  for (const auto& member : members) points.push_back(*point_of(member));
  const std::size_t count = objectives_.size();
  std::vector<double> low(count, INFINITY), high(count, -INFINITY);
  for (const auto& e : history_)  // normalise by the range of everything evaluated so far
    if (e.point)
      for (std::size_t k = 0; k < count; ++k) {
        low[k] = std::min(low[k], e.point->objectives[k]);
        high[k] = std::max(high[k], e.point->objectives[k]);
      }
  std::vector<std::size_t> best;
  double best_score = INFINITY;
  for (std::size_t i = 0; i < members.size(); ++i) {
    double score = 0;
    for (std::size_t k = 0; k < count; ++k)
      if (high[k] > low[k]) score += (points[i].objectives[k] - low[k]) / (high[k] - low[k]);
    if (points[i].violation > 0) score += count;  // an infeasible member only when all are
    if (score < best_score - 1e-12) {
      best_score = score;
      best.clear();
    }
    if (std::abs(score - best_score) <= 1e-12) best.push_back(i);
  }
  return members[best[rng_.uniform_index(best.size())]];
}

void DecomposedCodesign::add_working_accelerator(const Candidate& accelerator) {
  working_.push_back(accelerator);
  // The archive's networks on the new accelerator (PLS keeps the pairs that are non-dominated).
  std::vector<Candidate> transfer;
  for (const auto& member : archive_networks())
    transfer.push_back(space_.combine(space_.network_part(member), accelerator));
  const Candidate setting = transfer.empty() ? incumbent_ : transfer.front();
  if (!network_search_) {
    ParetoLocalSearchScope scope;
    scope.frozen.assign(space_.decisions().size(), false);
    for (std::size_t d = network_decisions_; d < scope.frozen.size(); ++d) scope.frozen[d] = true;
    scope.settings = {setting};
    scope.initial = std::move(transfer);
    network_search_ = std::make_unique<ParetoLocalSearch>(
        space_, options_.network_stage, objectives_, rng_.next_u64(), std::move(scope));
  } else {
    network_search_->extend_scope(setting, std::move(transfer));
  }
  for (const auto& e : history_)  // adopt what is already known on the new accelerator
    if (space_.accelerator_part(e.candidate) == accelerator)
      network_search_->tell(e.candidate, e.result);
}

bool DecomposedCodesign::on_working_accelerator(const Candidate& candidate) const {
  const Candidate accelerator = space_.accelerator_part(candidate);
  return std::find(working_.begin(), working_.end(), accelerator) != working_.end();
}

void DecomposedCodesign::advance() {
  // A climb ends when its whole neighbourhood has been evaluated without an improvement.
  while (stage_ == Stage::accelerator && queue_.empty() && outstanding_ == 0 && !awaiting_start_)
    climb_done();
}

std::vector<Candidate> DecomposedCodesign::ask(std::size_t n) {
  std::vector<Candidate> out;
  auto hand_out = [&](const Candidate& candidate, Owner owner) {
    insert_sorted(asked_set_, candidate);
    pending_.push_back({candidate, owner, incumbent_, incumbent_point_.point});
    out.push_back(candidate);
  };
  while (out.size() < n) {
    advance();
    if (stage_ == Stage::init) {
      const bool init_pending = std::any_of(pending_.begin(), pending_.end(),
                                            [](const Pending& p) { return p.owner == Owner::init; });
      const bool any_point = std::any_of(history_.begin(), history_.end(),
                                         [](const Evaluated& e) { return e.point.has_value(); });
      if (init_asked_ < options_.warmup || (!init_pending && !any_point)) {
        // Warm-up: Pareto local search on the whole joint space (its first num_init asks are
        // random); afterwards, random samples until some result has objectives.
        std::vector<Candidate> more;
        if (init_asked_ < options_.warmup) more = warmup_search_->ask(1);
        if (more.empty() && init_pending) break;
        Candidate candidate = more.empty() ? space_.sample(rng_) : more.front();
        for (int attempt = 1; attempt < kFreshTries && evaluated(candidate); ++attempt)
          candidate = space_.sample(rng_);
        ++init_asked_;
        hand_out(candidate, Owner::init);
        continue;
      }
      if (init_pending) break;  // wait for every initial result before choosing the probe
      const Candidate probe = knee(archive_networks());
      start_accelerator_stage(probe, *climb_point_of(probe), -1);
      continue;
    }
    if (stage_ == Stage::accelerator) {
      if (queue_.empty()) break;  // wait: outstanding neighbours may move the incumbent
      Candidate neighbour = queue_.back();
      queue_.pop_back();
      if (evaluated(neighbour)) continue;
      ++outstanding_;
      hand_out(neighbour, Owner::accelerator);
      continue;
    }
    // Network stage; re-check the accelerator once it has converged.
    const bool due = network_search_->converged() ||
                     (options_.recheck_after > 0 && network_asked_ >= options_.recheck_after);
    if (due && accelerator_stages_ <= options_.rechecks) {
      std::vector<ParetoLocalSearch::Member> candidates;
      for (const auto& member : network_search_->archive())
        if (!contains(probes_, space_.network_part(member.candidate))) candidates.push_back(member);
      if (!candidates.empty()) {
        // Re-check k <= the number of objectives probes the archive member best in objective k
        // (the ends of the front, whose networks differ most from the knee's); its climb
        // minimises objective k alone when accelerator moves have changed it, else climbs by
        // dominance. Later re-checks probe a uniformly chosen member, by dominance.
        const auto k = static_cast<std::size_t>(accelerator_stages_ - 1);
        int target = -1;
        std::size_t chosen = 0;
        if (k >= objectives_.size()) {
          std::vector<Candidate> networks;
          for (const auto& member : candidates) networks.push_back(member.candidate);
          chosen = farthest_from_probes(networks);
        } else {
          if (varies_[k]) target = static_cast<int>(k);
          chosen = 0;
          for (std::size_t i = 1; i < candidates.size(); ++i)
            if (candidates[i].point.objectives[k] < candidates[chosen].point.objectives[k])
              chosen = i;
        }
        const Candidate& probe = candidates[chosen].candidate;
        const auto known = climb_point_of(probe);
        start_accelerator_stage(probe, known ? *known : ClimbPoint{candidates[chosen].point, {}},
                                target);
        continue;
      }
    }
    const std::size_t wanted = n - out.size();
    std::vector<Candidate> more = network_search_->ask(wanted);
    std::size_t fresh = 0;
    for (const auto& candidate : more) {
      if (!contains(asked_set_, candidate)) {
        hand_out(candidate, Owner::network);
        ++network_asked_;
        ++fresh;
        continue;
      }
      // Asked by another stage: its result goes to the network stage when it arrives.
      auto known = std::lower_bound(
          history_.begin(), history_.end(), candidate,
          [](const Evaluated& e, const Candidate& c) { return e.candidate < c; });
      if (known != history_.end() && known->candidate == candidate)
        network_search_->tell(candidate, known->result);
    }
    if (!more.empty() && fresh == 0) {
      // The network stage offers only evaluated pairs (its scope, the networks on the working
      // accelerators, is exhausted): a uniformly random joint candidate instead.
      Candidate candidate = space_.sample(rng_);
      for (int attempt = 1; attempt < kFreshTries && evaluated(candidate); ++attempt)
        candidate = space_.sample(rng_);
      hand_out(candidate, Owner::sample);
      continue;
    }
    if (more.size() < wanted || more.empty()) break;
  }
  asked_ += static_cast<long long>(out.size());
  return out;
}

void DecomposedCodesign::tell(const Candidate& candidate, const TrialResult& result) {
  ++told_;
  Pending told{candidate, Owner::init, {}, {}};  // a candidate this strategy never asked
  auto pending = std::find_if(pending_.begin(), pending_.end(),
                              [&](const Pending& p) { return p.candidate == candidate; });
  const bool was_pending = pending != pending_.end();
  if (was_pending) {
    told = *pending;
    pending_.erase(pending);
  }
  std::optional<ConstrainedPoint> point;
  if (result.status == TrialStatus::complete || result.status == TrialStatus::infeasible)
    if (auto values = minimised_objectives(result, objectives_))
      point = ConstrainedPoint{*values, constraint_violation(result)};
  auto at = std::lower_bound(history_.begin(), history_.end(), candidate,
                             [](const Evaluated& e, const Candidate& c) { return e.candidate < c; });
  Evaluated evaluated{candidate, point, result, usage_of(result)};
  if (at != history_.end() && at->candidate == candidate)
    *at = evaluated;
  else
    history_.insert(at, evaluated);
  const ClimbPoint climb_point{point.value_or(ConstrainedPoint{}), evaluated.usage};
  if (result.status == TrialStatus::complete || result.status == TrialStatus::infeasible) {
    std::vector<bool> violated;
    for (std::size_t i = 0; i < constraints_.size(); ++i) {
      const auto value = result.metrics.find(constraints_[i].metric());
      violated.push_back(value && !std::isnan(*value) && !constraints_[i].satisfied_by(*value));
    }
    feasibility_.observe(candidate, evaluated.usage, violated);
  }

  if (was_pending && told.owner == Owner::init) warmup_search_->tell(candidate, result);
  if (was_pending && told.owner == Owner::accelerator) {
    --outstanding_;
    std::vector<std::size_t> changed;
    for (std::size_t d = network_decisions_; d < candidate.decisions.size(); ++d)
      if (!told.parent.decisions.empty() && candidate.decisions[d] != told.parent.decisions[d])
        changed.push_back(d - network_decisions_);
    if (point && !told.parent.decisions.empty() && !awaiting_start_)
      for (std::size_t k = 0; k < objectives_.size(); ++k)
        if (point->objectives[k] != told.parent_point.objectives[k]) varies_[k] = true;
    if (changed.size() == 1 && point && !awaiting_start_) {  // learn which parameters are inert
      ++moves_tried_[changed[0]];
      if (point->objectives != told.parent_point.objectives) ++moves_changed_[changed[0]];
    }
    if (awaiting_start_) {  // a climb starts from its family's smallest accelerator
      awaiting_start_ = false;
      if (point) {
        incumbent_ = candidate;
        incumbent_point_ = climb_point;
        previous_incumbent_ = {};
      }
      open_accelerator_neighbourhood();
    } else if (stage_ == Stage::accelerator && point &&
               improves(climb_point, incumbent_point_)) {
      move_incumbent(candidate, climb_point);
    }
  }
  if (network_search_ && on_working_accelerator(candidate)) network_search_->tell(candidate, result);
}

std::string DecomposedCodesign::state() const {
  auto climb_point_text = [](const ClimbPoint& p) {
    std::string text = constrained_point_text(p.point) + ";u";
    for (double u : p.usage) text += format_number(u) + ";";
    return text;
  };
  const char* stage = stage_ == Stage::init ? "init" : stage_ == Stage::accelerator ? "accelerator" : "network";
  std::string text = "decomposed_codesign stage=" + std::string(stage) +
                     " asked=" + std::to_string(asked_) + " told=" + std::to_string(told_) +
                     " init=" + std::to_string(init_asked_) + " rng=" + rng_.state() +
                     " history=" + std::to_string(history_.size()) +
                     " accelerator_stages=" + std::to_string(accelerator_stages_) +
                     " target=" + std::to_string(target_) + " varies=" +
                     std::to_string(std::count(varies_.begin(), varies_.end(), true)) +
                     " network_asked=" + std::to_string(network_asked_) +
                     " inferred_infeasible=" + std::to_string(inferred_infeasible_) +
                     " working=";
  for (const auto& accelerator : working_) text += "[" + decisions_text(accelerator.decisions) + "]";
  text += " probes=";
  for (const auto& probe : probes_) text += "[" + decisions_text(probe.decisions) + "]";
  if (stage_ == Stage::accelerator || accelerator_stages_ > 0)
    text += " incumbent=" + decisions_text(incumbent_.decisions) + ":" +
            climb_point_text(incumbent_point_) + " queue=" + std::to_string(queue_.size()) + ":" +
            candidates_digest(queue_) + " outstanding=" + std::to_string(outstanding_) +
            (awaiting_start_ ? " awaiting_start" : "") +
            " best=" + decisions_text(stage_best_.decisions) + ":" +
            climb_point_text(stage_best_point_) + " starts=" + std::to_string(starts_.size()) + ":" +
            candidates_digest(starts_);
  text += " pending=";
  for (const auto& p : pending_)
    text += "[" + decisions_text(p.candidate.decisions) + ":" +
            std::to_string(static_cast<int>(p.owner)) + "]";
  text += " warmup={" + warmup_search_->state() + "}";
  if (network_search_) text += " network_stage={" + network_search_->state() + "}";
  return text;
}

void register_decomposed_codesign(StrategyRegistry& registry) {
  registry.add(
      "decomposed_codesign", "multi-objective",
      "co-design in stages: the accelerator for a probe network (local search with exchange "
      "moves), then Pareto local search over networks on the accelerators found, re-checked "
      "with new probes: num_init, warmup, families, exchange_moves, inert_after, rechecks, "
      "recheck_after, network_stage",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        auto options = DecomposedCodesignOptions::parse(context.options);
        check_objective_count("decomposed_codesign", context.objectives.size());
        const auto* joint = dynamic_cast<const JointSpace*>(&context.space);
        TANDEM_CHECK(joint != nullptr,
                     "decomposed_codesign needs a joint space (space: {name: joint, options: "
                     "{network: ..., accelerator: ...}}); got space '" + context.space.name() +
                         "'");
        return std::make_unique<DecomposedCodesign>(*joint, options, context.objectives,
                                                    context.seed, context.constraints);
      });
}

}  // namespace tandem
