// The pruner extension point: pruners are created by config name ("median", "hyperband", ...) from
// their own `options` node, which each pruner's file parses and validates. Adding a pruner is one
// file (a Pruner and its register_*_pruner function) plus one line in builtin_pruners.cpp
// (docs/pruners.md, "Adding a pruner").
//
// Kinds (Registry's vocabulary):
//   percentile      compares the trial with a percentile of its peers at the same step (median)
//   rung            successive-halving rungs: promote the best fraction at each rung
//                   (successive_halving, hyperband)
//   learning-curve  predicts the trial's final value from its curve (learning_curve)
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/config_node.hpp"
#include "core/registry.hpp"
#include "experiments/pruners/pruner.hpp"
#include "experiments/pruners/pruner_options.hpp"

namespace tandem {

// What a pruner may need besides its options.
struct PrunerContext {
  bool minimize = false;   // direction of the judged metric
  std::string experiment;  // the experiment's name (Hyperband hashes it with the trial number)
  std::uint64_t seed = 0;  // the experiment's seed (the learning-curve SVR's search)
};

using PrunerRegistry = Registry<Pruner, const ConfigNode&, const PrunerContext&>;
PrunerRegistry& pruner_registry();
// Registers every built-in pruner (builtin_pruners.cpp); called by register_builtins().
void register_builtin_pruners();

// Each pruner file provides one registration function, called by register_builtin_pruners.
void register_median_pruner(PrunerRegistry& registry);
void register_successive_halving_pruner(PrunerRegistry& registry);
void register_hyperband_pruner(PrunerRegistry& registry);
void register_learning_curve_pruner(PrunerRegistry& registry);

}  // namespace tandem
