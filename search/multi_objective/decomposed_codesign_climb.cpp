// The accelerator stage of the decomposed co-design search (decomposed_codesign.hpp, step 2): the
// climb's acceptance (violation, product of the objectives or domination, room under the
// constraints), its neighbourhood order (one-decision changes, exchanges, the pattern move first;
// inert parameters only shrink; inferred-infeasible neighbours skipped) and the end of a climb.
#include "search/multi_objective/decomposed_codesign.hpp"

#include <algorithm>
#include <cmath>

#include "spaces/joint_space.hpp"

namespace tandem {

bool DecomposedCodesign::inert(std::size_t k) const {
  return options_.inert_after > 0 && moves_tried_[k] >= options_.inert_after &&
         moves_changed_[k] == 0;
}

std::vector<Candidate> DecomposedCodesign::accelerator_neighbours(
    const Candidate& candidate) const {
  return moves_.neighbours(candidate, options_.exchange_moves);
}

std::optional<DecomposedCodesign::ClimbPoint> DecomposedCodesign::climb_point_of(
    const Candidate& candidate) const {
  auto at = std::lower_bound(history_.begin(), history_.end(), candidate,
                             [](const Evaluated& e, const Candidate& c) { return e.candidate < c; });
  if (at == history_.end() || at->candidate != candidate || !at->point) return std::nullopt;
  return ClimbPoint{*at->point, at->usage};
}

std::vector<double> DecomposedCodesign::usage_of(const TrialResult& result) const {
  std::vector<double> usage;
  for (const auto& constraint : constraints_)
    usage.push_back(constraint.usage(result.metrics).value_or(NAN));
  return usage;
}

std::optional<double> DecomposedCodesign::log_product(const ConstrainedPoint& point) const {
  double sum = 0;
  for (std::size_t k = 0; k < objectives_.size(); ++k) {
    const double value = objectives_[k].minimize ? point.objectives[k] : -point.objectives[k];
    if (!(value > 0) || !std::isfinite(value)) return std::nullopt;
    sum += objectives_[k].minimize ? std::log(value) : -std::log(value);
  }
  return sum;
}

bool DecomposedCodesign::improves(const ClimbPoint& a, const ClimbPoint& b) const {
  const ConstrainedPoint &pa = a.point, &pb = b.point;
  bool tie = false;
  if (target_ < 0) {
    const auto la = log_product(pa), lb = log_product(pb);
    if (options_.climb == "product" && la && lb) {
      if (pa.violation != pb.violation) return pa.violation < pb.violation;  // Deb's rules
      if (*la != *lb) return *la < *lb;
      tie = true;
    } else {
      if (constrained_dominates(pa, pb)) return true;
      tie = pa.violation == pb.violation && pa.objectives == pb.objectives;
    }
  } else {
    if (pa.violation != pb.violation) return pa.violation < pb.violation;  // Deb's rules
    const auto k = static_cast<std::size_t>(target_);
    if (pa.objectives[k] != pb.objectives[k]) return pa.objectives[k] < pb.objectives[k];
    tie = true;
  }
  // Equally good: the one that leaves more room under every constraint (an SRAM that the layers
  // never fill gives its area back to the array).
  if (!tie || a.usage.size() != b.usage.size()) return false;
  bool less = false;
  for (std::size_t i = 0; i < a.usage.size(); ++i) {
    if (!(a.usage[i] <= b.usage[i])) return false;  // larger, or unknown
    less = less || a.usage[i] < b.usage[i];
  }
  return less;
}

void DecomposedCodesign::next_climb() {
  while (!starts_.empty()) {
    Candidate start = starts_.back();
    starts_.pop_back();
    if (start == incumbent_) break;  // already evaluated: climb from it
    if (auto known = climb_point_of(start)) {
      incumbent_ = start;
      previous_incumbent_ = {};
      incumbent_point_ = *known;
      break;
    }
    if (evaluated(start)) continue;  // asked elsewhere, result not in yet: skip this family
    queue_ = {start};
    awaiting_start_ = true;
    return;
  }
  open_accelerator_neighbourhood();
}

void DecomposedCodesign::climb_done() {
  if (improves(incumbent_point_, stage_best_point_)) {
    stage_best_ = incumbent_;
    stage_best_point_ = incumbent_point_;
  }
  if (!starts_.empty()) {
    next_climb();
    return;
  }
  const Candidate found = space_.accelerator_part(stage_best_);
  stage_ = Stage::network;
  network_asked_ = 0;
  if (std::find(working_.begin(), working_.end(), found) == working_.end())
    add_working_accelerator(found);
}

void DecomposedCodesign::open_accelerator_neighbourhood() {
  // Variable neighbourhood descent order (asked from the back): the one-decision changes, then
  // the exchanges, each level in random order. Moves that change only inert parameters (whose
  // one-decision moves never changed the point in `inert_after` tries) are skipped.
  // A neighbour evaluated before (in the warm-up, by another stage) is not asked again; if its
  // known point dominates the incumbent, the climb moves to it at once.
  std::vector<Candidate> levels[2];
  for (auto& c : accelerator_neighbours(incumbent_)) {
    if (auto known = climb_point_of(c); known && improves(*known, incumbent_point_)) {
      move_incumbent(c, *known);
      return;
    }
    if (evaluated(c)) continue;
    if (options_.infer_infeasible && incumbent_point_.point.violation == 0 &&
        feasibility_.predicts_violation(c)) {
      ++inferred_infeasible_;
      continue;
    }
    // An inert parameter may only shrink (giving room back under the constraints); growing it
    // costs room and changes nothing else.
    std::size_t count = 0;
    bool grows_inert = false;
    for (std::size_t d = network_decisions_; d < c.decisions.size(); ++d)
      if (c.decisions[d] != incumbent_.decisions[d]) {
        ++count;
        const std::size_t k = d - network_decisions_;
        if (inert(k)) {
          const auto& order = ordered_[k];
          grows_inert = grows_inert || order.empty() ||
                        std::find(order.begin(), order.end(), c.decisions[d]) >
                            std::find(order.begin(), order.end(), incumbent_.decisions[d]);
        }
      }
    if (grows_inert) continue;
    levels[count == 1 ? 0 : 1].push_back(std::move(c));
  }
  queue_.clear();
  for (int level = 1; level >= 0; --level) {
    rng_.shuffle(levels[level]);
    queue_.insert(queue_.end(), levels[level].begin(), levels[level].end());
  }
  // The step that just improved, once more, first (when it is still in the queue: not known,
  // not predicted infeasible, not inert).
  if (options_.pattern_moves && !previous_incumbent_.decisions.empty())
    if (auto next = moves_.pattern(previous_incumbent_, incumbent_)) {
      auto at = std::find(queue_.begin(), queue_.end(), *next);
      if (at != queue_.end()) std::rotate(at, at + 1, queue_.end());
    }
}

void DecomposedCodesign::move_incumbent(const Candidate& to, const ClimbPoint& point) {
  previous_incumbent_ = incumbent_;
  incumbent_ = to;
  incumbent_point_ = point;
  open_accelerator_neighbourhood();
}

}  // namespace tandem
