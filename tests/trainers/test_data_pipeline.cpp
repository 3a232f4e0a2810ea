// The in-memory data pipeline: seeded train/validation split, per-channel normalisation, batches,
// random crop with padding and horizontal flip — checked against hand-computed values.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "core/error.hpp"
#include "trainers/augment.hpp"
#include "trainers/dataset.hpp"

using namespace tandem;

namespace {

// n samples of shape 1x1x1 whose single pixel and label are the sample index (mod 10 for labels).
Dataset numbered(int n) {
  Dataset data;
  data.name = "numbered";
  data.sample_shape = TensorShape{1, 1, 1};
  data.classes = 10;
  for (int i = 0; i < n; ++i) {
    data.images.push_back(static_cast<float>(i));
    data.labels.push_back(i % 10);
  }
  return data;
}

std::vector<int> pixels(const Dataset& data) {
  std::vector<int> values;
  for (float v : data.images) values.push_back(static_cast<int>(v));
  return values;
}

}  // namespace

TEST_CASE("split_dataset: disjoint parts covering everything, reproducible from the seed") {
  const Dataset data = numbered(100);
  Rng rng(7);
  auto [train, validation] = split_dataset(data, 0.25, rng);
  CHECK(train.size() == 75);
  CHECK(validation.size() == 25);
  std::vector<int> all = pixels(train);
  const std::vector<int> held = pixels(validation);
  all.insert(all.end(), held.begin(), held.end());
  std::sort(all.begin(), all.end());
  std::vector<int> expected(100);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(all == expected);                         // every sample exactly once
  for (std::size_t i = 0; i < train.size(); ++i)  // labels travel with their images
    CHECK(train.labels[i] == static_cast<int>(train.images[i]) % 10);

  Rng same(7), other(8);
  CHECK(pixels(split_dataset(data, 0.25, same).second) == held);
  CHECK(pixels(split_dataset(data, 0.25, other).second) != held);
  CHECK(held != std::vector<int>(expected.begin(), expected.begin() + 25));  // it was shuffled

  Rng r(0);
  CHECK_THROWS_AS(split_dataset(data, 1.0, r), Error);
  CHECK_THROWS_AS(split_dataset(numbered(1), 0.5, r), Error);
}

TEST_CASE("channel statistics and normalisation by hand") {
  Dataset data;
  data.name = "two channels";
  data.sample_shape = TensorShape{2, 1, 2};
  data.classes = 2;
  // sample 0: channel 0 = {1, 3}, channel 1 = {0, 4}; sample 1: channel 0 = {1, 3}, ch 1 = {4, 0}
  data.images = {1, 3, 0, 4, 1, 3, 4, 0};
  data.labels = {0, 1};
  const Normalization norm = channel_statistics(data);
  CHECK(norm.mean == std::vector<float>{2.0f, 2.0f});
  CHECK(norm.std == std::vector<float>{1.0f, 2.0f});

  const std::vector<std::size_t> order = {1, 0};
  Tensor batch = make_batch(data, order, 0, 2);
  CHECK(batch.shape() == Shape{2, 2, 1, 2});
  CHECK(batch.to_vector() == std::vector<float>{1, 3, 4, 0, 1, 3, 0, 4});
  CHECK(batch_labels(data, order, 0, 2) == std::vector<int>{1, 0});
  normalize_batch(batch, norm);
  CHECK(batch.to_vector() == std::vector<float>{-1, 1, 1, -1, -1, 1, -1, 1});
}

TEST_CASE("crop_and_flip shifts with zero fill and mirrors") {
  // 1x3x3 image 1..9; padding 1. Offset (0, 0) of the padded image moves the content down-right.
  std::vector<float> image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  crop_and_flip(image.data(), 1, 3, 3, 1, 0, 0, false);
  CHECK(image == std::vector<float>{0, 0, 0, 0, 1, 2, 0, 4, 5});

  image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  crop_and_flip(image.data(), 1, 3, 3, 1, 2, 1, false);  // one row up, no horizontal shift
  CHECK(image == std::vector<float>{4, 5, 6, 7, 8, 9, 0, 0, 0});

  image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  crop_and_flip(image.data(), 1, 3, 3, 0, 0, 0, true);  // mirror only
  CHECK(image == std::vector<float>{3, 2, 1, 6, 5, 4, 9, 8, 7});
}

TEST_CASE("augment_batch flips about half the samples and keeps the pixel values") {
  // 400 samples of 1x1x2 = [1, 2]: each comes out as [1, 2] or [2, 1].
  std::vector<float> values;
  for (int i = 0; i < 400; ++i) {
    values.push_back(1);
    values.push_back(2);
  }
  Tensor batch({400, 1, 1, 2}, values);
  Rng rng(3);
  augment_batch(batch, AugmentOptions{.crop_padding = 0, .horizontal_flip = true}, rng);
  int flipped = 0;
  for (int i = 0; i < 400; ++i) {
    const float a = batch.data()[2 * i], b = batch.data()[2 * i + 1];
    CHECK(((a == 1 && b == 2) || (a == 2 && b == 1)));
    flipped += a == 2;
  }
  CHECK(flipped > 150);  // Binomial(400, 1/2): 200 +- 10 standard deviation
  CHECK(flipped < 250);

  // Crop with padding 2 on a constant 1x4x4 image: every output is 1 or the zero fill, and the
  // count of ones equals the overlap of the shifted window (at least 2x2 = 4 pixels).
  Tensor ones = Tensor::full({50, 1, 4, 4}, 1.0f);
  augment_batch(ones, AugmentOptions{.crop_padding = 2, .horizontal_flip = false}, rng);
  std::set<int> overlaps;
  for (int i = 0; i < 50; ++i) {
    int count = 0;
    for (int k = 0; k < 16; ++k) {
      const float v = ones.data()[16 * i + k];
      CHECK((v == 0.0f || v == 1.0f));
      count += v == 1.0f;
    }
    CHECK(count >= 4);
    overlaps.insert(count);
  }
  CHECK(overlaps.size() > 1);  // different random offsets were drawn
}

TEST_CASE("resize_dataset: bilinear with half-pixel centres like PyTorch") {
  Dataset data;
  data.name = "tiny";
  data.sample_shape = TensorShape{1, 2, 2};
  data.classes = 1;
  data.images = {1, 3, 5, 7};
  data.labels = {0};
  const Dataset half = resize_dataset(data, 1, 1);  // 2x downsampling: the block average
  CHECK(half.sample_shape == TensorShape{1, 1, 1});
  CHECK(half.images == std::vector<float>{4});

  data.sample_shape = TensorShape{2, 1, 2};
  data.images = {0, 4, 8, 0};
  // F.interpolate(torch.tensor([[[[0., 4.]], [[8., 0.]]]]), size=(1, 4), mode="bilinear")
  const Dataset wide = resize_dataset(data, 1, 4);
  CHECK(wide.images == std::vector<float>{0, 1, 3, 4, 8, 6, 2, 0});
  CHECK(wide.labels == data.labels);
}
