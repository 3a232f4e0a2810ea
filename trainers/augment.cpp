// Random crop with zero padding and horizontal flip (see augment.hpp).
#include "trainers/augment.hpp"

#include <algorithm>
#include <vector>

#include "core/error.hpp"

namespace tandem {

void crop_and_flip(float* image, int channels, int height, int width, int padding, int top,
                   int left, bool flip) {
  std::vector<float> plane(static_cast<std::size_t>(height) * width);
  const int dy = top - padding, dx = left - padding;
  for (int c = 0; c < channels; ++c) {
    float* p = image + static_cast<std::ptrdiff_t>(c) * height * width;
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        const int sy = y + dy, sx = x + dx;
        const float v =
            (sy >= 0 && sy < height && sx >= 0 && sx < width) ? p[sy * width + sx] : 0.0f;
        plane[static_cast<std::size_t>(y) * width + (flip ? width - 1 - x : x)] = v;
      }
    std::copy(plane.begin(), plane.end(), p);
  }
}

void augment_batch(Tensor& batch, const AugmentOptions& options, Rng& rng) {
  if (!options.enabled()) return;
  TANDEM_ASSERT(batch.dim() == 4);
  TANDEM_CHECK(options.crop_padding >= 0, "augmentation: crop padding must be >= 0, got " +
                                              std::to_string(options.crop_padding));
  const int n = static_cast<int>(batch.size(0)), channels = static_cast<int>(batch.size(1));
  const int height = static_cast<int>(batch.size(2)), width = static_cast<int>(batch.size(3));
  const int p = options.crop_padding;
  for (int i = 0; i < n; ++i) {
    const int top = p > 0 ? static_cast<int>(rng.uniform_index(2 * p + 1)) : p;
    const int left = p > 0 ? static_cast<int>(rng.uniform_index(2 * p + 1)) : p;
    const bool flip = options.horizontal_flip && rng.bernoulli(0.5);
    if (top == p && left == p && !flip) continue;
    crop_and_flip(batch.data() + static_cast<std::ptrdiff_t>(i) * channels * height * width,
                  channels, height, width, p, top, left, flip);
  }
}

}  // namespace tandem
