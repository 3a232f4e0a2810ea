// HeterogeneousModel: a NASAIC-style chip of several sub-accelerators, each built from a dataflow
// template with its own share of PEs and DRAM bandwidth:
//   os  output stationary, ShiDianNao-like  -> SystolicArrayModel(dataflow os)
//   ws  weight stationary, NVDLA-like       -> SystolicArrayModel(dataflow ws)
//   rs  row stationary, Eyeriss-like        -> EyerissModel
// Each network of a multi-task workload is assigned to one sub-accelerator (assignment: tasks),
// or each layer goes to the sub-accelerator that runs it fastest (assignment: layers).
// Sub-accelerators run in parallel: chip latency = max over sub-accelerators of the time of the
// work assigned to it (and, in layers mode, at least each network's own sequential time);
// energy = sum; area = sum of the sub-accelerators' areas. Design specs (latency, energy, area)
// make the report infeasible with a reason.
//
// Source: Yang et al., "Co-Exploration of Neural Architectures and Heterogeneous ASIC
// Accelerator Designs Targeting Multiple Tasks" (NASAIC), DAC 2020, arXiv 2002.04116; its
// per-template costs came from MAESTRO (Kwon et al., MICRO 2019), ours from our systolic and
// eyeriss models.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hwmodels/cost_model.hpp"
#include "hwmodels/energy_table.hpp"

namespace tandem::hw {

struct DesignSpecs {
  double max_latency_ms = 0;  // 0 = no limit
  double max_energy_mj = 0;
  double max_area_mm2 = 0;
};

struct HeterogeneousOptions {
  struct SubAccelerator {
    std::string template_name;  // os | ws | rs
    std::shared_ptr<const CostModel> model;
    double bandwidth_share = 0;
  };
  std::vector<SubAccelerator> subs;
  bool per_layer = false;          // assignment: layers
  std::vector<int> task_assignment;  // network i -> sub-accelerator index
  double dram_bytes_per_cycle = 32;
  double frequency_mhz = 500;
  DesignSpecs specs;
  std::string yaml;  // the parsed configuration, for describe()

  static const std::vector<ParameterDoc>& parameters();
  static HeterogeneousOptions parse(const ConfigNode& node);
};

class HeterogeneousModel final : public CostModel {
 public:
  explicit HeterogeneousModel(HeterogeneousOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "heterogeneous"; }
  // The layer on its best sub-accelerator (layers mode) or on task 0's sub-accelerator.
  LayerCost evaluate_layer(const LayerWorkload& layer) const override;
  double area_mm2() const override;
  double frequency_hz() const override { return options_.frequency_mhz * 1e6; }
  std::string describe() const override { return options_.yaml; }
  CostReport evaluate(const std::vector<LayerWorkload>& layers) const override;
  // The networks in parallel on the sub-accelerators; with more than one network, the i-th
  // network's layer names get a "task<i>/" prefix.
  CostReport evaluate_tasks(const std::vector<TaskWorkload>& tasks) const override;
  std::size_t sub_accelerator_count() const { return options_.subs.size(); }

 private:
  LayerCost on_sub(const LayerWorkload& layer, std::size_t sub) const;
  LayerCost best_sub(const LayerWorkload& layer, std::size_t& chosen) const;
  HeterogeneousOptions options_;
};

}  // namespace tandem::hw
