// Strategy wrappers ("middleware", after NNI's tuner wrappers and Optuna's sampler decorators):
// each is a registered strategy whose options name an inner strategy it wraps, so they compose
// with any strategy and with each other:
//   strategy: {name: deduplicate, options: {strategy: {name: regularized_evolution, options: {...}}}}
// - deduplicate: a candidate that was already evaluated is not evaluated again — the inner
//   strategy is told the stored result and asked again (up to max_attempts times, then the
//   duplicate passes through); a candidate still being evaluated is held back the same way and
//   its result told for each held copy when it arrives.
// - constraint_filter: candidates whose compute graph breaks a constraint on `macs`, `params` or
//   `layers` (graph_stats conventions; the grammar of core/constraint.hpp) are never evaluated: the inner strategy is told they are
//   INFEASIBLE (with the same reason format as the trial loop) and asked again, up to
//   max_attempts times.
// - retry: a FAILED trial's candidate is asked again, up to max_retries times, before the inner
//   strategy is told the failure (PRUNED and INFEASIBLE results are final).
// All three are deterministic given the inner strategy, so --resume replays them exactly.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <set>

#include "core/constraint.hpp"
#include "search/strategy.hpp"

namespace tandem {

class Deduplicate final : public Strategy {
 public:
  Deduplicate(std::unique_ptr<Strategy> inner, int max_attempts);
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  bool finished() const override { return inner_->finished(); }
  std::string state() const override;
  long long skipped() const { return skipped_; }

 private:
  std::unique_ptr<Strategy> inner_;
  int max_attempts_;
  std::map<Candidate, TrialResult> known_;
  std::multiset<Candidate> pending_;
  std::map<Candidate, int> held_;  // duplicates of pending candidates the inner strategy awaits
  long long skipped_ = 0;
};

// The compute-graph totals a constraint_filter constraint may name (graph_stats conventions).
const std::vector<std::string>& graph_constraint_metrics();
// One constraint_filter constraint: the one grammar of core/constraint.hpp, on a graph metric
// (error at `where` naming the text and the accepted metrics otherwise).
Constraint parse_graph_constraint(const ConfigNode& where);

class ConstraintFilter final : public Strategy {
 public:
  ConstraintFilter(std::unique_ptr<Strategy> inner, const SearchSpace& space,
                   std::vector<Constraint> constraints, int max_attempts);
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override {
    inner_->tell(candidate, result);
  }
  bool finished() const override { return inner_->finished(); }
  std::string state() const override;
  long long rejected() const { return rejected_; }

 private:
  std::optional<TrialResult> rejection(const Candidate& candidate) const;
  std::unique_ptr<Strategy> inner_;
  const SearchSpace& space_;
  std::vector<Constraint> constraints_;
  int max_attempts_;
  long long rejected_ = 0;
};

class RetryFailed final : public Strategy {
 public:
  RetryFailed(std::unique_ptr<Strategy> inner, int max_retries);
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  bool finished() const override { return retries_.empty() && inner_->finished(); }
  std::string state() const override;

 private:
  std::unique_ptr<Strategy> inner_;
  int max_retries_;
  std::map<Candidate, int> failures_;
  std::deque<Candidate> retries_;
};

void register_strategy_wrappers(StrategyRegistry& registry);

}  // namespace tandem
