// Dataset helpers: checks, subsets, the seeded split, normalisation and batches (see dataset.hpp).
#include "trainers/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "core/error.hpp"

namespace tandem {

void Dataset::check() const {
  TANDEM_CHECK(sample_shape.elements() > 0,
               name + ": empty sample shape " + sample_shape.to_string());
  TANDEM_CHECK(static_cast<std::int64_t>(images.size()) ==
                   static_cast<std::int64_t>(labels.size()) * sample_elements(),
               name + ": " + std::to_string(images.size()) + " pixel values for " +
                   std::to_string(labels.size()) + " samples of " + sample_shape.to_string());
  TANDEM_CHECK(classes > 0, name + ": no classes");
  for (std::size_t i = 0; i < labels.size(); ++i)
    TANDEM_CHECK(labels[i] >= 0 && labels[i] < classes,
                 name + ": sample " + std::to_string(i) + " has label " +
                     std::to_string(labels[i]) + ", expected 0.." + std::to_string(classes - 1));
}

Dataset subset(const Dataset& data, const std::vector<std::size_t>& indices,
               const std::string& name) {
  Dataset out;
  out.name = name;
  out.sample_shape = data.sample_shape;
  out.classes = data.classes;
  const std::size_t elements = static_cast<std::size_t>(data.sample_elements());
  out.images.resize(indices.size() * elements);
  out.labels.reserve(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    TANDEM_ASSERT(indices[i] < data.size());
    std::memcpy(out.images.data() + i * elements, data.image(indices[i]), elements * sizeof(float));
    out.labels.push_back(data.labels[indices[i]]);
  }
  return out;
}

std::pair<Dataset, Dataset> split_dataset(const Dataset& data, double validation_fraction,
                                          Rng& rng) {
  TANDEM_CHECK(
      validation_fraction > 0.0 && validation_fraction < 1.0,
      "validation split " + std::to_string(validation_fraction) + " is not a fraction in (0, 1)");
  const std::size_t n = data.size();
  const auto validation =
      static_cast<std::size_t>(std::llround(validation_fraction * static_cast<double>(n)));
  TANDEM_CHECK(validation >= 1 && validation < n,
               data.name + ": a validation split of " + std::to_string(validation_fraction) +
                   " of " + std::to_string(n) + " samples leaves an empty part");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  rng.shuffle(order);
  std::vector<std::size_t> valid_indices(order.begin(), order.begin() + validation);
  std::vector<std::size_t> train_indices(order.begin() + validation, order.end());
  return {subset(data, train_indices, data.name + " (train part)"),
          subset(data, valid_indices, data.name + " (validation part)")};
}

Dataset resize_dataset(const Dataset& data, int height, int width) {
  TANDEM_CHECK(height >= 1 && width >= 1 && height <= 4096 && width <= 4096,
               data.name + ": cannot resize to " + std::to_string(height) + "x" +
                   std::to_string(width) + " (expected sizes in 1..4096)");
  Dataset out;
  out.name = data.name;
  out.classes = data.classes;
  out.labels = data.labels;
  out.sample_shape = TensorShape{data.sample_shape.channels, height, width};
  const int in_h = data.sample_shape.height, in_w = data.sample_shape.width;
  if (in_h == height && in_w == width) {
    out.images = data.images;
    return out;
  }
  // Source coordinate of an output index: (i + 0.5) * in / out - 0.5, clamped at 0 (PyTorch).
  struct Tap {
    int low, high;
    float weight;  // of `high`
  };
  auto taps = [](int in, int outsize) {
    std::vector<Tap> result;
    const double scale = static_cast<double>(in) / outsize;
    for (int i = 0; i < outsize; ++i) {
      const double source = std::max(0.0, (i + 0.5) * scale - 0.5);
      const int low = std::min(static_cast<int>(source), in - 1);
      const int high = std::min(low + 1, in - 1);
      result.push_back({low, high, static_cast<float>(source - low)});
    }
    return result;
  };
  const std::vector<Tap> rows = taps(in_h, height), cols = taps(in_w, width);
  const std::size_t planes = data.size() * static_cast<std::size_t>(data.sample_shape.channels);
  out.images.resize(planes * static_cast<std::size_t>(height) * width);
  for (std::size_t p = 0; p < planes; ++p) {
    const float* in = data.images.data() + p * static_cast<std::size_t>(in_h) * in_w;
    float* o = out.images.data() + p * static_cast<std::size_t>(height) * width;
    for (int y = 0; y < height; ++y) {
      const Tap& r = rows[y];
      for (int x = 0; x < width; ++x) {
        const Tap& c = cols[x];
        const float top =
            in[r.low * in_w + c.low] * (1 - c.weight) + in[r.low * in_w + c.high] * c.weight;
        const float bottom =
            in[r.high * in_w + c.low] * (1 - c.weight) + in[r.high * in_w + c.high] * c.weight;
        o[y * width + x] = top * (1 - r.weight) + bottom * r.weight;
      }
    }
  }
  return out;
}

Normalization channel_statistics(const Dataset& data) {
  const int channels = data.sample_shape.channels;
  const std::int64_t plane =
      static_cast<std::int64_t>(data.sample_shape.height) * data.sample_shape.width;
  std::vector<double> sum(channels, 0.0), square(channels, 0.0);
  for (std::size_t i = 0; i < data.size(); ++i) {
    const float* x = data.image(i);
    for (int c = 0; c < channels; ++c)
      for (std::int64_t p = 0; p < plane; ++p) {
        const double v = x[c * plane + p];
        sum[c] += v;
        square[c] += v * v;
      }
  }
  Normalization result;
  const double count = static_cast<double>(data.size()) * static_cast<double>(plane);
  for (int c = 0; c < channels; ++c) {
    const double mean = count > 0 ? sum[c] / count : 0.0;
    const double variance = count > 0 ? std::max(0.0, square[c] / count - mean * mean) : 0.0;
    result.mean.push_back(static_cast<float>(mean));
    result.std.push_back(static_cast<float>(std::sqrt(variance)));
  }
  return result;
}

void normalize_batch(Tensor& batch, const Normalization& normalization) {
  TANDEM_ASSERT(batch.dim() == 4);
  const std::int64_t n = batch.size(0), channels = batch.size(1);
  const std::int64_t plane = batch.size(2) * batch.size(3);
  TANDEM_ASSERT(static_cast<std::int64_t>(normalization.mean.size()) == channels);
  float* x = batch.data();
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t c = 0; c < channels; ++c) {
      const float mean = normalization.mean[c];
      const float stddev = normalization.std[c];
      const float inverse = stddev > 0.0f ? 1.0f / stddev : 1.0f;
      float* p = x + (i * channels + c) * plane;
      for (std::int64_t k = 0; k < plane; ++k) p[k] = (p[k] - mean) * inverse;
    }
}

Tensor make_batch(const Dataset& data, const std::vector<std::size_t>& order, std::size_t begin,
                  std::size_t end) {
  TANDEM_ASSERT(begin < end && end <= order.size());
  const TensorShape& s = data.sample_shape;
  Tensor batch =
      Tensor::empty({static_cast<std::int64_t>(end - begin), s.channels, s.height, s.width});
  const std::size_t elements = static_cast<std::size_t>(data.sample_elements());
  for (std::size_t i = begin; i < end; ++i)
    std::memcpy(batch.data() + (i - begin) * elements, data.image(order[i]),
                elements * sizeof(float));
  return batch;
}

std::vector<int> batch_labels(const Dataset& data, const std::vector<std::size_t>& order,
                              std::size_t begin, std::size_t end) {
  std::vector<int> labels;
  labels.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) labels.push_back(data.labels[order[i]]);
  return labels;
}

}  // namespace tandem
