// `tandem hw eval|models`: cost-model evaluation from the command line (issue 3's work).
#include <iostream>

#include "experiments/cli_commands.hpp"

namespace tandem {

int cli_hw(int, char**) {
  std::cerr << "tandem hw: hardware cost models are not built yet\n";
  return 2;
}

}  // namespace tandem
