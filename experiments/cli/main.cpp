// The tandem command-line program: dispatches to the sub-commands in experiments/cli_*.cpp.
#include <csignal>

#include "experiments/cli/cli.hpp"

int main(int argc, char** argv) {
  // A write past the file size limit (`ulimit -f`) then fails with EFBIG, which the trial
  // database reports as one line, instead of SIGXFSZ killing tandem without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  return tandem::run_cli(argc, argv);
}
