// make_zero_cost_batch (see zero_cost_batch.hpp): seeded sample choice, normalisation and fitting
// of the samples to the network input.
#include "predictors/zero_cost_batch.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"

namespace tandem {

void ZeroCostBatchOptions::validate() const {
  if (batch_size < 1 || batch_size > 100000)
    throw ConfigError("batch_size " + std::to_string(batch_size) +
                      ": expected a number of samples in 1..100000");
  if (fit != "resize" && fit != "pad")
    throw ConfigError("fit " + quoted(fit) + did_you_mean(fit, {"resize", "pad"}) +
                      ": expected resize or pad");
}

ZeroCostBatch make_zero_cost_batch(const Dataset& data, const TensorShape& input,
                                   const ZeroCostBatchOptions& options) {
  options.validate();
  const TensorShape from = data.sample_shape;
  const std::string what = data.name + "'s samples of shape " + from.to_string() +
                           " cannot be fitted to the network input " + input.to_string();
  if (data.size() < static_cast<std::size_t>(options.batch_size))
    throw ConfigError("zero-cost batch of " + std::to_string(options.batch_size) +
                      " samples, but " + data.name + " has only " + std::to_string(data.size()));
  if (from.channels != input.channels && from.channels != 1)
    throw ConfigError(what + ": the channels differ (only 1-channel data is replicated)");
  if (options.fit == "pad" && (input.height < from.height || input.width < from.width))
    throw ConfigError(what + " by padding: the input is smaller (use fit: resize)");

  // The reference's "random" dataload: the first batch of a shuffled loader.
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng = Rng(options.seed).derive(0x7a65726f636f7374);  // "zerocost"
  rng.shuffle(order);
  order.resize(static_cast<std::size_t>(options.batch_size));
  Dataset chosen = subset(data, order, data.name);

  Normalization normalization;
  if (options.normalize) normalization = channel_statistics(data);
  if (options.fit == "resize") chosen = resize_dataset(chosen, input.height, input.width);

  const std::int64_t n = options.batch_size;
  const int h = chosen.sample_shape.height, w = chosen.sample_shape.width;
  const int top = (input.height - h) / 2, left = (input.width - w) / 2;  // pad: centred
  ZeroCostBatch batch;
  batch.labels = chosen.labels;
  batch.images = Tensor::zeros({n, input.channels, input.height, input.width});
  float* out = batch.images.data();
  for (std::int64_t s = 0; s < n; ++s)
    for (int c = 0; c < input.channels; ++c) {
      const int source_channel = from.channels == 1 ? 0 : c;
      const float* plane = chosen.image(static_cast<std::size_t>(s)) +
                           static_cast<std::int64_t>(source_channel) * h * w;
      float mean = 0.0f, std = 1.0f;
      if (options.normalize) {
        mean = normalization.mean[source_channel];
        std = normalization.std[source_channel] > 0.0f ? normalization.std[source_channel] : 1.0f;
      }
      float* target = out + (s * input.channels + c) * input.height * input.width;
      // Padding is raw zero (background), normalised like any pixel.
      if (h != input.height || w != input.width)
        std::fill(target, target + input.height * input.width, (0.0f - mean) / std);
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          target[(top + y) * input.width + left + x] = (plane[y * w + x] - mean) / std;
    }
  return batch;
}

GraphOptions zero_cost_graph_options(const SearchSpace& space, const Dataset* data,
                                     const TensorShape& input) {
  GraphOptions options = space.graph_options();
  if (data) {
    options.input = data->sample_shape;
    options.classes = data->classes;
  }
  if (input.channels > 0) options.input = input;
  return options;
}

}  // namespace tandem
