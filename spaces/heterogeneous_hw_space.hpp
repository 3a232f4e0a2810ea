// "heterogeneous_hw": NASAIC-style chips (Yang et al., DAC 2020) — how many sub-accelerators
// (1..3), the dataflow template of each (os ShiDianNao-like, ws NVDLA-like, rs Eyeriss-like),
// each one's share of the chip's PEs and DRAM bandwidth (integer weights 1..4, normalised), the
// total PE budget and the chip bandwidth. Slots beyond `count` are ignored (their decisions stay
// in the candidate, so a few candidates describe the same chip). accelerator_description() is the
// `model: heterogeneous` config with per-layer assignment; a sub-accelerator's array is the
// squarest power-of-two-rows rectangle holding its PE share.
#pragma once

#include <memory>

#include "spaces/search_space.hpp"

namespace tandem {

std::unique_ptr<SearchSpace> create_heterogeneous_hw_space(const ConfigNode& options);

}  // namespace tandem
