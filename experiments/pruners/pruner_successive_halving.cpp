// Pruner "successive_halving": Optuna's SuccessiveHalvingPruner (see
// pruner_successive_halving.hpp for the rule). min_resource "auto" is Optuna's heuristic:
// max(1, floor(largest last step of the completed peers / 100)); no pruning before one completed.
#include "experiments/pruners/pruner_successive_halving.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "experiments/pruners/pruner_registry.hpp"

namespace tandem {
namespace {

// The trial's value at rung `rung`: at the first reported step >= the rung's end.
std::optional<double> value_at_rung(const PrunerTrial& trial, int rung_end) {
  auto found = trial.values.lower_bound(rung_end);
  if (found == trial.values.end()) return std::nullopt;
  return found->second;
}

// Optuna's SuccessiveHalvingPruner (asynchronous successive halving, Li et al. 2020).
struct SuccessiveHalvingOptions {
  std::optional<int> min_resource;  // r; nullopt = "auto"
  int reduction_factor = 4;         // eta
  int min_early_stopping_rate = 0;  // s
  int bootstrap_count = 0;

  static SuccessiveHalvingOptions parse(const ConfigNode& options) {
    check_pruner_option_keys(options, {"min_resource", "reduction_factor",
                                       "min_early_stopping_rate", "bootstrap_count"});
    SuccessiveHalvingOptions out;
    out.min_resource = auto_or_int_option(options, "min_resource", out.min_resource, 1);
    out.reduction_factor = int_option(options, "reduction_factor", out.reduction_factor, 2);
    out.min_early_stopping_rate =
        int_option(options, "min_early_stopping_rate", out.min_early_stopping_rate, 0);
    out.bootstrap_count = int_option(options, "bootstrap_count", out.bootstrap_count, 0);
    if (out.bootstrap_count > 0 && !out.min_resource)
      options.at("bootstrap_count")
          .fail("bootstrap_count > 0 needs an integer min_resource, not 'auto' (as in Optuna)");
    return out;
  }
};

class SuccessiveHalvingPruner final : public Pruner {
 public:
  SuccessiveHalvingPruner(const SuccessiveHalvingOptions& options, bool minimize)
      : minimize_(minimize), options_(options) {}

  std::string name() const override { return "successive_halving"; }

  PruneDecision decide(const PrunerTrial& trial, int step,
                       const std::vector<const PrunerTrial*>& peers) override {
    RungSchedule schedule;
    schedule.reduction_factor = options_.reduction_factor;
    schedule.min_early_stopping_rate = options_.min_early_stopping_rate;
    schedule.bootstrap_count = options_.bootstrap_count;
    if (options_.min_resource) {
      schedule.min_resource = *options_.min_resource;
    } else {
      auto last = largest_completed_step(peers);
      if (!last) return {};
      schedule.min_resource = std::max(*last / 100, 1);
    }
    return successive_halving_decide(trial, step, peers, schedule, minimize_,
                                     "successive halving pruner");
  }

 private:
  bool minimize_;
  SuccessiveHalvingOptions options_;
};

}  // namespace

std::optional<int> RungSchedule::rung_step(int rung) const {
  double step = static_cast<double>(min_resource) *
                std::pow(static_cast<double>(reduction_factor), min_early_stopping_rate + rung);
  if (step > static_cast<double>(std::numeric_limits<int>::max())) return std::nullopt;
  return static_cast<int>(std::llround(step));
}

PruneDecision successive_halving_decide(const PrunerTrial& trial, int step,
                                        const std::vector<const PrunerTrial*>& peers,
                                        const RungSchedule& schedule, bool minimize,
                                        const std::string& who) {
  auto current = trial.values.find(step);
  if (current == trial.values.end()) return {};
  const double value = current->second;
  // Rungs already passed at earlier reports.
  std::optional<int> previous;
  for (const auto& [s, v] : trial.values)
    if (s < step) previous = s;
  int rung = 0;
  while (previous) {
    auto end = schedule.rung_step(rung);
    if (!end || *end > *previous) break;
    ++rung;
  }
  for (;; ++rung) {
    auto end = schedule.rung_step(rung);
    if (!end || step < *end) return {};
    if (std::isnan(value))
      return {true, who + ": " + trial.metric + " is NaN at step " + std::to_string(step)};
    std::vector<double> competing = {value};
    for (const PrunerTrial* peer : peers)
      if (auto v = value_at_rung(*peer, *end); v && !std::isnan(*v)) competing.push_back(*v);
    const auto n = static_cast<int>(competing.size());
    const std::string at =
        " at rung " + std::to_string(rung) + " (step " + std::to_string(*end) + ")";
    if (n <= schedule.bootstrap_count)
      return {true, who + ": only " + std::to_string(n) + " trials" + at + ", bootstrap_count is " +
                        std::to_string(schedule.bootstrap_count)};
    const int promoted = std::max(n / schedule.reduction_factor, 1);
    std::sort(competing.begin(), competing.end(),
              [&](double a, double b) { return better(a, b, minimize); });
    const double threshold = competing[static_cast<std::size_t>(promoted - 1)];
    if (better(threshold, value, minimize))
      return {true, who + ": " + trial.metric + " " + format_short(value) + at +
                        " is not among the best " + std::to_string(promoted) + " of " +
                        std::to_string(n) + " trials there (reduction factor " +
                        std::to_string(schedule.reduction_factor) + "; promotion needs " +
                        (minimize ? "<= " : ">= ") + format_short(threshold) + ")"};
  }
}

void register_successive_halving_pruner(PrunerRegistry& registry) {
  registry.add(
      "successive_halving", "rung",
      "Optuna's SuccessiveHalvingPruner (asynchronous successive halving): min_resource, "
      "reduction_factor, min_early_stopping_rate, bootstrap_count",
      [](const ConfigNode& options, const PrunerContext& context) -> std::unique_ptr<Pruner> {
        return std::make_unique<SuccessiveHalvingPruner>(SuccessiveHalvingOptions::parse(options),
                                                         context.minimize);
      });
}

}  // namespace tandem
