// Monotone constraint inference for the accelerator climb (see monotone_constraints.hpp).
#include "search/multi_objective/monotone_constraints.hpp"

#include <algorithm>
#include <cmath>

namespace tandem {
namespace {

// Parameter effects. Numeric: kUp (growth seen, no shrink), kFlat (only equal usage seen: the
// parameter does not matter), kNot (a shrink seen). Non-numeric: kUp means irrelevant.
constexpr int kUnknown = 0, kUp = 1, kFlat = 2, kNot = -1;

}  // namespace

MonotoneConstraints::MonotoneConstraints(std::size_t first_decision,
                                         std::vector<std::vector<int>> ordered,
                                         std::size_t constraints)
    : first_(first_decision),
      ordered_(std::move(ordered)),
      effect_(constraints, std::vector<int>(ordered_.size(), kUnknown)),
      network_free_(constraints, kUnknown) {}

bool MonotoneConstraints::same_network(const Candidate& a, const Candidate& b) const {
  return std::equal(a.decisions.begin(), a.decisions.begin() + static_cast<std::ptrdiff_t>(first_),
                    b.decisions.begin());
}

int MonotoneConstraints::position(std::size_t k, int choice) const {
  const auto& order = ordered_[k];
  return static_cast<int>(std::find(order.begin(), order.end(), choice) - order.begin());
}

void MonotoneConstraints::learn(const Observation& a, const Observation& b) {
  std::vector<std::size_t> differ;
  for (std::size_t k = 0; k < ordered_.size(); ++k)
    if (a.candidate.decisions[first_ + k] != b.candidate.decisions[first_ + k]) differ.push_back(k);
  const bool network_same = same_network(a.candidate, b.candidate);
  for (std::size_t c = 0; c < effect_.size(); ++c) {
    const double ua = a.usage[c], ub = b.usage[c];
    if (std::isnan(ua) || std::isnan(ub)) continue;
    if (differ.empty() && !network_same) {  // one accelerator, two networks
      if (ua != ub) network_free_[c] = kNot;
      else if (network_free_[c] == kUnknown) network_free_[c] = kUp;
      continue;
    }
    if (differ.size() != 1 || !network_same) continue;
    const std::size_t k = differ.front();
    int& effect = effect_[c][k];
    if (effect == kNot) continue;
    if (ordered_[k].empty()) {  // non-numeric: irrelevant while every pair agrees
      effect = ua == ub ? kUp : kNot;
      continue;
    }
    const bool a_higher = position(k, a.candidate.decisions[first_ + k]) >
                          position(k, b.candidate.decisions[first_ + k]);
    const double growth = a_higher ? ua - ub : ub - ua;
    if (growth < 0) effect = kNot;
    else if (growth > 0) effect = kUp;
    else if (effect == kUnknown) effect = kFlat;
  }
}

void MonotoneConstraints::observe(const Candidate& candidate, const std::vector<double>& usage,
                                  const std::vector<bool>& violated) {
  Observation observation{candidate, usage, violated};
  observation.usage.resize(effect_.size(), NAN);
  observation.violated.resize(effect_.size(), false);
  for (const auto& earlier : seen_) learn(earlier, observation);
  seen_.push_back(std::move(observation));
}

bool MonotoneConstraints::predicts_violation(const Candidate& candidate) const {
  for (const auto& known : seen_) {
    for (std::size_t c = 0; c < effect_.size(); ++c) {
      if (!known.violated[c]) continue;
      if (network_free_[c] != kUp && !same_network(known.candidate, candidate)) continue;
      bool contains = true;  // candidate uses at least what `known` used
      for (std::size_t k = 0; k < ordered_.size() && contains; ++k) {
        const int mine = candidate.decisions[first_ + k], theirs = known.candidate.decisions[first_ + k];
        if (mine == theirs) continue;
        const int effect = effect_[c][k];
        if (ordered_[k].empty()) contains = effect == kUp;
        else contains = effect == kFlat || (effect == kUp && position(k, mine) > position(k, theirs));
      }
      if (contains) return true;
    }
  }
  return false;
}

}  // namespace tandem
