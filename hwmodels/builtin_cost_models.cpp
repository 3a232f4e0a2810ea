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
  registry.add("systolic", "analytic",
               "SCALE-Sim v2 systolic array (os/ws/is), exact compute cycles",
               [](const ConfigNode& node) -> std::unique_ptr<CostModel> {
                 return std::make_unique<SystolicArrayModel>(SystolicOptions::parse(node));
               });
  set_cost_model_parameters("systolic", SystolicOptions::parameters());
  registry.add("eyeriss", "analytic", "Eyeriss-like row-stationary array with a per-layer mapper",
               [](const ConfigNode& node) -> std::unique_ptr<CostModel> {
                 return std::make_unique<EyerissModel>(EyerissOptions::parse(node));
               });
  set_cost_model_parameters("eyeriss", EyerissOptions::parameters());
  registry.add("roofline", "analytic", "CPU / GPU / NPU roofline with per-layer launch overhead",
               [](const ConfigNode& node) -> std::unique_ptr<CostModel> {
                 return std::make_unique<RooflineModel>(RooflineOptions::parse(node));
               });
  set_cost_model_parameters("roofline", RooflineOptions::parameters());
  registry.add("lookup_table", "measured",
               "per-layer latency/energy measured on a device (CSV lookup)",
               [](const ConfigNode& node) -> std::unique_ptr<CostModel> {
                 return std::make_unique<LookupTableModel>(LookupTableOptions::parse(node));
               });
  set_cost_model_parameters("lookup_table", LookupTableOptions::parameters());
  registry.add("heterogeneous", "analytic", "NASAIC-style chip of parallel sub-accelerators",
               [](const ConfigNode& node) -> std::unique_ptr<CostModel> {
                 return std::make_unique<HeterogeneousModel>(HeterogeneousOptions::parse(node));
               });
  set_cost_model_parameters("heterogeneous", HeterogeneousOptions::parameters());
}

}  // namespace tandem::hw
