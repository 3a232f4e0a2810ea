// PrunerOptions: the experiment config's `pruner:` section as the trial loop needs it: which pruner
// (a name in the pruner registry, pruner_registry.hpp), the ONE metric it judges and its ONE
// direction (so pruning works for multi-objective experiments too), and the pruner's own `options`
// node, which the pruner's file parses and validates itself. docs/pruners.md has the rules,
// defaults and sources of each pruner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "core/objective.hpp"

namespace tandem {

struct PrunerOptions {
  std::string name;    // a registered pruner (median, successive_halving, hyperband, ...)
  std::string metric;  // the intermediate value judged
  // True when `metric` was not given: then it is the first objective's metric, and a report that
  // lacks it but has "val_<metric>" is judged on that (the train evaluator reports its final
  // `accuracy`/`loss` per epoch as `val_accuracy`/`val_loss`).
  bool metric_from_objective = false;
  bool minimize = false;  // direction of `metric`
  ConfigNode options;     // the pruner's `options:` mapping (may be absent): the pruner parses it
  ConfigNode node;        // the `pruner:` node, for error locations
};

// Parses `pruner: NAME` or `pruner: {name: NAME, options: {...}}` and validates it completely,
// the pruner's own options included (by building the pruner once). Unknown names, keys or bad
// values throw ConfigError at file:line:column naming the value and what is accepted.
PrunerOptions parse_pruner_options(const ConfigNode& node,
                                   const std::vector<Objective>& objectives);

// For a pruner's factory: rejects keys of `options` other than the shared `metric` and
// `direction` and the pruner's own `keys`.
void check_pruner_option_keys(const ConfigNode& options, const std::vector<std::string>& keys);

// `key: auto` (nullopt) or an integer in [low, INT_MAX]; `fallback` when absent.
std::optional<int> auto_or_int_option(const ConfigNode& options, const std::string& key,
                                      std::optional<int> fallback, long long low);
// An integer in [low, INT_MAX]; `fallback` when absent.
int int_option(const ConfigNode& options, const std::string& key, int fallback, long long low);

}  // namespace tandem
