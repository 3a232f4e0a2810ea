// The composition root: the one place that fills tandem's registries (search spaces, cost models,
// predictors, strategies, evaluators, pruners). Every entry point calls register_builtins() once
// before it reads a registry: the CLI's main(), the test runner's main() and the benchmarks.
// Nothing below experiments/ registers anything itself.
#pragma once

namespace tandem {

// Fills every registry exactly once (later calls do nothing). A name registered twice is an
// InternalError: two extensions may not share a config name.
void register_builtins();

}  // namespace tandem
