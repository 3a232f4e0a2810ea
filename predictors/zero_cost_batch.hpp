// The minibatch a zero-cost proxy reads, drawn from a Dataset the way the reference does it
// (zero-cost-nas `dataload random`, one batch): `batch_size` samples chosen by a seeded shuffle,
// normalised per channel with the dataset's mean and standard deviation, and fitted to the network
// input shape so that a network built for CIFAR (3x32x32) can be scored on the data we have:
//   channels  equal, or 1-channel data replicated to every input channel;
//   size      equal, or `fit`: "resize" (bilinear, trainers' resize_dataset) or "pad" (zero-pad the
//             raw image, centred; the network input must be at least as large).
// The same seed gives the same batch, so every candidate of a search sees the same samples.
// zero_cost_graph_options() picks the network a candidate is lowered to for scoring.
#pragma once

#include <cstdint>
#include <string>

#include "core/compute_graph.hpp"
#include "predictors/zero_cost_proxies.hpp"
#include "spaces/search_space.hpp"
#include "trainers/dataset.hpp"

namespace tandem {

struct ZeroCostBatchOptions {
  int batch_size = 64;        // the zero-cost paper's 64 (NASWOT's own code used 128)
  std::uint64_t seed = 0;     // which samples
  bool normalize = true;      // per-channel mean/std of the whole dataset
  std::string fit = "resize"; // resize | pad

  // Throws ConfigError naming the bad field.
  void validate() const;
};

// Throws ConfigError when the dataset has fewer samples than batch_size or cannot be fitted to
// `input` (naming both shapes).
ZeroCostBatch make_zero_cost_batch(const Dataset& data, const TensorShape& input,
                                   const ZeroCostBatchOptions& options);

// The space's graph options, with the dataset's sample shape and classes when `data` is given (as
// the `train` evaluator lowers candidates), and `input` overriding the shape when its channels
// are > 0 (e.g. 3x32x32 to score CIFAR-sized networks on MNIST).
GraphOptions zero_cost_graph_options(const SearchSpace& space, const Dataset* data,
                                     const TensorShape& input);

}  // namespace tandem
