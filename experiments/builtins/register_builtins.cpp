// register_builtins(): every registration of tandem's built-in extensions, run once.
// Adding an extension is one file plus one line in the list of its kind: spaces in
// spaces/builtin_spaces.cpp, cost models in hwmodels/builtin_cost_models.cpp, predictors in
// predictors/predictor_registry.cpp, evaluators in experiments/evaluators/builtin_evaluators.cpp,
// pruners in experiments/pruners/builtin_pruners.cpp, strategies below.
#include "experiments/builtins/register_builtins.hpp"

#include <mutex>

#include "experiments/evaluators/evaluator_registry.hpp"
#include "experiments/pruners/pruner_registry.hpp"
#include "hwmodels/cost_model.hpp"
#include "predictors/predictor.hpp"
#include "predictors/zero_cost_proxies.hpp"
#include "search/model_based/bananas.hpp"
#include "search/model_based/parego.hpp"
#include "search/model_based/predictor_evolution.hpp"
#include "search/multi_objective/nsga2.hpp"
#include "search/multi_objective/decomposed_codesign.hpp"
#include "search/multi_objective/nsga2_prescreen.hpp"
#include "search/multi_objective/pareto_local_search.hpp"
#include "search/oneshot/darts/darts.hpp"
#include "search/oneshot/darts/gdas.hpp"
#include "search/oneshot/darts/pc_darts.hpp"
#include "search/oneshot/darts/rarts.hpp"
#include "search/oneshot/darts/sd_darts.hpp"
#include "search/oneshot/darts/sharp_darts.hpp"
#include "search/oneshot/darts/snas.hpp"
#include "search/oneshot/fewshot/fewshot.hpp"
#include "search/oneshot/single_path/proxyless.hpp"
#include "search/oneshot/single_path/spos.hpp"
#include "search/rl/codesign_rl.hpp"
#include "search/rl/marl.hpp"
#include "search/rl/reinforce.hpp"
#include "search/sampling/local_search.hpp"
#include "search/sampling/random_search.hpp"
#include "search/sampling/regularized_evolution.hpp"
#include "search/strategy.hpp"
#include "search/wrappers/strategy_wrappers.hpp"
#include "spaces/search_space.hpp"

namespace tandem {
namespace {

void register_builtin_strategies(StrategyRegistry& registry) {
  register_random_search(registry);
  register_regularized_evolution(registry);
  register_local_search(registry);
  register_nsga2(registry);
  // synflow (data-free) from predictors/, which the search rooms may not link.
  register_nsga2_prescreen(registry, {{"synflow", [](const ComputeGraph& graph) {
                                         return ZeroCostScorer(graph).score_one("synflow", nullptr);
                                       }}});
  register_pareto_local_search(registry);
  register_decomposed_codesign(registry);
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
  register_parego(registry);
  register_proxyless(registry);
  register_spos(registry);
  register_fewshot(registry);
  register_strategy_wrappers(registry);
}

}  // namespace

void register_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_builtin_spaces();
    hw::register_builtin_cost_models();
    register_builtin_predictors();
    register_builtin_strategies(strategy_registry());
    register_builtin_evaluators();
    register_builtin_pruners();
  });
}

}  // namespace tandem
