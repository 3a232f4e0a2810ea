// Command dispatch for the tandem CLI.
#include "experiments/cli.hpp"

#include <iostream>

namespace tandem {

int run_cli(int, char**) {
  std::cout << "tandem: commands are being built\n";
  return 0;
}

}  // namespace tandem
