// The pruner registry and register_builtin_pruners(): the one list of built-in pruners, in the
// order error messages and docs/pruners.md list them.
#include "experiments/pruners/pruner_registry.hpp"

namespace tandem {

PrunerRegistry& pruner_registry() {
  static PrunerRegistry registry("pruner", {"percentile", "rung", "learning-curve"});
  return registry;
}

void register_builtin_pruners() {
  PrunerRegistry& registry = pruner_registry();
  register_median_pruner(registry);
  register_successive_halving_pruner(registry);
  register_hyperband_pruner(registry);
  register_learning_curve_pruner(registry);
}

std::unique_ptr<Pruner> make_pruner(const PrunerOptions& options, const std::string& experiment,
                                    std::uint64_t seed) {
  return pruner_registry().create(options.name, options.options,
                                  PrunerContext{options.minimize, experiment, seed});
}

}  // namespace tandem
