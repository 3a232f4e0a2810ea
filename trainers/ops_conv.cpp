// conv2d and linear: forward and backward (torch.nn.functional.conv2d / linear semantics).
// conv2d paths, first match wins:
//  - "same" convolutions (groups 1, stride 1, output plane = input plane; NAS-Bench-201 / DARTS
//    3x3 and 1x1 convs) on AVX-512: the shifted-view kernels (kernels::ShiftedTaps) read the
//    input planes in place for the forward, the input gradient (the same kernel with the taps
//    mirrored) and the weight gradient; no im2col, no padded copies;
//  - depthwise convolutions (groups == C_in == C_out): a direct kernel per channel;
//  - 1x1 stride-1 unpadded convolutions multiply the input planes directly;
//  - the rest: im2col (or an implicit GEMM over a padded copy) + GEMM per image and group.
// relu_input convolves relu(x) (the network fuses ReLU -> conv): the shifted-view path rectifies
// each image (or pass of images) into cache-resident scratch just before its kernel and masks
// the input gradient as it stores it (a max per load inside the kernels would compete with the
// FMAs for the same ports); the other paths materialise relu(x). Work is split over images
// (forward, input gradient) and over per-chunk partial sums (weight gradient).
#include <algorithm>
#include <cstring>
#include <memory>

#include "trainers/kernels.hpp"
#include "trainers/ops_internal.hpp"

namespace tandem::ops {

namespace {

struct ConvGeometry {
  std::int64_t batch;
  int in_channels, out_channels, groups;
  int in_per_group, out_per_group;
  kernels::Window window;
  std::int64_t in_plane, out_plane, patch;  // patch = in_per_group * kh * kw
  bool depthwise, pointwise;
};

ConvGeometry geometry(const Tensor& x, const Tensor& weight, const OpAttributes& a) {
  require_nchw(x, "conv2d");
  TANDEM_CHECK(weight.dim() == 4, "conv2d: weight must be 4-D, got " +
                                      shape_to_string(weight.shape()));
  ConvGeometry g{};
  g.batch = x.size(0);
  g.in_channels = static_cast<int>(x.size(1));
  g.out_channels = static_cast<int>(weight.size(0));
  g.groups = a.groups;
  TANDEM_CHECK(g.groups > 0 && g.in_channels % g.groups == 0 && g.out_channels % g.groups == 0,
               "conv2d: groups " + std::to_string(g.groups) + " must divide channels");
  g.in_per_group = g.in_channels / g.groups;
  g.out_per_group = g.out_channels / g.groups;
  TANDEM_CHECK(weight.size(1) == g.in_per_group,
               "conv2d: weight " + shape_to_string(weight.shape()) + " does not fit input " +
                   shape_to_string(x.shape()) + " with groups " + std::to_string(g.groups));
  kernels::Window& w = g.window;
  w.height = static_cast<int>(x.size(2));
  w.width = static_cast<int>(x.size(3));
  w.kernel_h = static_cast<int>(weight.size(2));
  w.kernel_w = static_cast<int>(weight.size(3));
  w.stride = a.stride;
  w.padding = a.padding;
  w.dilation = a.dilation;
  TANDEM_CHECK(w.stride > 0 && w.dilation > 0 && w.padding >= 0,
               "conv2d: stride and dilation must be positive, padding >= 0");
  w.out_height = (w.height + 2 * w.padding - w.dilation * (w.kernel_h - 1) - 1) / w.stride + 1;
  w.out_width = (w.width + 2 * w.padding - w.dilation * (w.kernel_w - 1) - 1) / w.stride + 1;
  TANDEM_CHECK(w.out_height > 0 && w.out_width > 0,
               "conv2d: kernel does not fit the input " + shape_to_string(x.shape()));
  g.in_plane = static_cast<std::int64_t>(w.height) * w.width;
  g.out_plane = static_cast<std::int64_t>(w.out_height) * w.out_width;
  g.patch = static_cast<std::int64_t>(g.in_per_group) * w.kernel_h * w.kernel_w;
  g.depthwise = g.groups == g.in_channels && g.out_channels == g.in_channels;
  g.pointwise = w.kernel_h == 1 && w.kernel_w == 1 && w.stride == 1 && w.padding == 0;
  return g;
}

// Implicit-GEMM convolution (stride 1, groups 1): the input planes are copied once into a padded
// buffer and the GEMM reads each (c, i, j) row of the would-be im2col matrix as a shifted view
// of it (B row offsets), computing the output on the padded width; the valid columns are then
// cropped out. Replaces im2col's kh*kw-fold copy by one padded copy.
struct ImplicitConv {
  kernels::Window w;
  int channels;
  std::int64_t padded_plane, padded_width, wide;  // wide = out_height * padded_width
  std::vector<std::int64_t> offsets;

