// register_builtin_cost_models(): the one place that lists every built-in cost model.
#include "hwmodels/cost_model.hpp"
#include "hwmodels/eyeriss_model.hpp"
#include "hwmodels/heterogeneous_model.hpp"
#include "hwmodels/lookup_table_model.hpp"
#include "hwmodels/roofline_model.hpp"
#include "hwmodels/systolic_model.hpp"

namespace tandem::hw {

void register_builtin_cost_models() {
  CostModelRegistry& registry = cost_model_registry();
  add_cost_model<SystolicArrayModel, SystolicOptions>(registry, "systolic", "analytic",
      "SCALE-Sim v2 systolic array (os/ws/is), exact compute cycles");
  add_cost_model<EyerissModel, EyerissOptions>(registry, "eyeriss", "analytic",
      "Eyeriss-like row-stationary array with a per-layer mapper");
  add_cost_model<RooflineModel, RooflineOptions>(registry, "roofline", "analytic",
      "CPU / GPU / NPU roofline with per-layer launch overhead");
  add_cost_model<LookupTableModel, LookupTableOptions>(registry, "lookup_table", "measured",
      "per-layer latency/energy measured on a device (CSV lookup)");
  add_cost_model<HeterogeneousModel, HeterogeneousOptions>(registry, "heterogeneous", "analytic",
      "NASAIC-style chip of parallel sub-accelerators");
}

}  // namespace tandem::hw
