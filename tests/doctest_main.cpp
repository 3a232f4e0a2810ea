// Entry point shared by every doctest suite under tests/: fills the registries once through the
// composition root (experiments/builtins), as the CLI does, then runs the tests.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "experiments/builtins/register_builtins.hpp"

int main(int argc, char** argv) {
  tandem::register_builtins();
  return doctest::Context(argc, argv).run();
}
