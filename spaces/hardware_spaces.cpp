// Registration of the accelerator and joint spaces.
#include "spaces/hardware_spaces.hpp"

namespace tandem {

void register_hardware_spaces(SpaceRegistry&) {}

}  // namespace tandem
