// The `hw` evaluator's extra face: besides its metrics it can hand out the whole cost-model report
// of a candidate (per layer: cycles, latency, energy by component), which `tandem report` and
// `tandem dashboard` draw on a trial's page. Create it through evaluator_registry() ("hw") and
// dynamic_cast to this interface.
#pragma once

#include "core/evaluator.hpp"
#include "hwmodels/cost_model.hpp"

namespace tandem {

class CostReportingEvaluator : public Evaluator {
 public:
  // The report the evaluator's metrics are computed from (multi-task spaces: every task's
  // layers, task by task). Errors as evaluate() raises them.
  virtual hw::CostReport cost_report(const Candidate& candidate) = 0;
};

}  // namespace tandem