  ImplicitConv(const kernels::Window& window, int in_channels) : w(window), channels(in_channels) {
    padded_width = w.width + 2 * w.padding;
    padded_plane = (w.height + 2 * w.padding) * padded_width;
    wide = static_cast<std::int64_t>(w.out_height) * padded_width;
    for (int c = 0; c < channels; ++c)
      for (int i = 0; i < w.kernel_h; ++i)
        for (int j = 0; j < w.kernel_w; ++j)
          offsets.push_back(c * padded_plane + static_cast<std::int64_t>(i) * w.dilation * padded_width +
                            static_cast<std::int64_t>(j) * w.dilation);
  }
  static bool applies(const kernels::Table& k, const kernels::Window& w) {
    return k.has_implicit_conv && w.stride == 1 && w.out_width >= 16;
  }
  // out[m][oh][ow] = (beta ? out + : ) a[m x (channels*kh*kw)] * cols(x)
  void run(const kernels::Table& k, const float* x, const float* a, std::int64_t m, float beta,
           float* out) const {
    const std::int64_t slack = static_cast<std::int64_t>(w.kernel_w - 1) * w.dilation + 16;
    float* padded = scratch(channels * padded_plane + slack, 2);
    std::memset(padded, 0, sizeof(float) * static_cast<std::size_t>(channels * padded_plane + slack));
    for (int c = 0; c < channels; ++c)
      for (int h = 0; h < w.height; ++h)
        std::memcpy(padded + c * padded_plane + (h + w.padding) * padded_width + w.padding,
                    x + (static_cast<std::int64_t>(c) * w.height + h) * w.width,
                    sizeof(float) * static_cast<std::size_t>(w.width));
    float* result = scratch(m * wide, 3);
    k.gemm_few_rows_indirect(m, wide, static_cast<std::int64_t>(offsets.size()), a,
                             static_cast<std::int64_t>(offsets.size()), padded, offsets.data(),
                             0.0f, result, wide);
    const std::int64_t out_plane = static_cast<std::int64_t>(w.out_height) * w.out_width;
    for (std::int64_t r = 0; r < m; ++r)
      for (int oh = 0; oh < w.out_height; ++oh) {
        const float* src = result + r * wide + oh * padded_width;
        float* dst = out + r * out_plane + oh * w.out_width;
        if (beta == 0.0f) std::memcpy(dst, src, sizeof(float) * static_cast<std::size_t>(w.out_width));
        else k.axpy(1.0f, src, dst, w.out_width);
      }
  }
};

// The taps of a "same" stride-1 convolution for the shifted-view kernels; `transposed` gives the
// taps of its input gradient (dx[q] gathers dy[q - shift] with the same weights).
class ShiftPlan {
 public:
  ShiftPlan(const kernels::Window& w, bool transposed) {
    const std::int64_t plane = static_cast<std::int64_t>(w.height) * w.width;
    const std::int64_t vectors = ((plane + 15) / 16 + 1) / 2 * 2;
    const int count = w.kernel_h * w.kernel_w;
    masks_.assign(static_cast<std::size_t>(count * vectors), 0);
    for (int i = 0; i < w.kernel_h; ++i)
      for (int j = 0; j < w.kernel_w; ++j) {
        int di = i * w.dilation - w.padding, dj = j * w.dilation - w.padding;
        if (transposed) {
          di = -di;
          dj = -dj;
        }
        const std::int64_t t = static_cast<std::int64_t>(shift_.size());
        shift_.push_back(static_cast<std::int64_t>(di) * w.width + dj);
        for (int oh = std::max(0, -di); oh < std::min(w.height, w.height - di); ++oh)
          for (int ow = std::max(0, -dj); ow < std::min(w.width, w.width - dj); ++ow) {
            const std::int64_t p = static_cast<std::int64_t>(oh) * w.width + ow;
            masks_[static_cast<std::size_t>((p / 16) * count + t)] |=
                static_cast<std::uint16_t>(1u << (p % 16));
          }
      }
    taps_ = {plane, w.width, vectors, count, shift_.data(), masks_.data()};
  }
  ShiftPlan(const ShiftPlan&) = delete;
  ShiftPlan& operator=(const ShiftPlan&) = delete;
  const kernels::ShiftedTaps& taps() const { return taps_; }

