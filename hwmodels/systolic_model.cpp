// SystolicArrayModel: SCALE-Sim v2 fold arithmetic, SRAM/DRAM counting, stalls, energy, area
// (see systolic_model.hpp; every formula is restated in docs/hwmodels.md section "systolic").
#include "hwmodels/systolic_model.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"
#include "hwmodels/area.hpp"

namespace tandem::hw {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// SCALE-Sim's output size on the padded input: ceil((Hp - R + s) / s).
int scalesim_out(int size, int pad, int kernel, int stride) {
  const int padded = size + 2 * pad;
  return static_cast<int>(ceil_div(padded - kernel + stride, stride));
}

}  // namespace

std::string to_string(Dataflow dataflow) {
  switch (dataflow) {
    case Dataflow::os: return "os";
    case Dataflow::ws: return "ws";
    case Dataflow::is: return "is";
  }
  return "os";
}

const std::vector<ParameterDoc>& SystolicOptions::parameters() {
  static const std::vector<ParameterDoc> docs = {
      {"rows", "32", "PE array rows (ArrayHeight)"},
      {"cols", "32", "PE array columns (ArrayWidth)"},
      {"dataflow", "os", "os (output stationary), ws (weight stationary), is (input stationary)"},
      {"ifmap_sram_kb", "64", "ifmap SRAM size in KB (double-buffered: half is active)"},
      {"filter_sram_kb", "64", "filter SRAM size in KB"},
      {"ofmap_sram_kb", "64", "ofmap SRAM size in KB"},
      {"word_bytes", "1", "bytes per operand word"},
      {"dram_bytes_per_cycle", "16", "DRAM bandwidth in bytes per cycle; 0 = unlimited (no stalls)"},
      {"frequency_mhz", "500", "clock in MHz"},
      {"scalesim_output_size", "false",
       "true: output size ceil((H+2p-R+s)/s) as SCALE-Sim; false: conv arithmetic"},
      {"energy_table", "accelergy_45nm",
       "accelergy_32nm | accelergy_45nm | eyeriss_normalized | {base: PRESET, field: pJ, ...}"},
  };
  return docs;
}

SystolicOptions SystolicOptions::parse(const ConfigNode& node) {
  check_model_keys(node, parameters());
  SystolicOptions o;
  o.rows = static_cast<int>(get_positive_int(node, "rows", o.rows));
  o.cols = static_cast<int>(get_positive_int(node, "cols", o.cols));
  const std::string dataflow = node.get_choice("dataflow", "os", {"os", "ws", "is"});
  o.dataflow = dataflow == "ws" ? Dataflow::ws : dataflow == "is" ? Dataflow::is : Dataflow::os;
  o.ifmap_sram_kb = get_positive_double(node, "ifmap_sram_kb", o.ifmap_sram_kb);
  o.filter_sram_kb = get_positive_double(node, "filter_sram_kb", o.filter_sram_kb);
  o.ofmap_sram_kb = get_positive_double(node, "ofmap_sram_kb", o.ofmap_sram_kb);
  o.word_bytes = static_cast<int>(node.get_int_in("word_bytes", o.word_bytes, 1, 8));
  o.dram_bytes_per_cycle =
      get_positive_double(node, "dram_bytes_per_cycle", o.dram_bytes_per_cycle, true);
  o.frequency_mhz = get_positive_double(node, "frequency_mhz", o.frequency_mhz);
  o.scalesim_output_size = node.get_bool("scalesim_output_size", false);
  o.energy = parse_energy_table(node.optional("energy_table"), "accelergy_45nm");
  return o;
}

std::string SystolicOptions::to_yaml() const {
  return "{model: systolic, rows: " + std::to_string(rows) + ", cols: " + std::to_string(cols) +
         ", dataflow: " + to_string(dataflow) + ", ifmap_sram_kb: " + format_number(ifmap_sram_kb) +
         ", filter_sram_kb: " + format_number(filter_sram_kb) +
         ", ofmap_sram_kb: " + format_number(ofmap_sram_kb) +
         ", word_bytes: " + std::to_string(word_bytes) +
         ", dram_bytes_per_cycle: " + format_number(dram_bytes_per_cycle) +
         ", frequency_mhz: " + format_number(frequency_mhz) +
         ", scalesim_output_size: " + (scalesim_output_size ? "true" : "false") +
         ", energy_table: " + energy.to_yaml() + "}";
}

