// Area: first-order silicon area of PEs, register files and SRAMs, from cited constants.
//
//   MAC:       Aladdin's 40 nm component table (as shipped with accelergy-aladdin-plug-in):
//              32-bit multiplier 6350 um^2, 32-bit adder 278 um^2. A b-bit multiplier is scaled
//              by (b/32)^2 (array multiplier), the accumulator adder stays 32-bit.
//   registers: the same table's register, 5.98 um^2 per bit (flip-flop register files / spads).
//   SRAM:      Intel 45 nm 6T bitcell 0.346 um^2 (Mistry et al., IEDM 2007) at an assumed 70%
//              array efficiency (periphery): 8192 * 0.346 / 0.7 um^2 = 0.00405 mm^2 per KB.
// Nodes differ by 40 vs 45 nm; we do not scale between them (documented in docs/hwmodels.md).
#pragma once

namespace tandem::hw::area {

constexpr double kMultiplier32Um2 = 6350.0;
constexpr double kAdder32Um2 = 278.0;
constexpr double kRegisterUm2PerBit = 5.98;
constexpr double kSramBitcellUm2 = 0.346;
constexpr double kSramArrayEfficiency = 0.7;

// One MAC unit whose operands are `word_bits` wide (32-bit accumulation).
double mac_um2(int word_bits);
// A PE: one MAC, two operand registers and a 32-bit accumulator register.
double systolic_pe_um2(int word_bits);
// Flip-flop register file / scratchpad of `bytes`.
double register_file_um2(double bytes);
// SRAM of `kilobytes` (1 KB = 1024 bytes).
double sram_mm2(double kilobytes);
double sram_mm2_per_kb();

constexpr double kUm2PerMm2 = 1e6;

}  // namespace tandem::hw::area
