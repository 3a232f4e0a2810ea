// Evaluator "hw": analytic latency / energy / area from hwmodels/ (registered by issue 3's work).
#include "experiments/evaluator_registry.hpp"

namespace tandem {

void register_hw_evaluator(EvaluatorRegistry&) {}

}  // namespace tandem
