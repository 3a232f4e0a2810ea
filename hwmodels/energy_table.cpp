// EnergyTable presets and parsing (see energy_table.hpp; numbers and sources in docs/hwmodels.md).
#include "hwmodels/energy_table.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem::hw {
namespace {

struct Field {
  const char* name;
  double EnergyTable::*member;
};

constexpr Field kFields[] = {
    {"mac", &EnergyTable::mac},
    {"ifmap_spad_read", &EnergyTable::ifmap_spad_read},
    {"ifmap_spad_write", &EnergyTable::ifmap_spad_write},
    {"weight_spad_read", &EnergyTable::weight_spad_read},
    {"weight_spad_write", &EnergyTable::weight_spad_write},
    {"psum_spad_read", &EnergyTable::psum_spad_read},
    {"psum_spad_write", &EnergyTable::psum_spad_write},
    {"noc", &EnergyTable::noc},
    {"sram_read", &EnergyTable::sram_read},
    {"sram_write", &EnergyTable::sram_write},
    {"dram_read", &EnergyTable::dram_read},
    {"dram_write", &EnergyTable::dram_write},
};

EnergyTable eyeriss_normalized() {
  // Chen, Emer, Sze, ISCA 2016 (Fig. 7): per 16-bit access relative to one 16-bit MAC.
  // Memory levels are stored per byte: 200 / 2 bytes and 6 / 2 bytes.
  EnergyTable t;
  t.name = "eyeriss_normalized";
  t.mac = 1;
  t.ifmap_spad_read = t.ifmap_spad_write = 1;
  t.weight_spad_read = t.weight_spad_write = 1;
  t.psum_spad_read = t.psum_spad_write = 1;
  t.noc = 2;
  t.sram_read = t.sram_write = 3;
  t.dram_read = t.dram_write = 100;
  return t;
}

EnergyTable accelergy(double mac, double ifmap_spad, double weight_spad, double psum_read,
                      double psum_write, double glb_read, double glb_write, const char* name) {
  // Accelergy eyeriss_like reference energies (docs/hwmodels.md table). Spads with a 16-bit
  // entry and 8-bit data hold two data per access, so their per-datum energy is half the
  // per-access figure; the 64-bit GLB and DRAM are converted to pJ per byte (/ 8).
  EnergyTable t;
  t.name = name;
  t.mac = mac;
  t.ifmap_spad_read = t.ifmap_spad_write = ifmap_spad / 2;
  t.weight_spad_read = t.weight_spad_write = weight_spad / 2;
  t.psum_spad_read = psum_read;
  t.psum_spad_write = psum_write;
  t.noc = 2 * mac;  // no NoC figure in the reference output: Eyeriss' 2x-MAC ratio (assumption)
  t.sram_read = glb_read / 8;
  t.sram_write = glb_write / 8;
  t.dram_read = t.dram_write = 512.0 / 8;  // LPDDR4, 512 pJ per 64-bit access
  return t;
}

}  // namespace

std::string EnergyTable::to_yaml() const {
  std::string text = "{base: " + name;
  for (const Field& field : kFields)
    text += std::string(", ") + field.name + ": " + format_number(this->*field.member);
  return text + "}";
}

const std::vector<std::string>& energy_table_presets() {
  static const std::vector<std::string> names = {"accelergy_32nm", "accelergy_45nm",
                                                 "eyeriss_normalized"};
  return names;
}

EnergyTable energy_table_preset(const std::string& name) {
  if (name == "eyeriss_normalized") return eyeriss_normalized();
  if (name == "accelergy_32nm")
    return accelergy(0.208, 0.202, 1.977, 0.251, 0.219, 18.18, 14.14, "accelergy_32nm");
  if (name == "accelergy_45nm")
    return accelergy(0.315, 0.311, 3.006, 0.385, 0.336, 32.34, 26.12, "accelergy_45nm");
  throw ConfigError("unknown energy table '" + name + "'" +
                    did_you_mean(name, energy_table_presets()) +
                    "; accepted: " + join(energy_table_presets(), ", "));
}

EnergyTable parse_energy_table(const ConfigNode& node, const std::string& fallback_preset) {
  if (!node.present() || node.is_null()) return energy_table_preset(fallback_preset);
  if (node.is_scalar()) {
    const std::string name = node.as_string();
    for (const auto& preset : energy_table_presets())
      if (preset == name) return energy_table_preset(name);
    node.fail("unknown energy table '" + name + "'" + did_you_mean(name, energy_table_presets()) +
              "; accepted: " + join(energy_table_presets(), ", ") + " or a mapping");
  }
  std::vector<std::string> keys = {"base"};
  for (const Field& field : kFields) keys.push_back(field.name);
  node.check_keys(keys);
  const std::string base = node.get_choice("base", fallback_preset, energy_table_presets());
  EnergyTable table = energy_table_preset(base);
  bool overridden = false;
  for (const Field& field : kFields) {
    ConfigNode value = node.optional(field.name);
    if (!value.present()) continue;
    const double energy = value.as_double();
    if (energy < 0) value.fail("got " + format_number(energy) + ", expected an energy >= 0 pJ");
    table.*field.member = energy;
    overridden = true;
  }
  if (overridden) table.name = base + "+custom";
  return table;
}

}  // namespace tandem::hw
