// Shared by the DARTS tests: the shipped UCI digits as normalised batches, and tiny supernets.
#pragma once

#include <string>

#include "spaces/darts_space.hpp"
#include "spaces/nb201_space.hpp"
#include "trainers/dataset_reader.hpp"
#include "trainers/engine.hpp"
#include "search/oneshot/weight_sharing.hpp"

namespace tandem::testing {

inline std::string digits_path() {
  return std::string(TANDEM_SOURCE_DIR) + "/data/uci-digits/digits.csv.gz";
}

inline const Dataset& digits() {
  static const Dataset data = load_dataset("digits", digits_path()).train;
  return data;
}

// `count` consecutive digits from `first`, normalised by the whole set's statistics.
inline BatchStream::Batch digits_batch(std::size_t first, std::size_t count) {
  static const Normalization normalization = channel_statistics(digits());
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < count; ++i) order.push_back(first + i);
  BatchStream::Batch batch{make_batch(digits(), order, 0, count),
                           batch_labels(digits(), order, 0, count)};
  normalize_batch(batch.images, normalization);
  return batch;
}

inline GraphOptions tiny_graph(int width, int cells) {
  GraphOptions o;
  o.input = TensorShape{1, 8, 8};
  o.classes = 10;
  o.width = width;
  o.cells_per_stage = cells;
  return o;
}

}  // namespace tandem::testing
