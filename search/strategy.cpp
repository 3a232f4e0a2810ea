// Strategy helpers and the strategy registry.
#include "search/strategy.hpp"

#include <cmath>

#include "search/bananas.hpp"
#include "search/codesign_rl.hpp"
#include "search/darts.hpp"
#include "search/fewshot.hpp"
#include "search/gdas.hpp"
#include "search/local_search.hpp"
#include "search/marl.hpp"
#include "search/nsga2.hpp"
#include "search/pc_darts.hpp"
#include "search/predictor_evolution.hpp"
#include "search/proxyless.hpp"
#include "search/random_search.hpp"
#include "search/rarts.hpp"
#include "search/regularized_evolution.hpp"
#include "search/reinforce.hpp"
#include "search/sd_darts.hpp"
#include "search/sharp_darts.hpp"
#include "search/snas.hpp"
#include "search/spos.hpp"
#include "search/strategy_wrappers.hpp"

namespace tandem {

std::optional<double> oriented_value(const TrialResult& result, const Objective& objective) {
  if (result.status != TrialStatus::complete) return std::nullopt;
  auto value = result.metrics.find(objective.metric);
  if (!value || std::isnan(*value)) return std::nullopt;
  return objective.minimize ? -*value : *value;
}

StrategyRegistry& strategy_registry() {
  static StrategyRegistry registry("search strategy");
  return registry;
}

void register_builtin_strategies() {
  StrategyRegistry& registry = strategy_registry();
  register_random_search(registry);
  register_regularized_evolution(registry);
  register_local_search(registry);
  register_nsga2(registry);
  register_reinforce(registry);
  register_marl(registry);
  register_codesign_rl(registry);
  register_darts(registry);
  register_pc_darts(registry);
  register_rarts(registry);
  register_sharp_darts(registry);
  register_sd_darts(registry);
  register_gdas(registry);
  register_snas(registry);
  register_bananas(registry);
  register_predictor_evolution(registry);
  register_proxyless(registry);
  register_spos(registry);
  register_fewshot(registry);
  register_strategy_wrappers(registry);
}

}  // namespace tandem