SystolicFolds systolic_folds(const GemmShape& gemm, int rows, int cols, Dataflow dataflow) {
  SystolicFolds f;
  switch (dataflow) {
    case Dataflow::os:  // Sr = P, Sc = M, T = K
      f.spatial_rows = gemm.p;
      f.spatial_cols = gemm.m;
      f.temporal = gemm.k;
      break;
    case Dataflow::ws:  // Sr = K, Sc = M, T = P
      f.spatial_rows = gemm.k;
      f.spatial_cols = gemm.m;
      f.temporal = gemm.p;
      break;
    case Dataflow::is:  // Sr = K, Sc = P, T = M
      f.spatial_rows = gemm.k;
      f.spatial_cols = gemm.p;
      f.temporal = gemm.m;
      break;
  }
  f.row_folds = ceil_div(f.spatial_rows, rows);
  f.col_folds = ceil_div(f.spatial_cols, cols);
  // OS: operands stream in skewed and outputs drain while streaming: T + Rows + Cols - 2.
  // WS/IS: Rows cycles of preload, then T rows with (Rows-1) skew and (Cols-1) drain.
  f.cycles_per_fold = dataflow == Dataflow::os ? f.temporal + rows + cols - 2
                                               : f.temporal + 2 * rows + cols - 2;
  f.cycles = f.row_folds * f.col_folds * f.cycles_per_fold - 1;
  return f;
}

SystolicArrayModel::SystolicArrayModel(SystolicOptions options) : options_(std::move(options)) {}

double SystolicArrayModel::area_mm2() const {
  const double pes = area::systolic_pe_um2(8 * options_.word_bytes) * options_.rows *
                     options_.cols / area::kUm2PerMm2;
  return pes + area::sram_mm2(options_.ifmap_sram_kb + options_.filter_sram_kb +
                              options_.ofmap_sram_kb);
}

