// The tandem command-line program: dispatches to the sub-commands in experiments/cli_*.cpp.
#include "experiments/cli/cli.hpp"

int main(int argc, char** argv) { return tandem::run_cli(argc, argv); }
