// "eyeriss_hw": the design space of the Eyeriss-like row-stationary cost model — PE array
// (pe_rows x pe_cols), per-PE scratchpads (ifmap / weight / psum words), global buffer size and
// DRAM bandwidth. Candidates render as key=value lists and accelerator_string() is the
// `model: eyeriss` config (see spaces/accelerator_space.hpp).
#pragma once

#include <memory>

#include "spaces/search_space.hpp"

namespace tandem {

std::unique_ptr<SearchSpace> create_eyeriss_hw_space(const ConfigNode& options);

}  // namespace tandem
