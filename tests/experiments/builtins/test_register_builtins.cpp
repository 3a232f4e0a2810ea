// The composition root (experiments/builtins/register_builtins.cpp): after register_builtins()
// (the test runner's main() calls it), every built-in extension is registered under its config name
// with the kind docs/strategies.md, docs/pruners.md and the registry headers give it, a second
// call registers nothing twice, and every entry has a one-line help text.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "experiments/builtins/register_builtins.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "experiments/pruners/pruner_registry.hpp"
#include "hwmodels/cost_model.hpp"
#include "predictors/predictor.hpp"
#include "search/strategy.hpp"
#include "spaces/search_space.hpp"

using namespace tandem;

namespace {

using Names = std::vector<std::string>;

template <class Registry>
void check_one_line_help(const Registry& registry) {
  for (const auto& name : registry.names()) {
    CAPTURE(name);
    CHECK_FALSE(registry.help(name).empty());
    CHECK(registry.help(name).find('\n') == std::string::npos);
  }
}

}  // namespace

TEST_CASE("the built-in strategies by kind") {
  const StrategyRegistry& strategies = strategy_registry();
  CHECK(strategies.names_of_kind("black-box") ==
        Names{"local_search", "random", "regularized_evolution"});
  CHECK(strategies.names_of_kind("multi-objective") ==
        Names{"decomposed_codesign", "nsga2", "nsga2_prescreen", "parego",
              "pareto_local_search"});
  CHECK(strategies.names_of_kind("model-based") == Names{"bananas", "predictor_evolution"});
  CHECK(strategies.names_of_kind("rl") == Names{"codesign_rl", "marl", "reinforce"});
  CHECK(strategies.names_of_kind("weight-sharing") ==
        Names{"darts", "fewshot_exhaustive", "fewshot_gm", "gdas", "pc_darts", "proxyless", "rarts",
              "sd_darts", "sharp_darts", "snas", "spos"});
  CHECK(strategies.names_of_kind("wrapper") == Names{"constraint_filter", "deduplicate", "retry"});
  check_one_line_help(strategies);
}

TEST_CASE("the built-in spaces, cost models, predictors and evaluators by kind") {
  const SpaceRegistry& spaces = space_registry();
  CHECK(spaces.names_of_kind("accelerator") ==
        Names{"eyeriss_hw", "heterogeneous_hw", "systolic_hw"});
  CHECK(spaces.names_of_kind("joint") == Names{"joint"});
  CHECK(spaces.names_of_kind("multitask") == Names{"multitask"});
  const PredictorRegistry& predictors = predictor_registry();
  CHECK(predictors.names_of_kind("linear") == Names{"ridge"});
  CHECK(predictors.names_of_kind("kernel") == Names{"gp"});
  CHECK(predictors.names_of_kind("tree") == Names{"xgboost"});
  CHECK(predictors.names_of_kind("neural") == Names{"mlp_ensemble", "pretrained"});
  const EvaluatorRegistry& evaluators = evaluator_registry();
  CHECK(evaluators.names_of_kind("training") == Names{"train"});
  CHECK(evaluators.names_of_kind("lookup") == Names{"table"});
  CHECK(evaluators.names_of_kind("hardware") == Names{"hw"});
  CHECK(evaluators.names_of_kind("static") == Names{"graph_stats"});
  CHECK(evaluators.names_of_kind("zero-cost") == Names{"proxy"});
  CHECK(evaluators.names_of_kind("surrogate") == Names{"predictor"});
  CHECK(evaluators.names_of_kind("synthetic") == Names{"synthetic"});
  check_one_line_help(spaces);
  check_one_line_help(hw::cost_model_registry());
  check_one_line_help(predictors);
  check_one_line_help(evaluators);
}

TEST_CASE("the built-in pruners by kind, in the order docs/pruners.md lists them") {
  const PrunerRegistry& pruners = pruner_registry();
  CHECK(pruners.names_of_kind("percentile") == Names{"median"});
  CHECK(pruners.names_of_kind("rung") == Names{"hyperband", "successive_halving"});
  CHECK(pruners.names_of_kind("learning-curve") == Names{"learning_curve"});
  CHECK(pruners.names_in_registration_order() ==
        Names{"median", "successive_halving", "hyperband", "learning_curve"});
  check_one_line_help(pruners);
}

TEST_CASE("register_builtins() runs once: a second call registers nothing twice") {
  const auto before = strategy_registry().names().size();
  CHECK_NOTHROW(register_builtins());
  CHECK(strategy_registry().names().size() == before);
}
