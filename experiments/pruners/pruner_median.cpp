// Pruner "median": Optuna's MedianPruner, i.e. PercentilePruner(50) (optuna/pruners/_median.py,
// _percentile.py). After `n_startup_trials` peers have COMPLETED and from step `n_warmup_steps`
// on (at the first reported step of every `interval_steps` interval), a trial is pruned when its
// best value so far is worse than the median of the completed peers' values at the same step
// (numpy's linear-interpolation percentile over the non-NaN values; at least `n_min_trials` peers
// must have a value at that step). A trial whose values are all NaN is pruned.
#include <algorithm>
#include <cmath>

#include "experiments/pruners/pruner.hpp"

namespace tandem {
namespace {

// Optuna's _is_first_in_interval_step: no other reported step lies in [the interval's start, step).
bool first_in_interval(int step, const std::map<int, double>& values, int warmup, int interval) {
  const int interval_start = (step - warmup) / interval * interval + warmup;
  int second_last = -1;
  for (const auto& [s, value] : values)
    if (s != step && s > second_last) second_last = s;
  return second_last < interval_start;
}

// np.nanpercentile(values, q) with linear interpolation; NaN when no value is a number.
double nan_percentile(std::vector<double> values, double q) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
               values.end());
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double rank = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(rank));
  const auto high = static_cast<std::size_t>(std::ceil(rank));
  return values[low] + (values[high] - values[low]) * (rank - static_cast<double>(low));
}

class MedianPruner final : public Pruner {
 public:
  explicit MedianPruner(const PrunerOptions& options)
      : minimize_(options.minimize), options_(options.median) {}

  std::string name() const override { return "median"; }

  PruneDecision decide(const PrunerTrial& trial, int step,
                       const std::vector<const PrunerTrial*>& peers) override {
    std::vector<const PrunerTrial*> completed;
    for (const PrunerTrial* peer : peers)
      if (peer->state == TrialStatus::complete) completed.push_back(peer);
    if (completed.empty() || static_cast<int>(completed.size()) < options_.n_startup_trials)
      return {};
    if (step < options_.n_warmup_steps) return {};
    if (!first_in_interval(step, trial.values, options_.n_warmup_steps, options_.interval_steps))
      return {};

    std::optional<double> best;  // best non-NaN value so far
    for (const auto& [s, value] : trial.values)
      if (!std::isnan(value) && (!best || better(value, *best, minimize_))) best = value;
    if (!best)
      return {true, "median pruner: " + trial.metric + " is NaN at every step up to " +
                        std::to_string(step)};

    std::vector<double> at_step;
    for (const PrunerTrial* peer : completed)
      if (auto found = peer->values.find(step); found != peer->values.end())
        at_step.push_back(found->second);
    if (static_cast<int>(at_step.size()) < options_.n_min_trials) return {};
    const double median = nan_percentile(at_step, 50.0);
    if (std::isnan(median) || !better(median, *best, minimize_)) return {};
    return {true, "median pruner: " + trial.metric + " " + format_short(*best) +
                      " (best up to step " + std::to_string(step) + ") " + (minimize_ ? ">" : "<") +
                      " median " + format_short(median) + " of " + std::to_string(at_step.size()) +
                      " completed trials at step " + std::to_string(step)};
  }

 private:
  bool minimize_;
  MedianPrunerOptions options_;
};

}  // namespace

std::unique_ptr<Pruner> make_median_pruner(const PrunerOptions& options) {
  return std::make_unique<MedianPruner>(options);
}

}  // namespace tandem
