// The evaluator registry and register_builtin_evaluators(): the one list of built-in evaluators.
#include "experiments/evaluators/evaluator_registry.hpp"

namespace tandem {

EvaluatorRegistry& evaluator_registry() {
  static EvaluatorRegistry registry("evaluator", {"training", "lookup", "hardware", "static",
                                                  "zero-cost", "surrogate", "synthetic", "external"});
  return registry;
}

void register_builtin_evaluators() {
  EvaluatorRegistry& registry = evaluator_registry();
  register_graph_stats_evaluator(registry);
  register_hw_evaluator(registry);
  register_table_evaluator(registry);
  register_train_evaluator(registry);
  register_synthetic_evaluator(registry);
  register_predictor_evaluator(registry);
  register_proxy_evaluator(registry);
  register_command_evaluator(registry);
}

}  // namespace tandem