  static bool applies(const kernels::Table& k, const ConvGeometry& g) {
    const kernels::Window& w = g.window;
    return k.has_shifted_conv && g.groups == 1 && w.stride == 1 && w.out_height == w.height &&
           w.out_width == w.width;
  }

 private:
  std::vector<std::int64_t> shift_;
  std::vector<std::uint16_t> masks_;
  kernels::ShiftedTaps taps_{};
};

// weight [rows][channels][taps] -> [taps][channels or rows][rows or channels] (kernel layouts).
std::vector<float> taps_major(const float* w, int rows, int channels, int taps, bool swap) {
  std::vector<float> out(static_cast<std::size_t>(rows) * channels * taps);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < channels; ++c)
      for (int t = 0; t < taps; ++t) {
        const std::size_t to = swap ? (static_cast<std::size_t>(t) * rows + r) * channels + c
                                    : (static_cast<std::size_t>(t) * channels + c) * rows + r;
        out[to] = w[(static_cast<std::size_t>(r) * channels + c) * taps + t];
      }
  return out;
}

// relu(x[0 .. n)) into a per-thread scratch slot (the shifted-view path's rectified inputs).
const float* rectified(const float* x, std::int64_t n, int slot) {
  float* out = scratch(n, slot);
  kernels::table().relu_forward(x, out, n);
  return out;
}

Tensor relu_copy(const Tensor& x) {
  Tensor y = Tensor::empty(x.shape());
  const float* in = x.data();
  float* out = y.data();
  parallel_for(x.numel(), 1 << 15, [&](std::int64_t b, std::int64_t e) {
    kernels::table().relu_forward(in + b, out + b, e - b);
  });
  return y;
}

}  // namespace

