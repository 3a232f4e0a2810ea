// Registration of the accelerator spaces (systolic_hw, eyeriss_hw, heterogeneous_hw) and the
// joint NN x accelerator space and the multi-task space.
#include "spaces/hardware_spaces.hpp"

#include "spaces/eyeriss_hw_space.hpp"
#include "spaces/heterogeneous_hw_space.hpp"
#include "spaces/joint_space.hpp"
#include "spaces/multitask_space.hpp"
#include "spaces/systolic_hw_space.hpp"

namespace tandem {

void register_hardware_spaces(SpaceRegistry& registry) {
  registry.add("systolic_hw", "accelerator",
               "systolic array: rows, cols {8..128}, dataflow {os,ws,is}, SRAM KB, DRAM B/cycle",
               &create_systolic_hw_space);
  registry.add("eyeriss_hw", "accelerator",
               "Eyeriss-like row-stationary array: PE rows x cols, spads, GLB KB, DRAM B/cycle",
               &create_eyeriss_hw_space);
  registry.add("heterogeneous_hw", "accelerator",
               "NASAIC-style chip: 1..3 sub-accelerators (os/ws/rs) sharing PEs and bandwidth",
               &create_heterogeneous_hw_space);
  registry.add("joint", "joint",
               "any network space x any accelerator space: '<network> @ <accelerator>'",
               &JointSpace::create);
  registry.add("multitask", "multitask",
               "one network space per task x an optional accelerator space: "
               "'<task1> ; <task2> @ <accelerator>'",
               &MultitaskSpace::create);
}

}  // namespace tandem
