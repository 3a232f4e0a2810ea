// register_builtin_spaces(): the one place that lists every built-in search space.
#include "spaces/hardware_spaces.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

void register_builtin_spaces() {
  SpaceRegistry& registry = space_registry();
  register_hardware_spaces(registry);
}

}  // namespace tandem
