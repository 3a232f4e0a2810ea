// The tandem CLI: `tandem <command> ...`; each command lives in its own experiments/cli_*.cpp.
#pragma once

namespace tandem {

// Parses argv, runs the command, prints any tandem::Error as one line; returns the exit code.
int run_cli(int argc, char** argv);

}  // namespace tandem
