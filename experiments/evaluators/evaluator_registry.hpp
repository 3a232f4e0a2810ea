// The evaluator extension point: evaluators are created by config name ("graph_stats", "hw",
// "train", "table", ...) from their options and the experiment's space.
#pragma once

#include <cstdint>
#include <string>

#include "core/config_node.hpp"
#include "core/evaluator.hpp"
#include "core/registry.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

struct EvaluatorContext {
  const SearchSpace& space;
  const ConfigNode& options;   // the evaluator's `options` mapping (may be absent)
  std::uint64_t seed = 0;
  std::string config_dir;      // folder of the experiment file: relative paths resolve here
  std::string experiment;      // the experiment's name ("" outside a run)
};

// Kinds: training (trains the candidate), lookup (reads a benchmark table), hardware (a cost
// model's latency/energy/area), static (graph statistics), zero-cost (proxies at initialisation),
// surrogate (a fitted predictor), synthetic (fixed-cost trials for tests and benchmarks), external
// (a user's own program run per trial: `command`).
using EvaluatorRegistry = Registry<Evaluator, const EvaluatorContext&>;
EvaluatorRegistry& evaluator_registry();
void register_builtin_evaluators();

// Each evaluator file provides one registration function, called by register_builtin_evaluators.
void register_graph_stats_evaluator(EvaluatorRegistry& registry);
void register_hw_evaluator(EvaluatorRegistry& registry);
void register_table_evaluator(EvaluatorRegistry& registry);
void register_train_evaluator(EvaluatorRegistry& registry);
void register_synthetic_evaluator(EvaluatorRegistry& registry);
void register_predictor_evaluator(EvaluatorRegistry& registry);
void register_proxy_evaluator(EvaluatorRegistry& registry);
void register_command_evaluator(EvaluatorRegistry& registry);

}  // namespace tandem
