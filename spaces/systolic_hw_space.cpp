// The systolic_hw accelerator space (see systolic_hw_space.hpp).
#include "spaces/systolic_hw_space.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

std::unique_ptr<SearchSpace> create_systolic_hw_space(const ConfigNode& options) {
  const std::vector<std::string> sizes = {"8", "16", "32", "64", "128"};
  const std::vector<std::string> srams = {"32", "64", "128", "256"};
  return std::make_unique<AcceleratorParameterSpace>(
      "systolic_hw", "systolic",
      "systolic array: rows x cols {8..128}, dataflow {os,ws,is}, 3 SRAMs {32..256} KB, DRAM B/cycle",
      std::vector<AcceleratorParameterSpace::Parameter>{
          {"rows", sizes},
          {"cols", sizes},
          {"dataflow", {"os", "ws", "is"}, false},
          {"ifmap_sram_kb", srams},
          {"filter_sram_kb", srams},
          {"ofmap_sram_kb", srams},
          {"dram_bytes_per_cycle", {"8", "16", "32", "64"}},
      },
      options);
}

}  // namespace tandem
