// RooflineModel: CPU / GPU / NPU latency as max(compute time, memory time) + a per-layer launch
// overhead, energy as MACs x pJ/MAC + bytes x pJ/byte.
//
// Source: Williams, Waterman, Patterson, "Roofline: an insightful visual performance model",
// CACM 2009; the per-layer overhead term follows docs/hwmodels.md section 6 (small layers on GPUs
// are launch-bound). Device presets: vendor peak figures (cited per preset in docs/hwmodels.md);
// efficiencies are first-order defaults, to be calibrated against measured latencies.
#pragma once

#include <string>
#include <vector>

#include "hwmodels/cost_model.hpp"

namespace tandem::hw {

struct RooflineDevice {
  std::string name;
  double peak_gmacs = 0;            // peak multiply-accumulates per second / 1e9
  double bandwidth_gbs = 0;         // memory bandwidth, GB/s
  double energy_per_mac_pj = 0;
  double energy_per_byte_pj = 0;
  double launch_us = 0;             // fixed overhead per layer
  double compute_efficiency = 0.5;  // fraction of peak MAC/s reached
  double memory_efficiency = 0.7;   // fraction of peak bandwidth reached
  int bytes_per_element = 4;
  double area_mm2 = 0;              // die area if known (0 = unknown)
};

const std::vector<RooflineDevice>& roofline_presets();

struct RooflineOptions {
  RooflineDevice device;
  static const std::vector<ParameterDoc>& parameters();
  // `preset: NAME` plus any field overrides, or every field given (a user-defined device).
  static RooflineOptions parse(const ConfigNode& node);
  std::string to_yaml() const;
};

class RooflineModel final : public CostModel {
 public:
  explicit RooflineModel(RooflineOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "roofline"; }
  LayerCost evaluate_layer(const LayerWorkload& layer) const override;
  double area_mm2() const override { return options_.device.area_mm2; }
  std::string describe() const override { return options_.to_yaml(); }

 private:
  RooflineOptions options_;
};

}  // namespace tandem::hw
