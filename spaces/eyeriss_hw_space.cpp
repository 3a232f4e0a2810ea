// The eyeriss_hw accelerator space (see eyeriss_hw_space.hpp). Defaults centre on Eyeriss v1
// (12 x 14 PEs, spads of 12 / 224 / 24 words, 108 KB GLB; Chen et al., JSSC 2017).
#include "spaces/eyeriss_hw_space.hpp"

#include "spaces/accelerator_space.hpp"

namespace tandem {

std::unique_ptr<SearchSpace> create_eyeriss_hw_space(const ConfigNode& options) {
  return std::make_unique<AcceleratorParameterSpace>(
      "eyeriss_hw", "eyeriss",
      "Eyeriss-like row-stationary array: PE rows x cols, spad words, GLB KB, DRAM B/cycle",
      std::vector<AcceleratorParameterSpace::Parameter>{
          {"pe_rows", {"8", "12", "16", "24"}},
          {"pe_cols", {"8", "14", "16", "24"}},
          {"ifmap_spad_words", {"12", "24"}},
          {"weight_spad_words", {"112", "224", "448"}},
          {"psum_spad_words", {"16", "24", "32"}},
          {"glb_kb", {"54", "108", "216", "432"}},
          {"dram_bytes_per_cycle", {"4", "8", "16"}},
      },
      options);
}

}  // namespace tandem
