// The predictor registry and the registration of the built-in predictors (see predictor.hpp).
// One line per predictor; each factory reads and validates its own Options from ctx.options.
#include "core/registry.hpp"
#include "predictors/gp_predictor.hpp"
#include "predictors/mlp_ensemble.hpp"
#include "predictors/predictor.hpp"
#include "predictors/pretrained_predictor.hpp"
#include "predictors/ridge_predictor.hpp"
#include "predictors/xgboost_predictor.hpp"

namespace tandem {

PredictorRegistry& predictor_registry() {
  static PredictorRegistry registry("predictor", {"linear", "kernel", "tree", "neural"});
  return registry;
}

void register_builtin_predictors() {
  PredictorRegistry& registry = predictor_registry();
  register_ridge(registry);
  register_gp(registry);
  register_xgboost(registry);
  register_pretrained(registry);
  register_mlp_ensemble(registry);
}

}  // namespace tandem
