// register_builtin_spaces(): the one place that lists every built-in search space.
#include "spaces/darts_space.hpp"
#include "spaces/hardware_spaces.hpp"
#include "spaces/mlp_space.hpp"
#include "spaces/mobilenet_space.hpp"
#include "spaces/nb201_space.hpp"
#include "spaces/nb_macro_space.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

void register_builtin_spaces() {
  SpaceRegistry& registry = space_registry();
  registry.add("nb201", "cell",
               "NAS-Bench-201 cell space: 6 edges x 5 ops (15,625 cells), C=16 N=5",
               &Nb201Space::create);
  registry.add("darts", "cell",
               "DARTS normal + reduction cells (4 nodes x 2 inputs, 7 ops), C=36 20 cells",
               &DartsSpace::create);
  registry.add("mobilenet", "macro",
               "ProxylessNAS MobileNetV2 space: 21 blocks of MBConv k{3,5,7} e{3,6} or zero",
               &MobileNetSpace::create);
  registry.add("mlp", "macro",
               "MLP: up to 3 hidden linear layers x width x activation (8x8 digits)",
               &MlpSpace::create);
  registry.add("nb_macro", "tabular", "NAS-Bench-Macro: 8 layers x {identity, MBv2 k3e3, MBv2 k5e6}",
               &NbMacroSpace::create);
  register_hardware_spaces(registry);
}

}  // namespace tandem
