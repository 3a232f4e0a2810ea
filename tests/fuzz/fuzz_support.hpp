// Shared by the libFuzzer targets of tests/fuzz: fuzz_one() runs one input through a parser with the
// rule every target follows: a tandem::Error (a user's mistake, one clear line) is the expected
// outcome of bad input; anything else (InternalError, another exception, a crash, a leak, a
// sanitizer report, a timeout) escapes and libFuzzer reports it as a finding.
// TANDEM_FUZZ_SEEDS=<folder>: a target that can make its own seeds from the code (e.g. sampled
// architectures of every space) writes them there and exits (tests/fuzz/run_fuzzers.sh uses it).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace tandem_fuzz {

inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs `parse` on one input; tandem::Error is the expected answer to bad input.
template <class Function>
void fuzz_one(Function&& parse) {
  try {
    parse();
  } catch (const tandem::Error& error) {
    // A user error must be one line (docs/architecture.md: "Error (a user's mistake, one line)").
    const std::string message = error.what();
    if (message.empty() || message.find('\n') != std::string::npos) {
      std::fprintf(stderr, "tandem::Error that is not one line: [%s]\n", message.c_str());
      std::abort();
    }
  }
}

// A property the parser promises (e.g. parse(to_string(c)) == c); a broken one is a finding.
inline void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz property broken: %s\n", what);
    std::abort();
  }
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// Seeds mode (call from LLVMFuzzerInitialize): when TANDEM_FUZZ_SEEDS names a folder, writes the
// seeds `make(rng)` returns there, one file each, and exits; otherwise does nothing.
template <class MakeSeeds>
int write_seeds_if_asked(MakeSeeds&& make) {
  const char* folder = std::getenv("TANDEM_FUZZ_SEEDS");
  if (!folder) return 0;
  tandem::Rng rng(1);
  const std::vector<std::string> seeds = make(rng);
  for (std::size_t i = 0; i < seeds.size(); ++i)
    write_file(std::string(folder) + "/seed_" + std::to_string(i), seeds[i]);
  std::exit(0);
}

}  // namespace tandem_fuzz