Tensor conv2d_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const Tensor& weight = context.inputs[1];
  const ConvGeometry g = geometry(x, weight, *context.attributes);
  const bool has_bias = context.inputs.size() > 2 && context.inputs[2].defined();
  Tensor y = Tensor::empty({g.batch, g.out_channels, g.window.out_height, g.window.out_width});
  const kernels::Table& k = kernels::table();
  const bool relu_input = context.attributes->relu_input;
  const bool shifted = ShiftPlan::applies(k, g);
  const Tensor input = relu_input && !shifted ? relu_copy(x) : x;
  const float* xd = input.data();
  const float* wd = weight.data();
  float* yd = y.data();
  if (shifted) {
    const ShiftPlan plan(g.window, false);
    const int taps = g.window.kernel_h * g.window.kernel_w;
    const std::vector<float> wt = taps_major(wd, g.out_channels, g.in_channels, taps, false);
    const std::int64_t x_image = g.in_channels * g.in_plane;
    parallel_for(g.batch, 1, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t n = begin; n < end; ++n)
        k.shifted_conv(relu_input ? rectified(xd + n * x_image, x_image, 2) : xd + n * x_image,
                       g.in_channels, plan.taps(), wt.data(), g.out_channels, nullptr, 0.0f,
                       yd + n * g.out_channels * g.out_plane);
    });
  } else if (g.depthwise) {
    const std::int64_t kernel = static_cast<std::int64_t>(g.window.kernel_h) * g.window.kernel_w;
    parallel_for(g.batch * g.in_channels, 4, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        const std::int64_t c = i % g.in_channels;
        k.depthwise_forward(xd + i * g.in_plane, wd + c * kernel, g.window, yd + i * g.out_plane);
      }
    });
  } else {
    // im2col matrices live in per-thread scratch (cache-sized) and are rebuilt for the weight
    // gradient: keeping them for backward costs more in memory traffic than rebuilding.
    if (!g.pointwise && g.groups == 1 && ImplicitConv::applies(k, g.window)) {
      const ImplicitConv implicit(g.window, g.in_channels);
      parallel_for(g.batch, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t n = begin; n < end; ++n)
          implicit.run(k, xd + n * g.in_channels * g.in_plane, wd, g.out_channels, 0.0f,
                       yd + n * g.out_channels * g.out_plane);
      });
    } else {
      parallel_for(g.batch, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t n = begin; n < end; ++n) {
          for (int group = 0; group < g.groups; ++group) {
            const float* xg = xd + (n * g.in_channels + group * g.in_per_group) * g.in_plane;
            const float* cols = xg;
            if (!g.pointwise) {
              float* buffer = scratch(g.patch * g.out_plane + 16);
              k.im2col(xg, g.in_per_group, g.window, buffer);
              cols = buffer;
            }
            k.gemm_few_rows(g.out_per_group, g.out_plane, g.patch,
                            wd + group * g.out_per_group * g.patch, g.patch, cols, g.out_plane,
                            0.0f, yd + (n * g.out_channels + group * g.out_per_group) * g.out_plane,
                            g.out_plane);
          }
        }
      });
    }
  }
  if (has_bias) {
    const float* b = context.inputs[2].data();
    parallel_for(g.batch * g.out_channels, 16, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        const float bv = b[i % g.out_channels];
        float* row = yd + i * g.out_plane;
        for (std::int64_t p = 0; p < g.out_plane; ++p) row[p] += bv;
      }
    });
  }
  return y;
}

