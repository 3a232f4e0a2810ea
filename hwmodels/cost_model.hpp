// CostModel: the interface of every analytic hardware model (systolic, eyeriss, roofline,
// heterogeneous, lookup_table). A model is built from a core::ConfigNode of parameters (the
// accelerator YAML), evaluates LayerWorkloads one at a time, and sums them into a CostReport:
// per layer and in total, MACs, compute / stall / total cycles, latency, utilization, energy by
// component, reads and writes per memory level, plus the accelerator's area and feasibility.
//
// Adding a model: one file pair implementing CostModel + a parameter list, and one line in
// builtin_cost_models.cpp. Formulas and their sources: docs/hwmodels.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/compute_graph.hpp"
#include "core/config_node.hpp"
#include "core/registry.hpp"
#include "hwmodels/workload.hpp"

namespace tandem::hw {

// Energy by component, picojoules.
struct EnergyBreakdown {
  double mac_pj = 0;
  double rf_pj = 0;    // per-PE register files / scratchpads
  double noc_pj = 0;   // inter-PE network / array forwarding
  double sram_pj = 0;  // on-chip SRAM or global buffer
  double dram_pj = 0;  // off-chip memory
  double total_pj() const { return mac_pj + rf_pj + noc_pj + sram_pj + dram_pj; }
  EnergyBreakdown& operator+=(const EnergyBreakdown& other);
};

// Bytes moved at one memory level.
struct Traffic {
  double read_bytes = 0;
  double write_bytes = 0;
  Traffic& operator+=(const Traffic& other) {
    read_bytes += other.read_bytes;
    write_bytes += other.write_bytes;
    return *this;
  }
};

// The cost of one layer (or, in CostReport::total, of the whole network).
struct LayerCost {
  std::string name;
  std::int64_t macs = 0;
  double compute_cycles = 0;
  double stall_cycles = 0;
  double total_cycles() const { return compute_cycles + stall_cycles; }
  double latency_s = 0;     // wall time (models without a clock fill this directly)
  double utilization = 0;   // MACs / (total cycles * PEs), in [0, 1]
  EnergyBreakdown energy;
  Traffic rf;
  Traffic sram;             // SRAM / global buffer
  Traffic dram;
  double noc_bytes = 0;
  bool feasible = true;
  std::string reason;       // why infeasible ("" when feasible)
  std::string mapping;      // model-specific note: chosen tiling, sub-accelerator, ...
};

struct CostReport {
  std::string model;
  std::vector<LayerCost> layers;
  LayerCost total;          // name "total"; utilization = MAC-weighted over the network
  double area_mm2 = 0;
  double frequency_hz = 0;  // 0 when the model has no single clock (roofline, lookup_table)
  bool feasible = true;
  std::string reason;       // first infeasibility (layer name + why)

  double latency_ms() const { return total.latency_s * 1e3; }
  double energy_mj() const { return total.energy.total_pj() * 1e-9; }
};

// One network of a multi-task workload: the task's name and its layers.
struct TaskWorkload {
  std::string task;
  std::vector<LayerWorkload> layers;
};

// One documented parameter of a model (for `tandem hw models` and docs).
struct ParameterDoc {
  std::string name;
  std::string default_value;  // "" = required
  std::string help;
};

class CostModel {
 public:
  virtual ~CostModel() = default;

  virtual std::string name() const = 0;
  // The cost of one layer. Must not throw for a layer the hardware cannot run: return
  // feasible = false with a reason instead. Thread-safe (const, no shared mutable state).
  virtual LayerCost evaluate_layer(const LayerWorkload& layer) const = 0;
  virtual double area_mm2() const = 0;
  // Clock in Hz (0 when the model has no single clock).
  virtual double frequency_hz() const { return 0; }
  // PEs used in utilization (0 when not meaningful).
  virtual double pe_count() const { return 0; }
  // The parsed parameters as YAML (logged verbatim with experiments).
  virtual std::string describe() const = 0;

  // Layers run one after another: totals are sums; utilization is MACs over (cycles * PEs).
  virtual CostReport evaluate(const std::vector<LayerWorkload>& layers) const;
  CostReport evaluate(const ComputeGraph& graph) const {
    return evaluate(lower_graph(graph, lowering_));
  }
  // A multi-task workload, one network per task; the report lists the layers task by task.
  // Default: the networks run one after another (evaluate() on the concatenated layers, each
  // named "TASK/layer" when there is more than one task). Models with parallel units override it
  // (heterogeneous: each network or layer on a sub-accelerator, latency = the busiest one).
  virtual CostReport evaluate_tasks(const std::vector<TaskWorkload>& tasks) const;

  // How graphs are lowered to layers (the common `pooling` parameter of every model).
  const LoweringOptions& lowering() const { return lowering_; }
  void set_lowering(const LoweringOptions& lowering) { lowering_ = lowering; }

 private:
  LoweringOptions lowering_;
};

// Kinds: analytic (latency and energy computed from a model of the hardware), measured (looked up
// in measurements taken on a device).
using CostModelRegistry = Registry<CostModel, const ConfigNode&>;
// Models by config name; filled by register_builtin_cost_models().
CostModelRegistry& cost_model_registry();
void register_builtin_cost_models();
// The documented parameters of a registered model (empty for unknown names).
const std::vector<ParameterDoc>& cost_model_parameters(const std::string& model);
void set_cost_model_parameters(const std::string& model, std::vector<ParameterDoc> parameters);

// The one registration line of a cost model: `Model` is built from `Options::parse(node)` (which
// validates the model's parameters) and `Options::parameters()` documents them for
// `tandem hw models` and docs/hwmodels.md.
template <class Model, class Options>
void add_cost_model(CostModelRegistry& registry, const std::string& name, const std::string& kind,
                    const std::string& help) {
  registry.add(name, kind, help, [](const ConfigNode& node) -> std::unique_ptr<CostModel> {
    return std::make_unique<Model>(Options::parse(node));
  });
  set_cost_model_parameters(name, Options::parameters());
}

// Builds the model named by `config`'s `model` key from the rest of `config`.
std::unique_ptr<CostModel> create_cost_model(const ConfigNode& config);
std::unique_ptr<CostModel> load_cost_model(const std::string& yaml_path);

// Sums `layers` into report.total (sequential execution) and sets feasibility.
void finalize_sequential(CostReport& report, double pe_count);

// --- Parameter helpers shared by the models: errors name the key, the value and the range ---
// A number > 0 (or >= 0 when allow_zero).
double get_positive_double(const ConfigNode& node, const std::string& key, double fallback,
                           bool allow_zero = false);
double get_required_positive_double(const ConfigNode& node, const std::string& key,
                                    bool allow_zero = false);
long long get_positive_int(const ConfigNode& node, const std::string& key, long long fallback);
// The keys a model accepts plus "model" (the selector), "name" (a label) and "pooling" (how
// pooling layers of a graph are costed: skip | depthwise | dense; read by create_cost_model).
void check_model_keys(const ConfigNode& node, const std::vector<ParameterDoc>& parameters);

}  // namespace tandem::hw
