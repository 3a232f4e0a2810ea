// Accelerator design spaces (systolic_hw, eyeriss_hw, heterogeneous_hw) and the joint NN x
// accelerator space: registered by register_hardware_spaces().
#pragma once

#include "spaces/search_space.hpp"

namespace tandem {

void register_hardware_spaces(SpaceRegistry& registry);

}  // namespace tandem