LayerCost SystolicArrayModel::evaluate_layer(const LayerWorkload& layer) const {
  const SystolicOptions& o = options_;
  GemmShape gemm = to_gemm(layer);
  if (o.scalesim_output_size && layer.type != LayerType::fc)
    gemm.p = std::int64_t{layer.n} * scalesim_out(layer.h, layer.pad, layer.r, layer.stride) *
             scalesim_out(layer.w, layer.pad, layer.s, layer.stride);
  const SystolicFolds f = systolic_folds(gemm, o.rows, o.cols, o.dataflow);
  const double word = o.word_bytes;
  const double count = static_cast<double>(gemm.count);
  const double P = static_cast<double>(gemm.p), K = static_cast<double>(gemm.k),
               M = static_cast<double>(gemm.m);
  const double Fr = static_cast<double>(f.row_folds), Fc = static_cast<double>(f.col_folds);

  LayerCost cost;
  cost.name = layer.name;
  cost.macs = gemm.macs();
  // Depthwise / grouped: SCALE-Sim runs the per-group layers one after another.
  cost.compute_cycles = count * static_cast<double>(f.cycles);

  // SRAM reads feeding the array and ofmap SRAM writes, per SCALE-Sim's counting (words):
  //   OS: ifmap Fc*P*K, filter Fr*K*M, ofmap P*M (SCALE-Sim adds Fr*Fc*(Rows+Cols), an artefact)
  //   WS: ifmap Fc*P*K, filter K*M,    ofmap Fr*P*M (partial sums written per row fold)
  //   IS: ifmap P*K,    filter Fc*K*M, ofmap Fr*P*M
  double ifmap_reads = 0, filter_reads = 0, ofmap_writes = 0;
  // How many times the streaming schedule re-reads each operand (used for DRAM re-fetches).
  double ifmap_passes = 1, filter_passes = 1;
  switch (o.dataflow) {
    case Dataflow::os:
      ifmap_reads = Fc * P * K;
      filter_reads = Fr * K * M;
      ofmap_writes = P * M;
      ifmap_passes = Fc;
      filter_passes = Fr;
      break;
    case Dataflow::ws:
      ifmap_reads = Fc * P * K;
      filter_reads = K * M;
      ofmap_writes = Fr * P * M;
      ifmap_passes = Fc;
      break;
    case Dataflow::is:
      ifmap_reads = P * K;
      filter_reads = Fc * K * M;
      ofmap_writes = Fr * P * M;
      filter_passes = Fc;
      break;
  }
  ifmap_reads *= count;
  filter_reads *= count;
  ofmap_writes *= count;

  // DRAM (our model): an operand whose per-group footprint fits in the active half of its
  // double-buffered SRAM is fetched once; otherwise once per pass of the fold schedule.
  const double ifmap_half = o.ifmap_sram_kb * 1024 / 2;
  const double filter_half = o.filter_sram_kb * 1024 / 2;
  const double ofmap_half = o.ofmap_sram_kb * 1024 / 2;
  const double ifmap_words = static_cast<double>(layer.ifmap_touched_words());
  const double filter_words = K * M * count;
  const double ifmap_fits = ifmap_words / count * word <= ifmap_half;
  const double filter_fits = K * M * word <= filter_half;
  const double dram_ifmap = ifmap_words * (ifmap_fits ? 1 : ifmap_passes);
  const double dram_filter = filter_words * (filter_fits ? 1 : filter_passes);
  const double dram_ofmap = ofmap_writes;

  cost.sram.read_bytes = (ifmap_reads + filter_reads + dram_ofmap) * word;
  cost.sram.write_bytes = (dram_ifmap + dram_filter + ofmap_writes) * word;
  cost.dram.read_bytes = (dram_ifmap + dram_filter) * word;
  cost.dram.write_bytes = dram_ofmap * word;
  // Inside the array: each MAC reads two operand registers and writes its accumulator, and
  // receives two data from its neighbours (ifmap + filter in OS, ifmap + psum in WS/IS).
  const double macs = static_cast<double>(cost.macs);
  cost.rf.read_bytes = 2 * macs * word;
  cost.rf.write_bytes = macs * word;
  cost.noc_bytes = 2 * macs * word;

  // Stalls (our model): with double buffering, DRAM transfers overlap compute; the layer stalls
  // for the DRAM time that compute cannot hide: max(0, ceil(DRAM bytes / BW) - compute cycles).
  if (o.dram_bytes_per_cycle > 0) {
    const double dram_cycles =
        std::ceil((cost.dram.read_bytes + cost.dram.write_bytes) / o.dram_bytes_per_cycle);
    cost.stall_cycles = std::max(0.0, dram_cycles - cost.compute_cycles);
  }
  cost.latency_s = cost.total_cycles() / (o.frequency_mhz * 1e6);
  if (cost.total_cycles() > 0)
    cost.utilization = macs / (cost.total_cycles() * o.rows * o.cols);

  const EnergyTable& e = o.energy;
  cost.energy.mac_pj = macs * e.mac;
  cost.energy.rf_pj = 2 * macs * e.ifmap_spad_read + macs * e.psum_spad_write;
  cost.energy.noc_pj = 2 * macs * e.noc;
  cost.energy.sram_pj = cost.sram.read_bytes * e.sram_read + cost.sram.write_bytes * e.sram_write;
  cost.energy.dram_pj = cost.dram.read_bytes * e.dram_read + cost.dram.write_bytes * e.dram_write;

  // Feasibility: the stationary tile of one fold must fit in the active half of its SRAM.
  const double tile = double(std::min<std::int64_t>(f.spatial_rows, o.rows)) *
                      double(std::min<std::int64_t>(f.spatial_cols, o.cols)) * word;
  const char* tile_name = o.dataflow == Dataflow::os   ? "ofmap"
                          : o.dataflow == Dataflow::ws ? "filter"
                                                       : "ifmap";
  const double half = o.dataflow == Dataflow::os   ? ofmap_half
                      : o.dataflow == Dataflow::ws ? filter_half
                                                   : ifmap_half;
  if (tile > half) {
    cost.feasible = false;
    cost.reason = "the stationary " + std::string(tile_name) + " tile of " + format_number(tile) +
                  " bytes does not fit in the active half of the " + tile_name + " SRAM (" +
                  format_number(half) + " bytes)";
  }
  cost.mapping = to_string(o.dataflow) + " Fr=" + std::to_string(f.row_folds) +
                 " Fc=" + std::to_string(f.col_folds) + " Tfold=" +
                 std::to_string(f.cycles_per_fold) +
                 (gemm.count > 1 ? " x" + std::to_string(gemm.count) + " groups" : "");
  return cost;
}

}  // namespace tandem::hw