namespace {

// One partial weight gradient per chunk of images, summed at the end: several chunks per thread
// so a preempted thread does not hold the others back.
std::int64_t weight_chunks(std::int64_t batch) {
  return std::min<std::int64_t>(4 * std::max(1, current_thread_count()), batch);
}

// Input and weight gradients on the shifted-view kernels (ShiftPlan::applies).
void shifted_backward(const ConvGeometry& g, const float* xd, const float* wd, const float* dy,
                      bool relu_input, float* dx, bool dx_fresh, float* dw) {
  const kernels::Table& k = kernels::table();
  const int taps = g.window.kernel_h * g.window.kernel_w;
  const std::int64_t weight_size = static_cast<std::int64_t>(g.out_channels) * g.in_channels * taps;
  const ShiftPlan forward_taps(g.window, false), input_taps(g.window, true);
  const std::vector<float> wt =
      dx ? taps_major(wd, g.out_channels, g.in_channels, taps, true) : std::vector<float>();
  const std::int64_t x_image = g.in_channels * g.in_plane, dy_image = g.out_channels * g.out_plane;
  const std::int64_t chunks = weight_chunks(g.batch);
  std::vector<float> partial(dw ? static_cast<std::size_t>((chunks - 1) * weight_size) : 0, 0.0f);
  parallel_for(chunks, 1, [&](std::int64_t chunk_begin, std::int64_t chunk_end) {
    for (std::int64_t chunk = chunk_begin; chunk < chunk_end; ++chunk) {
      const std::int64_t n_begin = g.batch * chunk / chunks;
      const std::int64_t n_end = g.batch * (chunk + 1) / chunks;
      // Passes of a few images: each (rows, columns) block of the kernel re-reads its pass's
      // images, which should stay in L2 (~512 KiB of x and dy per pass).
      const std::int64_t per_pass =
          std::clamp<std::int64_t>((512 << 10) / (4 * (x_image + dy_image)), 1, 64);
      for (std::int64_t first = n_begin; dw && first < n_end; first += per_pass) {
        const std::int64_t images = std::min(per_pass, n_end - first);
        k.shifted_conv_weight_grad(
            relu_input ? rectified(xd + first * x_image, images * x_image, 2) : xd + first * x_image,
            x_image, g.in_channels, forward_taps.taps(), dy + first * dy_image, dy_image,
            g.out_channels, static_cast<int>(images),
            chunk == 0 ? dw : partial.data() + (chunk - 1) * weight_size);
      }
      if (dx)
        for (std::int64_t n = n_begin; n < n_end; ++n)
          k.shifted_conv(dy + n * dy_image, g.out_channels, input_taps.taps(), wt.data(),
                         g.in_channels, relu_input ? xd + n * x_image : nullptr,
                         dx_fresh ? 0.0f : 1.0f, dx + n * x_image);
    }
  });
  if (dw)
    for (std::int64_t chunk = 1; chunk < chunks; ++chunk)
      accumulate(dw, partial.data() + (chunk - 1) * weight_size, weight_size);
}

// Input and weight gradients on the depthwise, pointwise and im2col/implicit-GEMM paths; xd is
// the convolution's actual input (relu(x) for relu_input).
void gemm_backward(const ConvGeometry& g, const float* xd,
                   const float* wd, const float* dy, float* dx, bool dx_fresh, float* dw) {
  const kernels::Table& k = kernels::table();
  const std::int64_t weight_size =
      static_cast<std::int64_t>(g.out_channels) * g.patch;
  const std::int64_t x_numel = g.batch * g.in_channels * g.in_plane;
  const std::int64_t kernel = static_cast<std::int64_t>(g.window.kernel_h) * g.window.kernel_w;

  if (g.depthwise) {
    if (dx_fresh) std::memset(dx, 0, static_cast<std::size_t>(x_numel) * sizeof(float));
    if (dx) {
      parallel_for(g.batch * g.in_channels, 4, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
          const std::int64_t c = i % g.in_channels;
          k.depthwise_backward_input(dy + i * g.out_plane, wd + c * kernel, g.window,
                                     dx + i * g.in_plane);
        }
      });
    }
    if (dw) {
      // Parallel over channels; each channel sums over the batch (no partial buffers needed).
      parallel_for(g.in_channels, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t c = begin; c < end; ++c)
          for (std::int64_t n = 0; n < g.batch; ++n) {
            const std::int64_t i = n * g.in_channels + c;
            k.depthwise_backward_weight(dy + i * g.out_plane, xd + i * g.in_plane, g.window,
                                        dw + c * kernel);
          }
      });
    }
    return;
  }

  // Input gradient of a stride-1 convolution as a convolution of dy with the flipped, transposed
  // kernel (padding dilation*(k-1) - padding): one im2col + a GEMM whose inner dimension is
  // C_out*kh*kw, instead of a GEMM with inner dimension C_out followed by col2im. Only when the
  // output plane is at least as large as the input plane: for "valid" convolutions (LeNet's
  // 12x12 -> 8x8) the transposed form multiplies mostly padding (2.25x the MACs there) and
  // col2im is cheaper.
  const kernels::Window& fw = g.window;
  const int flipped_padding = fw.dilation * (fw.kernel_h - 1) - fw.padding;
  const bool transposed_input_grad = dx && !g.pointwise && g.groups == 1 && fw.stride == 1 &&
                                     fw.kernel_h == fw.kernel_w && flipped_padding >= 0 &&
                                     g.out_plane >= g.in_plane;
  std::vector<float> flipped;
  kernels::Window tw{};
  if (transposed_input_grad) {
    const int kh = fw.kernel_h, kw = fw.kernel_w;
    flipped.resize(static_cast<std::size_t>(weight_size));
    for (int co = 0; co < g.out_channels; ++co)
      for (int ci = 0; ci < g.in_channels; ++ci)
        for (int i = 0; i < kh; ++i)
          for (int j = 0; j < kw; ++j)
            flipped[static_cast<std::size_t>(((ci * g.out_channels + co) * kh + i) * kw + j)] =
                wd[((co * g.in_channels + ci) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)];
    tw = {fw.out_height, fw.out_width, kh, kw, 1, flipped_padding, fw.dilation, fw.height,
          fw.width};
  }
  const std::int64_t transposed_patch = static_cast<std::int64_t>(g.out_channels) * kernel;
  std::unique_ptr<ImplicitConv> implicit_dx;
  if (transposed_input_grad && ImplicitConv::applies(k, tw))
    implicit_dx = std::make_unique<ImplicitConv>(tw, g.out_channels);
  // A fresh dx is overwritten by the first GEMM of each image (beta 0) on the GEMM-only paths;
  // the col2im path accumulates, so it starts from zero.
  const bool gemm_only_dx = transposed_input_grad || (g.pointwise && g.groups == 1);
  if (dx_fresh && !gemm_only_dx)
    std::memset(dx, 0, static_cast<std::size_t>(x_numel) * sizeof(float));
  const float dx_beta = dx_fresh && gemm_only_dx ? 0.0f : 1.0f;

  // col2im path: dcols = W^T dY as a few-rows GEMM on the transposed weights (no packing).
  std::vector<float> weight_t;
  const bool col2im_dx = dx && !implicit_dx && !transposed_input_grad && !g.pointwise;
  if (col2im_dx) {
    weight_t.resize(static_cast<std::size_t>(weight_size));
    for (int group = 0; group < g.groups; ++group) {
      const float* wg = wd + group * g.out_per_group * g.patch;
      float* tg = weight_t.data() + group * g.out_per_group * g.patch;
      for (int o = 0; o < g.out_per_group; ++o)
        for (std::int64_t q = 0; q < g.patch; ++q) tg[q * g.out_per_group + o] = wg[o * g.patch + q];
    }
  }
  // Weight gradient of images [n_begin, n_end) into dw_chunk: batched dot products (one
  // horizontal sum per weight and call) over the input itself (pointwise) or over im2col
  // matrices rebuilt a few images at a time in cache-sized scratch.
  const std::int64_t cols_image = g.groups * g.patch * g.out_plane;
  auto weight_grad = [&](std::int64_t n_begin, std::int64_t n_end, float* dw_chunk) {
    auto product = [&](std::int64_t first, std::int64_t images, const float* cols,
                       std::int64_t cols_stride, std::int64_t group_offset) {
      for (int group = 0; group < g.groups; ++group)
        k.gemm_dot_accumulate(
            g.out_per_group, g.patch, g.out_plane, static_cast<int>(images),
            dy + (first * g.out_channels + group * g.out_per_group) * g.out_plane, g.out_plane,
            g.out_channels * g.out_plane, cols + group * group_offset, g.out_plane, cols_stride,
            dw_chunk + group * g.out_per_group * g.patch, g.patch);
    };
    if (g.pointwise) {
      product(n_begin, n_end - n_begin, xd + n_begin * g.in_channels * g.in_plane,
              g.in_channels * g.in_plane, g.in_per_group * g.in_plane);
    } else {
      const std::int64_t per_pass = std::clamp<std::int64_t>((512 << 10) / (4 * cols_image), 1, 64);
      float* buffer = scratch(per_pass * cols_image + 16, 0);
      for (std::int64_t first = n_begin; first < n_end; first += per_pass) {
        const std::int64_t images = std::min(per_pass, n_end - first);
        for (std::int64_t i = 0; i < images; ++i)
          for (int group = 0; group < g.groups; ++group)
            k.im2col(xd + ((first + i) * g.in_channels + group * g.in_per_group) * g.in_plane,
                     g.in_per_group, g.window,
                     buffer + i * cols_image + group * g.patch * g.out_plane);
        product(first, images, buffer, cols_image, g.patch * g.out_plane);
      }
    }
  };
  const std::int64_t chunks = weight_chunks(g.batch);
  std::vector<float> partial(dw ? static_cast<std::size_t>((chunks - 1) * weight_size) : 0, 0.0f);
  parallel_for(chunks, 1, [&](std::int64_t chunk_begin, std::int64_t chunk_end) {
    for (std::int64_t chunk = chunk_begin; chunk < chunk_end; ++chunk) {
      const std::int64_t n_begin = g.batch * chunk / chunks;
      const std::int64_t n_end = g.batch * (chunk + 1) / chunks;
      if (dw) weight_grad(n_begin, n_end, chunk == 0 ? dw : partial.data() + (chunk - 1) * weight_size);
      if (!dx) continue;
      for (std::int64_t n = n_begin; n < n_end; ++n) {
        for (int group = 0; group < g.groups; ++group) {
          const float* dyg = dy + (n * g.out_channels + group * g.out_per_group) * g.out_plane;
          const float* wg = wd + group * g.out_per_group * g.patch;
          float* dxg = dx + (n * g.in_channels + group * g.in_per_group) * g.in_plane;
          if (implicit_dx) {
            implicit_dx->run(k, dyg, flipped.data(), g.in_channels, dx_beta, dxg);
          } else if (transposed_input_grad) {
            float* cols = scratch(transposed_patch * g.in_plane + 16, 1);
            k.im2col(dyg, g.out_channels, tw, cols);
            k.gemm_few_rows(g.in_channels, g.in_plane, transposed_patch, flipped.data(),
                            transposed_patch, cols, g.in_plane, dx_beta, dxg, g.in_plane);
          } else if (g.pointwise) {
            k.gemm(true, false, g.patch, g.out_plane, g.out_per_group, 1.0f, wg, g.patch, dyg,
                   g.out_plane, dx_beta, dxg, g.out_plane);
          } else {
            float* dcols = scratch(g.patch * g.out_plane, 1);
            k.gemm_few_rows(g.patch, g.out_plane, g.out_per_group,
                            weight_t.data() + group * g.out_per_group * g.patch,
                            g.out_per_group, dyg, g.out_plane, 0.0f, dcols, g.out_plane);
            k.col2im(dcols, g.in_per_group, g.window, dxg);
          }
        }
      }
    }
  });
  if (dw)
    for (std::int64_t chunk = 1; chunk < chunks; ++chunk)
      accumulate(dw, partial.data() + (chunk - 1) * weight_size, weight_size);
}

}  // namespace

