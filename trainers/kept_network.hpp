// A trained network kept on disk so it can be exported later (`train` evaluator's keep_weights,
// `tandem export`): a folder holding network.txt, the shape the network was built with (input,
// classes, width, cells per stage, width multiplier), and weights.bin, every parameter and
// batch-norm statistic as little-endian float32 in the order of pytorch_export.hpp.
#pragma once

#include <string>

#include "core/compute_graph.hpp"
#include "trainers/parameters.hpp"

namespace tandem {

struct KeptNetworkShape {
  TensorShape input;
  int classes = 0;
  int width = 0;
  int cells_per_stage = 0;
  double width_multiplier = 0.0;
};

// Writes network.txt and weights.bin into `folder` (created). Raises tandem::Error naming the
// file that cannot be written.
void keep_network(const std::string& folder, const KeptNetworkShape& shape,
                  const ComputeGraph& graph, ParameterSet& parameters);

// The shape in `folder`/network.txt; tandem::Error naming the file and line when it is missing
// or malformed.
KeptNetworkShape read_kept_shape(const std::string& folder);

// Loads `folder`/weights.bin into `parameters` (a Network's, for `graph`): tandem::Error naming
// the file when its size does not fit the network (written for another one).
void load_kept_weights(const std::string& folder, const ComputeGraph& graph,
                       ParameterSet& parameters);

}  // namespace tandem
