// The "systolic_hw" space (rows, cols, dataflow, SRAM sizes, DRAM bandwidth) of the systolic
// cost model, built on AcceleratorParameterSpace (spaces/accelerator_space.hpp).
#pragma once

#include <memory>

#include "spaces/accelerator_space.hpp"

namespace tandem {

// "systolic_hw": rows, cols {8..128}, dataflow {os, ws, is}, ifmap/filter/ofmap SRAM {32..256} KB,
// dram_bytes_per_cycle {8..64}.
std::unique_ptr<SearchSpace> create_systolic_hw_space(const ConfigNode& options);

}  // namespace tandem
