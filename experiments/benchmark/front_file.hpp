// The exact front's cache file, written by `tandem bench front` and read by `tandem bench search`:
// a CSV (RFC 4180) with '#' header lines naming what it is the front of:
//   # tandem exact Pareto front
//   # fingerprint: 9f3c...   (FNV-1a of the config's space, evaluators, objectives, constraints)
//   # objectives: c10valid_val_acc_12ep:max,latency_ms:min
//   # constraints: area_mm2 <= 2
//   # networks: 15625 / accelerators: 19200 / pairs: ... / complete_pairs: ... / seconds: ...
//   point,candidate,c10valid_val_acc_12ep,latency_ms
//   0,"|nor_conv_3x3~0|+...| @ {model: systolic, ...}",94.37,0.0421
// One row per candidate; rows of the same objective vector share its point number. Values are
// in the metrics' own orientation, printed with 17 significant digits (read back exactly).
#pragma once

#include <optional>
#include <string>

#include "experiments/benchmark/exact_front.hpp"
#include "experiments/config/experiment_config.hpp"

namespace tandem {

// What the front depends on: the space, the evaluators, the objectives and the constraints.
std::string front_fingerprint(const ExperimentConfig& config);

// "<config folder>/<config file stem>.front.csv".
std::string default_front_path(const ExperimentConfig& config);

void write_front_file(const std::string& path, const ExactFront& front,
                      const std::string& fingerprint);

// The front stored at `path`; nullopt when there is no such file. A file of another config
// (fingerprint differs) or a malformed one is a one-line Error naming the file and line.
std::optional<ExactFront> read_front_file(const std::string& path,
                                          const std::string& expected_fingerprint);

}  // namespace tandem
