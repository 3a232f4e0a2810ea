// EyerissModel: an Eyeriss-like row-stationary spatial array (PE rows x cols, per-PE ifmap /
// weight / psum scratchpads, a global buffer, a NoC, DRAM) costed with an Accelergy-style
// per-access energy table; each layer is mapped by the row-stationary mapper
// (row_stationary_mapper.hpp) for minimum energy, latency or EDP.
//
// Sources: Chen et al., ISCA 2016 and JSSC 2017 (Eyeriss: 12 x 14 PEs, 108 KB GLB, spads of
// 12 / 224 / 24 16-bit words, 200 MHz); Wu, Emer, Sze, "Accelergy", ICCAD 2019 (energy =
// actions x energy per action); Timeloop eyeriss_like example (timeloop-accelergy-exercises,
// example_designs/eyeriss_like) for the 32/45 nm tables. GLB tiling against DRAM: ours
// (docs/hwmodels.md, "eyeriss").
#pragma once

#include <string>
#include <vector>

#include "hwmodels/cost_model.hpp"
#include "hwmodels/row_stationary_mapper.hpp"

namespace tandem::hw {

struct EyerissOptions {
  RowStationaryArray array;
  double glb_kb = 108;
  double dram_bytes_per_cycle = 8;  // 0 = unlimited
  double frequency_mhz = 200;
  MapperObjective objective = MapperObjective::edp;
  EnergyTable energy;

  static const std::vector<ParameterDoc>& parameters();
  static EyerissOptions parse(const ConfigNode& node);
  std::string to_yaml() const;
};

// How the layer's tensors are staged in the GLB against DRAM (the outer level of the mapping).
struct GlbTiling {
  bool fits = false;
  double dram_read_words = 0;
  double dram_write_words = 0;
  std::string describe;
};
// The tiling with the least DRAM traffic among: ifmap resident (filters streamed), psums resident
// (ifmap channels streamed), filter chunks with the ifmap re-read per chunk, output-row chunks
// with the weights re-read per chunk. `fits` is false when not even the smallest tile fits.
GlbTiling best_glb_tiling(const LayerWorkload& layer, double glb_words);

class EyerissModel final : public CostModel {
 public:
  explicit EyerissModel(EyerissOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "eyeriss"; }
  LayerCost evaluate_layer(const LayerWorkload& layer) const override;
  double area_mm2() const override;
  double frequency_hz() const override { return options_.frequency_mhz * 1e6; }
  double pe_count() const override {
    return double(options_.array.pe_rows) * options_.array.pe_cols;
  }
  std::string describe() const override { return options_.to_yaml(); }
  const EyerissOptions& options() const { return options_; }

 private:
  EyerissOptions options_;
};

}  // namespace tandem::hw
