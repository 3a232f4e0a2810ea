// Area constants turned into component areas (see area.hpp for the sources).
#include "hwmodels/area.hpp"

namespace tandem::hw::area {

double mac_um2(int word_bits) {
  const double scale = static_cast<double>(word_bits) / 32.0;
  return kMultiplier32Um2 * scale * scale + kAdder32Um2;
}

double systolic_pe_um2(int word_bits) {
  return mac_um2(word_bits) + kRegisterUm2PerBit * (2.0 * word_bits + 32.0);
}

double register_file_um2(double bytes) { return kRegisterUm2PerBit * 8.0 * bytes; }

double sram_mm2_per_kb() {
  return 8192.0 * kSramBitcellUm2 / kSramArrayEfficiency / kUm2PerMm2;
}

double sram_mm2(double kilobytes) { return kilobytes * sram_mm2_per_kb(); }

}  // namespace tandem::hw::area
