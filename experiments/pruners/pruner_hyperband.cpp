// Pruner "hyperband": Optuna's HyperbandPruner. Trials are spread over brackets by a hash of the
// experiment name and PrunerTrial::ask_index, the number an uninterrupted run gives the trial
// (Optuna hashes the trial number; tandem's numbers also count interrupted attempts, which would
// move every later trial to another bracket on --resume; a re-run keeps its original's index and
// bracket). Bracket b runs successive halving with min_early_stopping_rate = b among the peers of
// the same bracket (pruner_successive_halving.hpp). max_resource "auto" is the largest last step
// of the completed peers (Optuna: the largest step of a completed trial + 1, its steps count from
// 0; tandem's steps count from 1, e.g. epochs); no pruning before one completed.
#include "experiments/pruners/pruner_hyperband.hpp"

#include <zlib.h>

#include "experiments/pruners/pruner_registry.hpp"
#include "experiments/pruners/pruner_successive_halving.hpp"

namespace tandem {

std::vector<int> hyperband_budgets(int min_resource, int max_resource, int reduction_factor) {
  int s_max = 0;
  for (long long resource = static_cast<long long>(min_resource) * reduction_factor;
       resource <= max_resource; resource *= reduction_factor)
    ++s_max;
  const int brackets = s_max + 1;
  std::vector<int> budgets;
  for (int bracket = 0; bracket < brackets; ++bracket) {
    const int s = brackets - 1 - bracket;
    long long power = 1;
    for (int i = 0; i < s; ++i) power *= reduction_factor;
    const long long numerator = static_cast<long long>(brackets) * power;
    budgets.push_back(static_cast<int>((numerator + s) / (s + 1)));  // ceil(numerator / (s + 1))
  }
  return budgets;
}

int hyperband_bracket(const std::string& experiment, int number, const std::vector<int>& budgets) {
  const std::string key = experiment + "_" + std::to_string(number);
  const uLong hash = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(key.data()),
                           static_cast<uInt>(key.size()));
  long long total = 0;
  for (int budget : budgets) total += budget;
  long long n = static_cast<long long>(hash % static_cast<uLong>(total));
  for (std::size_t bracket = 0; bracket < budgets.size(); ++bracket) {
    n -= budgets[bracket];
    if (n < 0) return static_cast<int>(bracket);
  }
  return static_cast<int>(budgets.size()) - 1;  // unreachable: n < total
}

namespace {

// Optuna's HyperbandPruner (Li et al. 2018), brackets of successive halving.
struct HyperbandOptions {
  int min_resource = 1;
  std::optional<int> max_resource;  // nullopt = "auto"
  int reduction_factor = 3;
  int bootstrap_count = 0;

  static HyperbandOptions parse(const ConfigNode& options) {
    check_pruner_option_keys(
        options, {"min_resource", "max_resource", "reduction_factor", "bootstrap_count"});
    HyperbandOptions out;
    out.min_resource = int_option(options, "min_resource", out.min_resource, 1);
    out.max_resource = auto_or_int_option(options, "max_resource", out.max_resource, 1);
    out.reduction_factor = int_option(options, "reduction_factor", out.reduction_factor, 2);
    out.bootstrap_count = int_option(options, "bootstrap_count", out.bootstrap_count, 0);
    if (out.max_resource && *out.max_resource < out.min_resource)
      options.at("max_resource")
          .fail("max_resource " + std::to_string(*out.max_resource) +
                ": expected an integer >= min_resource (" + std::to_string(out.min_resource) + ")");
    if (out.bootstrap_count > 0 && !out.max_resource)
      options.at("bootstrap_count")
          .fail("bootstrap_count > 0 needs an integer max_resource, not 'auto' (as in Optuna)");
    return out;
  }
};

class HyperbandPruner final : public Pruner {
 public:
  HyperbandPruner(const HyperbandOptions& options, bool minimize, std::string experiment)
      : minimize_(minimize), options_(options), experiment_(std::move(experiment)) {}

  std::string name() const override { return "hyperband"; }

  PruneDecision decide(const PrunerTrial& trial, int step,
                       const std::vector<const PrunerTrial*>& peers) override {
    std::optional<int> max_resource = options_.max_resource;
    if (!max_resource) max_resource = largest_completed_step(peers);
    if (!max_resource || *max_resource < options_.min_resource) return {};
    const std::vector<int> budgets =
        hyperband_budgets(options_.min_resource, *max_resource, options_.reduction_factor);
    const int bracket = hyperband_bracket(experiment_, trial.ask_index, budgets);
    std::vector<const PrunerTrial*> same_bracket;
    for (const PrunerTrial* peer : peers)
      if (hyperband_bracket(experiment_, peer->ask_index, budgets) == bracket)
        same_bracket.push_back(peer);
    RungSchedule schedule;
    schedule.min_resource = options_.min_resource;
    schedule.reduction_factor = options_.reduction_factor;
    schedule.min_early_stopping_rate = bracket;
    schedule.bootstrap_count = options_.bootstrap_count;
    return successive_halving_decide(trial, step, same_bracket, schedule, minimize_,
                                     "hyperband pruner (bracket " + std::to_string(bracket) +
                                         " of " + std::to_string(budgets.size()) + ")");
  }

 private:
  bool minimize_;
  HyperbandOptions options_;
  std::string experiment_;
};

}  // namespace

void register_hyperband_pruner(PrunerRegistry& registry) {
  registry.add(
      "hyperband", "rung",
      "Optuna's HyperbandPruner: brackets of successive halving: min_resource, "
      "max_resource, reduction_factor, bootstrap_count",
      [](const ConfigNode& options, const PrunerContext& context) -> std::unique_ptr<Pruner> {
        return std::make_unique<HyperbandPruner>(HyperbandOptions::parse(options), context.minimize,
                                                 context.experiment);
      });
}

}  // namespace tandem