void conv2d_backward(const OpContext& context, const Tensor& grad_output,
                     const std::vector<Tensor*>& grads) {
  const Tensor& x = context.inputs[0];
  const Tensor& weight = context.inputs[1];
  const ConvGeometry g = geometry(x, weight, *context.attributes);
  const kernels::Table& k = kernels::table();
  const float* dy = grad_output.data();
  zero_fresh(context, grads, {1, 2});  // weight and bias gradients accumulate
  float* dx = grads[0] ? grads[0]->data() : nullptr;
  float* dw = grads[1] ? grads[1]->data() : nullptr;
  if (grads.size() > 2 && grads[2]) {
    float* db = grads[2]->data();
    for (int c = 0; c < g.out_channels; ++c) {
      double sum = 0.0;
      for (std::int64_t n = 0; n < g.batch; ++n)
        sum += k.sum(dy + (n * g.out_channels + c) * g.out_plane, g.out_plane);
      db[c] += static_cast<float>(sum);
    }
  }
  if (!dx && !dw) return;
  const bool dx_fresh = dx && context.is_fresh(0);
  const bool relu_input = context.attributes->relu_input;
  if (ShiftPlan::applies(k, g)) {
    shifted_backward(g, x.data(), weight.data(), dy, relu_input, dx, dx_fresh, dw);
    return;
  }
  if (!relu_input) {
    gemm_backward(g, x.data(), weight.data(), dy, dx, dx_fresh, dw);
    return;
  }
  // relu_input on the other paths: the convolution of relu(x), then the ReLU's mask on dx.
  const Tensor input = relu_copy(x);
  Tensor dconv = dx ? Tensor::empty(x.shape()) : Tensor();
  gemm_backward(g, input.data(), weight.data(), dy, dx ? dconv.data() : nullptr, true, dw);
  if (dx) {
    const float* xd = x.data();
    const float* dc = dconv.data();
    parallel_for(x.numel(), 1 << 15, [&](std::int64_t b, std::int64_t e) {
      k.relu_backward(xd + b, dc + b, dx + b, e - b, dx_fresh);
    });
  }
}

}  // namespace tandem::ops

