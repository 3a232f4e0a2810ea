// SystolicArrayModel: a Rows x Cols systolic PE array with output-, weight- or input-stationary
// dataflow and double-buffered ifmap / filter / ofmap SRAMs in front of DRAM.
//
// Source: SCALE-Sim v2 (Samajdar et al., ISPASS 2020, arXiv 1811.02883;
// github.com/scalesim-project/scale-sim-v2, compute/systolic_compute_{os,ws,is}.py). Compute
// cycles reproduce SCALE-Sim v2 exactly (fold formulas, docs/hwmodels.md section 1); SRAM reads
// follow its counting; DRAM traffic and stalls are our analytic model (SCALE-Sim traces
// addresses instead), stated in docs/hwmodels.md.
#pragma once

#include <string>
#include <vector>

#include "hwmodels/cost_model.hpp"
#include "hwmodels/energy_table.hpp"

namespace tandem::hw {

enum class Dataflow { os, ws, is };
std::string to_string(Dataflow dataflow);

struct SystolicOptions {
  int rows = 32;
  int cols = 32;
  Dataflow dataflow = Dataflow::os;
  double ifmap_sram_kb = 64;
  double filter_sram_kb = 64;
  double ofmap_sram_kb = 64;
  int word_bytes = 1;
  double dram_bytes_per_cycle = 16;  // 0 = unlimited (SCALE-Sim's CALC mode: no stalls)
  double frequency_mhz = 500;
  bool scalesim_output_size = false;  // use SCALE-Sim's ceil((H-R+s)/s) on the padded input
  EnergyTable energy;

  static const std::vector<ParameterDoc>& parameters();
  static SystolicOptions parse(const ConfigNode& node);
  std::string to_yaml() const;
};

// The per-GEMM fold arithmetic, exposed for tests and for the heterogeneous model.
struct SystolicFolds {
  std::int64_t spatial_rows = 0;  // Sr
  std::int64_t spatial_cols = 0;  // Sc
  std::int64_t temporal = 0;      // T
  std::int64_t row_folds = 0;     // Fr = ceil(Sr / Rows)
  std::int64_t col_folds = 0;     // Fc = ceil(Sc / Cols)
  std::int64_t cycles_per_fold = 0;
  std::int64_t cycles = 0;        // Fr * Fc * Tfold - 1 (SCALE-Sim reports the last cycle index)
};
SystolicFolds systolic_folds(const GemmShape& gemm, int rows, int cols, Dataflow dataflow);

class SystolicArrayModel final : public CostModel {
 public:
  explicit SystolicArrayModel(SystolicOptions options);

  std::string name() const override { return "systolic"; }
  LayerCost evaluate_layer(const LayerWorkload& layer) const override;
  double area_mm2() const override;
  double frequency_hz() const override { return options_.frequency_mhz * 1e6; }
  double pe_count() const override { return double(options_.rows) * options_.cols; }
  std::string describe() const override { return options_.to_yaml(); }
  const SystolicOptions& options() const { return options_; }

 private:
  SystolicOptions options_;
};

}  // namespace tandem::hw
