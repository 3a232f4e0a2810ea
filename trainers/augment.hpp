// Training-time data augmentation on a batch [B, C, H, W] of raw (not yet normalised) pixels, as
// torchvision's RandomCrop(size, padding=p) + RandomHorizontalFlip(): each sample is shifted by a
// random offset in [-p, p] in both directions with zero fill (= crop from the zero-padded image),
// and mirrored left-right with probability 1/2. Randomness only from the given Rng.
#pragma once

#include "core/rng.hpp"
#include "trainers/tensor.hpp"

namespace tandem {

struct AugmentOptions {
  int crop_padding = 0;          // p; 0 = no random crop
  bool horizontal_flip = false;  // mirror with probability 0.5
  bool enabled() const { return crop_padding > 0 || horizontal_flip; }
};

// Crops the sample `image` [C, H, W] at offset (top, left) of its zero-padded version (padding p):
// out[c][y][x] = in[c][y + top - p][x + left - p] or 0 outside; then mirrors it when `flip`.
void crop_and_flip(float* image, int channels, int height, int width, int padding, int top,
                   int left, bool flip);

// Applies the random crop and flip to every sample of `batch` in place.
void augment_batch(Tensor& batch, const AugmentOptions& options, Rng& rng);

}  // namespace tandem
