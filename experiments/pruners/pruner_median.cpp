// Pruner "median": Optuna's MedianPruner, i.e. PercentilePruner(50) (optuna/pruners/_median.py,
// _percentile.py). After `n_startup_trials` peers have COMPLETED and from step `n_warmup_steps`
// on (at the first reported step of every `interval_steps` interval), a trial is pruned when its
// best value so far is worse than the median of the completed peers' values at the same step
// (numpy's linear-interpolation percentile over the non-NaN values; at least `n_min_trials` peers
// must have a value at that step). A trial whose values are all NaN is pruned.
#include <algorithm>
#include <cmath>

#include "experiments/pruners/pruner.hpp"
#include "experiments/pruners/pruner_registry.hpp"

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

// Optuna's MedianPruner (= PercentilePruner(50), optuna/pruners/_percentile.py).
struct MedianPrunerOptions {
  int n_startup_trials = 5;  // no pruning until this many peers have COMPLETED
  int n_warmup_steps = 0;    // no pruning at steps < this
  int interval_steps = 1;    // judge the first reported step of every interval after the warm-up
  int n_min_trials = 1;      // peers with a value at the step needed to judge

  static MedianPrunerOptions parse(const ConfigNode& options) {
    check_pruner_option_keys(
        options, {"n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"});
    MedianPrunerOptions out;
    out.n_startup_trials = int_option(options, "n_startup_trials", out.n_startup_trials, 0);
    out.n_warmup_steps = int_option(options, "n_warmup_steps", out.n_warmup_steps, 0);
    out.interval_steps = int_option(options, "interval_steps", out.interval_steps, 1);
    out.n_min_trials = int_option(options, "n_min_trials", out.n_min_trials, 1);
    return out;
  }
};

class MedianPruner final : public Pruner {
 public:
  MedianPruner(const MedianPrunerOptions& options, bool minimize)
      : minimize_(minimize), options_(options) {}

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

void register_median_pruner(PrunerRegistry& registry) {
  registry.add(
      "median", "percentile",
      "Optuna's MedianPruner: prune below the median of the completed peers at the step: "
      "n_startup_trials, n_warmup_steps, interval_steps, n_min_trials",
      [](const ConfigNode& options, const PrunerContext& context) -> std::unique_ptr<Pruner> {
        return std::make_unique<MedianPruner>(MedianPrunerOptions::parse(options),
                                              context.minimize);
      });
}

}  // namespace tandem
