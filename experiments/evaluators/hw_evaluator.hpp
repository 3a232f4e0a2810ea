// The `hw` evaluator's extra face: besides its metrics it can hand out the whole cost-model report
// of a candidate (per layer: cycles, latency, energy by component), which `tandem report` and
// `tandem dashboard` draw on a trial's page. Create it through evaluator_registry() ("hw") and
// dynamic_cast to this interface.
#pragma once

#include <memory>

#include "core/evaluator.hpp"
#include "hwmodels/cost_model.hpp"

namespace tandem {

class CostReportingEvaluator : public Evaluator {
 public:
  // The report the evaluator's metrics are computed from (multi-task spaces: every task's
  // layers, task by task). Errors as evaluate() raises them.
  virtual hw::CostReport cost_report(const Candidate& candidate) = 0;
  // The cost model `candidate` is costed on (the fixed accelerator, or the candidate's accelerator
  // part with the evaluator's defaults), built once per accelerator. Errors as evaluate() raises.
  virtual std::shared_ptr<const hw::CostModel> cost_model(const Candidate& candidate) = 0;
  // True when the evaluator costs its own fixed network (options.onnx), not the candidate's.
  virtual bool costs_fixed_network() const = 0;
};

}  // namespace tandem
