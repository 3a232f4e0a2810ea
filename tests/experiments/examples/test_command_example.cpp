// The `command` evaluator's worked example (experiments/examples/command/): tandem drives the
// PyTorch script over NB201 cells on Fashion-MNIST-format data. The test writes a small IDX
// dataset in the standard file names, runs the shipped config at 3 trials, and checks what the
// script reports against tandem's own view of each network: the parameter count PyTorch gives
// the model it built from the trial document equals tandem's count for the same compute graph
// (an independent count of every conv, linear and batch-norm layer). Skipped, with the reason
// printed, only where python3 cannot import torch (CI installs python3-torch).
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "core/rng.hpp"
#include "db/trial_store.hpp"
#include "spaces/search_space.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

void put_u32(std::ofstream& out, std::uint32_t value) {
  const unsigned char bytes[4] = {static_cast<unsigned char>(value >> 24),
                                  static_cast<unsigned char>(value >> 16),
                                  static_cast<unsigned char>(value >> 8),
                                  static_cast<unsigned char>(value)};
  out.write(reinterpret_cast<const char*>(bytes), 4);
}

// `count` 28x28 images whose label is the row band that is bright, in MNIST's IDX format.
void write_idx_split(const std::string& folder, const std::string& prefix, int count,
                     std::uint64_t seed) {
  Rng rng(seed);
  std::ofstream images(folder + "/" + prefix + "-images-idx3-ubyte", std::ios::binary);
  std::ofstream labels(folder + "/" + prefix + "-labels-idx1-ubyte", std::ios::binary);
  put_u32(images, 0x00000803);
  put_u32(images, static_cast<std::uint32_t>(count));
  put_u32(images, 28);
  put_u32(images, 28);
  put_u32(labels, 0x00000801);
  put_u32(labels, static_cast<std::uint32_t>(count));
  for (int i = 0; i < count; ++i) {
    const int label = static_cast<int>(rng.uniform_index(10));
    labels.put(static_cast<char>(label));
    for (int row = 0; row < 28; ++row)
      for (int col = 0; col < 28; ++col) {
        const bool bright = row / 3 == label;
        images.put(static_cast<char>(bright ? 200 + rng.uniform_index(56) : rng.uniform_index(40)));
      }
  }
}

}  // namespace

TEST_CASE("command example: the PyTorch script trains NB201 cells driven by tandem") {
  if (run_shell("python3 -c 'import torch' 2>&1").exit_code != 0) {
    MESSAGE("skipped: python3 cannot import torch (apt-get install python3-torch)");
    return;
  }
  TempDir dir;
  std::filesystem::create_directories(dir.file("data/fashion-mnist"));
  write_idx_split(dir.file("data/fashion-mnist"), "train", 256, 1);
  write_idx_split(dir.file("data/fashion-mnist"), "t10k", 64, 2);
  // The shipped config and script, copied so the trial folders land in the test's own folder.
  const std::string shipped = source_dir() + "/experiments/examples/command/";
  for (const char* file : {"nb201_fashion_mnist.yaml", "train_nb201.py"})
    std::filesystem::copy_file(shipped + file, dir.file(file));
  const std::string config = dir.file("nb201_fashion_mnist.yaml");
  const std::string db = dir.file("example.db");
  const CommandResult run = run_shell(
      "TANDEM_DATA=" + shell_quote(dir.file("data")) + " '" + tandem_binary() + "' run " +
      shell_quote(config) + " --db " + shell_quote(db) + " --trials 3 --quiet 2>&1");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);

  TrialStore store(db, TrialStore::Mode::read_only);
  const auto experiments = store.experiments();
  REQUIRE(experiments.size() == 1);
  const auto trials = store.trials(experiments.front().id);
  REQUIRE(trials.size() == 3);
  auto space = space_registry().create(
      "nb201", ConfigNode::parse("{input_shape: [1, 28, 28], width: 8, cells_per_stage: 1}", "s"));
  for (const TrialRecord& trial : trials) {
    INFO(trial.number << " " << trial.candidate << ": " << trial.reason);
    REQUIRE(trial.state == TrialStatus::complete);
    const double accuracy = trial.values.at("accuracy");
    CHECK(accuracy >= 0.0);
    CHECK(accuracy <= 100.0);
    CHECK(trial.values.at("params") ==
          static_cast<double>(space->to_graph(space->parse(trial.candidate)).total_params()));
    CHECK(std::filesystem::exists(dir.file("tandem-trials/command_nb201_fashion_mnist/trial-" +
                                           std::to_string(trial.number) + "/weights.pt")));
  }
  // One report per epoch reached the database.
  const auto steps = store.query("SELECT COUNT(DISTINCT step) FROM intermediate_values");
  CHECK(steps.rows.at(0).at(0) == "3");
}
