// EyerissModel: options, GLB tiling against DRAM, mapper call, energy and area
// (see eyeriss_model.hpp; formulas in docs/hwmodels.md section "eyeriss").
#include "hwmodels/eyeriss_model.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"
#include "hwmodels/area.hpp"

namespace tandem::hw {
const std::vector<ParameterDoc>& EyerissOptions::parameters() {
  static const std::vector<ParameterDoc> docs = {
      {"pe_rows", "12", "PE array rows"},
      {"pe_cols", "14", "PE array columns"},
      {"ifmap_spad_words", "12", "per-PE ifmap scratchpad, words"},
      {"weight_spad_words", "224", "per-PE weight scratchpad, words"},
      {"psum_spad_words", "24", "per-PE partial-sum scratchpad, words"},
      {"glb_kb", "108", "global buffer, KB"},
      {"word_bytes", "2", "bytes per word (Eyeriss: 16-bit)"},
      {"dram_bytes_per_cycle", "8", "DRAM bandwidth, bytes per cycle; 0 = unlimited"},
      {"frequency_mhz", "200", "clock in MHz"},
      {"objective", "edp", "mapper objective: energy | latency | edp"},
      {"energy_table", "accelergy_45nm",
       "accelergy_32nm | accelergy_45nm | eyeriss_normalized | {base: PRESET, field: pJ, ...}"},
  };
  return docs;
}

EyerissOptions EyerissOptions::parse(const ConfigNode& node) {
  check_model_keys(node, parameters());
  EyerissOptions o;
  RowStationaryArray& a = o.array;
  a.pe_rows = static_cast<int>(get_positive_int(node, "pe_rows", a.pe_rows));
  a.pe_cols = static_cast<int>(get_positive_int(node, "pe_cols", a.pe_cols));
  a.ifmap_spad_words = static_cast<int>(get_positive_int(node, "ifmap_spad_words", 12));
  a.weight_spad_words = static_cast<int>(get_positive_int(node, "weight_spad_words", 224));
  a.psum_spad_words = static_cast<int>(get_positive_int(node, "psum_spad_words", 24));
  a.word_bytes = static_cast<int>(node.get_int_in("word_bytes", 2, 1, 8));
  o.glb_kb = get_positive_double(node, "glb_kb", o.glb_kb);
  o.dram_bytes_per_cycle =
      get_positive_double(node, "dram_bytes_per_cycle", o.dram_bytes_per_cycle, true);
  o.frequency_mhz = get_positive_double(node, "frequency_mhz", o.frequency_mhz);
  const std::string objective =
      node.get_choice("objective", "edp", {"energy", "latency", "edp"});
  o.objective = objective == "energy"    ? MapperObjective::energy
                : objective == "latency" ? MapperObjective::latency
                                         : MapperObjective::edp;
  o.energy = parse_energy_table(node.optional("energy_table"), "accelergy_45nm");
  return o;
}

std::string EyerissOptions::to_yaml() const {
  return "{model: eyeriss, pe_rows: " + std::to_string(array.pe_rows) +
         ", pe_cols: " + std::to_string(array.pe_cols) +
         ", ifmap_spad_words: " + std::to_string(array.ifmap_spad_words) +
         ", weight_spad_words: " + std::to_string(array.weight_spad_words) +
         ", psum_spad_words: " + std::to_string(array.psum_spad_words) +
         ", glb_kb: " + format_number(glb_kb) + ", word_bytes: " + std::to_string(array.word_bytes) +
         ", dram_bytes_per_cycle: " + format_number(dram_bytes_per_cycle) +
         ", frequency_mhz: " + format_number(frequency_mhz) + ", objective: " +
         to_string(objective) + ", energy_table: " + energy.to_yaml() + "}";
}

GlbTiling best_glb_tiling(const LayerWorkload& layer, double glb_words) {
  // Per (group, batch) instance, in words.
  const bool fc = layer.type == LayerType::fc;
  const double instances = fc ? layer.n : double(layer.groups) * layer.n;
  const double C = fc ? double(layer.c) * layer.h * layer.w : layer.c / layer.groups;
  const double M = fc ? layer.m : layer.m / layer.groups;
  const double RS = fc ? 1 : double(layer.r) * layer.s;
  const double E = layer.out_h(), F = layer.out_w();
  const double HW = fc ? 1 : double(layer.h) * layer.w;
  const double I = static_cast<double>(layer.ifmap_touched_words()) / instances;
  const double W = M * C * RS, O = M * E * F;

  GlbTiling best;
  auto consider = [&](double reads, const std::string& what) {
    if (!best.fits || reads < best.dram_read_words) {
      best.fits = true;
      best.dram_read_words = reads;
      best.describe = what;
    }
  };
  if (I + C * RS + E * F <= glb_words) consider(I + W, "glb: ifmap resident");
  if (O + HW + M * RS <= glb_words) consider(I + W, "glb: psums resident");
  if (E * F + RS > 0) {
    const double m_t = std::floor((glb_words - HW) / (E * F + RS));
    if (m_t >= 1) {
      const double chunks = std::ceil(M / std::min(m_t, M));
      consider(I * chunks + W, "glb: " + format_number(chunks) + " filter chunks");
    }
  }
  if (!fc) {
    // Largest output-row chunk whose ifmap rows + psum rows + one filter fit.
    const double row_words = C * layer.w;
    for (int e_t = layer.out_h(); e_t >= 1; --e_t) {
      const double rows_in = std::min<double>(layer.h, double(e_t - 1) * layer.stride + layer.r);
      if (row_words * rows_in + M * e_t * F + C * RS > glb_words) continue;
      const double chunks = std::ceil(E / e_t);
      consider(std::min(I * chunks, row_words * rows_in * chunks) + W * chunks,
               "glb: " + format_number(chunks) + " row chunks");
      break;
    }
  }
  best.dram_read_words *= instances;
  best.dram_write_words = O * instances;
  if (!best.fits)
    best.describe = "no tile fits: needs at least " +
                    format_number(std::min(HW + E * F + RS, C * layer.w * layer.r + M * F + C * RS)) +
                    " words, the GLB has " + format_number(glb_words);
  return best;
}

double EyerissModel::area_mm2() const {
  const RowStationaryArray& a = options_.array;
  const double spad_bytes =
      double(a.ifmap_spad_words + a.weight_spad_words + a.psum_spad_words) * a.word_bytes;
  const double pe_um2 = area::mac_um2(8 * a.word_bytes) + area::register_file_um2(spad_bytes);
  return pe_um2 * a.pe_rows * a.pe_cols / area::kUm2PerMm2 + area::sram_mm2(options_.glb_kb);
}

LayerCost EyerissModel::evaluate_layer(const LayerWorkload& layer) const {
  const EyerissOptions& o = options_;
  const double word = o.array.word_bytes;
  LayerCost cost;
  cost.name = layer.name;
  cost.macs = layer.macs();

  const GlbTiling glb = best_glb_tiling(layer, o.glb_kb * 1024 / word);
  if (!glb.fits) {
    cost.feasible = false;
    cost.reason = "layer does not fit the global buffer (" + glb.describe + ")";
    return cost;
  }
  cost.dram.read_bytes = glb.dram_read_words * word;
  cost.dram.write_bytes = glb.dram_write_words * word;
  cost.energy.dram_pj = cost.dram.read_bytes * o.energy.dram_read +
                        cost.dram.write_bytes * o.energy.dram_write;
  const double dram_cycles =
      o.dram_bytes_per_cycle > 0
          ? std::ceil((cost.dram.read_bytes + cost.dram.write_bytes) / o.dram_bytes_per_cycle)
          : 0;

  RowStationaryMapping mapping;
  if (!search_row_stationary(layer, o.array, o.energy, o.objective, dram_cycles,
                             cost.energy.dram_pj, mapping)) {
    cost.feasible = false;
    cost.reason = "no legal row-stationary mapping: a filter row of " + std::to_string(layer.s) +
                  " words does not fit the ifmap spad (" +
                  std::to_string(o.array.ifmap_spad_words) + " words) or the weight spad";
    return cost;
  }
  cost.compute_cycles = mapping.cycles;
  cost.stall_cycles = std::max(0.0, dram_cycles - mapping.cycles);
  cost.latency_s = cost.total_cycles() / (o.frequency_mhz * 1e6);
  cost.utilization = double(cost.macs) / (cost.total_cycles() * pe_count());

  const EnergyTable& e = o.energy;
  const double macs = static_cast<double>(cost.macs);
  cost.energy.mac_pj = macs * e.mac;
  cost.energy.rf_pj = mapping.ifmap_spad_reads * e.ifmap_spad_read +
                      mapping.ifmap_spad_writes * e.ifmap_spad_write +
                      mapping.weight_spad_reads * e.weight_spad_read +
                      mapping.weight_spad_writes * e.weight_spad_write +
                      mapping.psum_spad_reads * e.psum_spad_read +
                      mapping.psum_spad_writes * e.psum_spad_write;
  cost.energy.noc_pj = mapping.noc_deliveries * e.noc;
  // GLB traffic: the array's reads/writes plus the DRAM fills (writes) and drains (reads).
  cost.sram.read_bytes = (mapping.glb_reads + glb.dram_write_words) * word;
  cost.sram.write_bytes = (mapping.glb_writes + glb.dram_read_words) * word;
  cost.energy.sram_pj = cost.sram.read_bytes * e.sram_read + cost.sram.write_bytes * e.sram_write;
  cost.rf.read_bytes = (mapping.ifmap_spad_reads + mapping.weight_spad_reads +
                        mapping.psum_spad_reads) * word;
  cost.rf.write_bytes = (mapping.ifmap_spad_writes + mapping.weight_spad_writes +
                         mapping.psum_spad_writes) * word;
  cost.noc_bytes = mapping.noc_deliveries * word;
  cost.mapping = mapping.describe() + "; " + glb.describe;
  return cost;
}

}  // namespace tandem::hw