namespace tandem {

bool conv2d_fuses_relu(const OpAttributes& a, int kernel_h, int kernel_w, std::int64_t height,
                       std::int64_t width) {
  const std::int64_t out_h = (height + 2 * a.padding - a.dilation * (kernel_h - 1) - 1) / a.stride + 1;
  const std::int64_t out_w = (width + 2 * a.padding - a.dilation * (kernel_w - 1) - 1) / a.stride + 1;
  return kernels::table().has_shifted_conv && a.groups == 1 && a.stride == 1 &&
         out_h == height && out_w == width;
}

}  // namespace tandem

namespace tandem::ops {

// ---- linear: y = x W^T + b with x flattened to [N, in].
Tensor linear_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const Tensor& weight = context.inputs[1];
  TANDEM_CHECK(x.dim() >= 1 && weight.dim() == 2, "linear: bad shapes " +
                                                      shape_to_string(x.shape()) + " and " +
                                                      shape_to_string(weight.shape()));
  const std::int64_t n = x.size(0);
  const std::int64_t in = x.numel() / std::max<std::int64_t>(n, 1);
  const std::int64_t out = weight.size(0);
  TANDEM_CHECK(weight.size(1) == in, "linear: input " + shape_to_string(x.shape()) + " has " +
                                         std::to_string(in) + " features, weight " +
                                         shape_to_string(weight.shape()) + " expects " +
                                         std::to_string(weight.size(1)));
  Tensor y = Tensor::empty({n, out});
  const bool has_bias = context.inputs.size() > 2 && context.inputs[2].defined();
  const float* xd = x.data();
  const float* wd = weight.data();
  float* yd = y.data();
  const float* b = has_bias ? context.inputs[2].data() : nullptr;
  parallel_chunks(n, 16, [&](std::int64_t begin, std::int64_t end) {
    if (b)
      for (std::int64_t r = begin; r < end; ++r) std::memcpy(yd + r * out, b, out * sizeof(float));
    kernels::gemm(false, true, end - begin, out, in, 1.0f, xd + begin * in, in, wd, in,
                  b ? 1.0f : 0.0f, yd + begin * out, out);
  });
  return y;
}

void linear_backward(const OpContext& context, const Tensor& grad_output,
                     const std::vector<Tensor*>& grads) {
  const Tensor& x = context.inputs[0];
  const Tensor& weight = context.inputs[1];
  const std::int64_t n = x.size(0);
  const std::int64_t in = weight.size(1);
  const std::int64_t out = weight.size(0);
  const float* dy = grad_output.data();
  if (grads[0]) {
    float* dx = grads[0]->data();
    parallel_chunks(n, 16, [&](std::int64_t begin, std::int64_t end) {
      kernels::gemm(false, false, end - begin, in, out, 1.0f, dy + begin * out, out,
                    weight.data(), in, 1.0f, dx + begin * in, in);
    });
  }
  if (grads[1]) {
    float* dw = grads[1]->data();
    parallel_chunks(out, 8, [&](std::int64_t begin, std::int64_t end) {
      kernels::gemm(true, false, end - begin, in, n, 1.0f, dy + begin, out, x.data(), in, 1.0f,
                    dw + begin * in, in);
    });
  }
  if (grads.size() > 2 && grads[2]) {
    float* db = grads[2]->data();
    for (std::int64_t r = 0; r < n; ++r) accumulate(db, dy + r * out, out);
  }
}

}  // namespace tandem::ops
