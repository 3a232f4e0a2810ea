// The strategy registry (filled by experiments/builtins, the composition root).
#include "search/strategy.hpp"

namespace tandem {

StrategyRegistry& strategy_registry() {
  static StrategyRegistry registry(
      "search strategy",
      {"black-box", "multi-objective", "model-based", "rl", "weight-sharing", "wrapper"});
  return registry;
}

}  // namespace tandem
