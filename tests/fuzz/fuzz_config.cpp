// Fuzz target: an experiment config (YAML text) through ConfigNode and ExperimentConfig::parse up
// to a validated Experiment (space, strategy, evaluators and constraints built and cross-checked),
// as `tandem run` does before it opens the database; then the stored-config path of
// `tandem run --resume`: the text stored with the experiment is parsed again and must give the
// same identity. Seeds: experiments/examples/*.yaml and tests/fuzz/corpus/fuzz_config/.
// Runs in an empty folder (run_fuzzers.sh), so relative dataset and table paths do not resolve.
// The named dataset `digits` (every shipped config trains on it) resolves to a 30-row copy the
// target writes once under $TANDEM_DATA, not to the shipped 1,797 rows (found by walking up from
// the empty folder to the repository's data/ and read for every input).
// Links: tandem_builtins tandem_runner (the composition root fills the registries).
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>

#include "experiments/config/experiment_config.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/builtins/register_builtins.hpp"
#include "fuzz_support.hpp"

// A data folder holding uci-digits/digits.csv.gz with 30 rows (8x8 pixels, labels 0-9).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  namespace fs = std::filesystem;
  const fs::path folder = fs::temp_directory_path() / ("tandem-fuzz-data-" + std::to_string(getpid()));
  fs::create_directories(folder / "uci-digits");
  static const std::string to_remove = folder.string();
  std::atexit([] {
    std::error_code ignored;
    fs::remove_all(to_remove, ignored);
  });
  std::string csv;
  for (int row = 0; row < 30; ++row) {
    for (int pixel = 0; pixel < 64; ++pixel) csv += std::to_string((row * 7 + pixel * 3) % 17) + ",";
    csv += std::to_string(row % 10) + "\n";
  }
  gzFile out = gzopen((folder / "uci-digits" / "digits.csv.gz").c_str(), "wb");
  if (!out || gzwrite(out, csv.data(), static_cast<unsigned>(csv.size())) <= 0) std::abort();
  gzclose(out);
  setenv("TANDEM_DATA", folder.c_str(), 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tandem::register_builtins();
  const std::string text = tandem_fuzz::text_of(data, size);
  tandem_fuzz::fuzz_one([&] {
    tandem::ExperimentConfig config = tandem::ExperimentConfig::parse(text, "<fuzz>");
    const std::string identity = config.identity();
    // Resume: the stored text parses again to the same experiment.
    tandem::ExperimentConfig stored = tandem::ExperimentConfig::parse(config.text, "<stored>");
    tandem_fuzz::require(stored.identity() == identity, "stored config identity differs");
    tandem::Experiment experiment(std::move(config));
    (void)experiment.make_strategy();
  });
  return 0;
}
