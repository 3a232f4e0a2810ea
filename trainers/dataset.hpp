// Dataset: labelled images in memory for the training loop — a per-sample shape C x H x W, a class
// count, float pixels (N x C x H x W, row-major) and one int label per sample. Readers fill it
// (idx_reader, cifar_reader, csv_dataset; dataset_reader picks one by name). Here: subsets, a
// seeded train/validation split, per-channel mean/std normalisation and batch assembly.
//
//   Dataset all = load_dataset("digits", {}).train;
//   Rng rng(seed);
//   auto [train, validation] = split_dataset(all, 0.2, rng);    // seeded shuffle, then split
//   Normalization norm = channel_statistics(train);               // from the training part only
//   Tensor images = make_batch(train, order, begin, end, &norm);  // [B, C, H, W]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/compute_graph.hpp"
#include "core/rng.hpp"
#include "trainers/tensor.hpp"

namespace tandem {

struct Dataset {
  std::string name;           // for messages ("mnist train", "digits.csv")
  TensorShape sample_shape;   // C x H x W of one sample
  int classes = 0;            // labels lie in [0, classes)
  std::vector<float> images;  // size() * sample_shape.elements() values
  std::vector<int> labels;

  std::size_t size() const { return labels.size(); }
  std::int64_t sample_elements() const { return sample_shape.elements(); }
  const float* image(std::size_t index) const {
    return images.data() + static_cast<std::int64_t>(index) * sample_elements();
  }
  // Throws tandem::Error when the sizes disagree or a label is out of range.
  void check() const;
};

// A reader's result: the training part and, when the format has one, the test part.
struct DatasetSplits {
  Dataset train;
  std::optional<Dataset> test;
};

// The samples at `indices`, in that order.
Dataset subset(const Dataset& data, const std::vector<std::size_t>& indices,
               const std::string& name);

// Shuffles the sample order with `rng`, then the first round(fraction * N) samples form the
// validation part and the rest the training part. fraction in (0, 1); both parts non-empty.
std::pair<Dataset, Dataset> split_dataset(const Dataset& data, double validation_fraction,
                                          Rng& rng);

// Every image resized to height x width by bilinear interpolation with half-pixel centres
// (torch.nn.functional.interpolate(mode="bilinear", align_corners=False), no antialiasing): a
// 2x downsampling averages each 2x2 block. The same size returns a copy.
Dataset resize_dataset(const Dataset& data, int height, int width);

// Per-channel mean and standard deviation (population, like torchvision's usual recipe).
struct Normalization {
  std::vector<float> mean;
  std::vector<float> std;
};
Normalization channel_statistics(const Dataset& data);

// Applies (x - mean[c]) / std[c] to a batch [B, C, H, W] in place (std 0 is treated as 1).
void normalize_batch(Tensor& batch, const Normalization& normalization);

// Samples order[begin..end) as a batch [end - begin, C, H, W] (raw values, not normalised).
Tensor make_batch(const Dataset& data, const std::vector<std::size_t>& order, std::size_t begin,
                  std::size_t end);
std::vector<int> batch_labels(const Dataset& data, const std::vector<std::size_t>& order,
                              std::size_t begin, std::size_t end);

}  // namespace tandem
