// EnergyTable: per-access energies (Accelergy's "energy reference table" idea) used by the
// systolic, eyeriss and heterogeneous models. Energy = sum over components of accesses x energy.
//
// Presets (numbers in docs/hwmodels.md, sources there):
//   eyeriss_normalized  Chen et al., ISCA 2016, Fig. 7 (65 nm): DRAM 200, GLB 6, NoC 2, RF 1, MAC 1
//                       per 16-bit access, in units of one MAC (so "pJ" here means MAC units).
//   accelergy_45nm      Timeloop+Accelergy ISPASS tutorial eyeriss_like reference output (45 nm).
//   accelergy_32nm      timeloop-accelergy-exercises example_designs/eyeriss_like (32 nm).
// A table can also be given as a mapping: {base: PRESET, mac: ..., dram_read: ...}.
#pragma once

#include <string>
#include <vector>

#include "core/config_node.hpp"

namespace tandem::hw {

struct EnergyTable {
  std::string name;
  // pJ per MAC.
  double mac = 0;
  // pJ per datum access of the per-PE scratchpads (Eyeriss spads; systolic PE registers use the
  // ifmap spad figure, the smallest register file).
  double ifmap_spad_read = 0, ifmap_spad_write = 0;
  double weight_spad_read = 0, weight_spad_write = 0;
  double psum_spad_read = 0, psum_spad_write = 0;
  // pJ per datum delivered over the PE array network (one hop / multicast delivery).
  double noc = 0;
  // pJ per byte of on-chip SRAM / global buffer and of DRAM.
  double sram_read = 0, sram_write = 0;
  double dram_read = 0, dram_write = 0;

  std::string to_yaml() const;  // flow mapping with every field
};

const std::vector<std::string>& energy_table_presets();
EnergyTable energy_table_preset(const std::string& name);  // Error listing presets
// `node` is a preset name or a mapping {base: PRESET, <field>: value, ...}.
EnergyTable parse_energy_table(const ConfigNode& node, const std::string& fallback_preset);

}  // namespace tandem::hw
