// max_pool, avg_pool and global_avg_pool (torch.nn.functional.max_pool2d / avg_pool2d /
// adaptive_avg_pool2d(1)), floor or ceil mode. Output size as PyTorch's pooling_output_shape: in
// ceil mode rounded up, but the last window must start inside the input or its left padding.
// Max pooling pads with -inf (padding never wins) and routes the gradient to the first maximum
// of each window; avg pooling divides, when count_include_pad, by the window's size clipped to
// the padded input (kh*kw except for ceil mode's overhanging last windows), else by the number of
// window positions inside the input (PyTorch's AvgPoolKernel: windows are clipped to the padded
// input first, then to the input). 2x2 stride-2 max pooling (LeNet) has a
// dedicated kernel (kernels::Table::max_pool_2x2).
#include <cmath>
#include <cstdint>
#include <limits>

#include "trainers/kernels.hpp"
#include "trainers/ops_internal.hpp"

namespace tandem::ops {

namespace {

struct PoolGeometry {
  std::int64_t planes;
  int height, width, out_height, out_width;
  int kh, kw, stride, padding;
};

PoolGeometry pool_geometry(const Tensor& x, const OpAttributes& a, const char* what) {
  require_nchw(x, what);
  PoolGeometry g{};
  g.planes = x.size(0) * x.size(1);
  g.height = static_cast<int>(x.size(2));
  g.width = static_cast<int>(x.size(3));
  g.kh = a.kernel_h;
  g.kw = a.kernel_w;
  g.stride = a.stride;
  g.padding = a.padding;
  TANDEM_CHECK(g.kh > 0 && g.kw > 0 && g.stride > 0 && g.padding >= 0 &&
                   2 * g.padding <= std::max(g.kh, g.kw),
               std::string(what) + ": bad kernel/stride/padding");
  auto output = [&](int size, int kernel) {
    if (!a.ceil_mode) return (size + 2 * g.padding - kernel) / g.stride + 1;
    int out = (size + 2 * g.padding - kernel + g.stride - 1) / g.stride + 1;
    if ((out - 1) * g.stride >= size + g.padding) --out;
    return out;
  };
  g.out_height = output(g.height, g.kh);
  g.out_width = output(g.width, g.kw);
  TANDEM_CHECK(g.out_height > 0 && g.out_width > 0,
               std::string(what) + ": window does not fit input " + shape_to_string(x.shape()));
  return g;
}

}  // namespace

namespace {
// PyTorch's max-pool rule: a larger value or a NaN takes over (NaNs propagate).
inline bool wins(float v, float best) { return v > best || std::isnan(v); }
}  // namespace

// saved[0]: argmax (int32 flat index within the input plane) per output element.
Tensor max_pool_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const PoolGeometry g = pool_geometry(x, *context.attributes, "max_pool");
  Tensor y = Tensor::empty({x.size(0), x.size(1), g.out_height, g.out_width});
  Tensor argmax = Tensor::empty(y.shape());
  const std::int64_t in_plane = static_cast<std::int64_t>(g.height) * g.width;
  const std::int64_t out_plane = static_cast<std::int64_t>(g.out_height) * g.out_width;
  const bool two_by_two = g.kh == 2 && g.kw == 2 && g.stride == 2 && g.padding == 0 &&
                          2 * g.out_height <= g.height && 2 * g.out_width <= g.width;
  parallel_for(g.planes, 4, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t plane = begin; plane < end; ++plane) {
      const float* in = x.data() + plane * in_plane;
      float* out = y.data() + plane * out_plane;
      auto* index = reinterpret_cast<std::int32_t*>(argmax.data()) + plane * out_plane;
      if (two_by_two) {
        kernels::table().max_pool_2x2(in, g.width, g.out_height, g.out_width, out, index);
        continue;
      }
      for (int oh = 0; oh < g.out_height; ++oh) {
        const int h0 = std::max(oh * g.stride - g.padding, 0);
        const int h1 = std::min(oh * g.stride - g.padding + g.kh, g.height);
        for (int ow = 0; ow < g.out_width; ++ow) {
          const int w0 = std::max(ow * g.stride - g.padding, 0);
          const int w1 = std::min(ow * g.stride - g.padding + g.kw, g.width);
          float best = -std::numeric_limits<float>::infinity();
          int best_index = h0 * g.width + w0;
          for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) {
              const float v = in[h * g.width + w];
              if (wins(v, best)) {
                best = v;
                best_index = h * g.width + w;
              }
            }
          out[oh * g.out_width + ow] = best;
          index[oh * g.out_width + ow] = best_index;
        }
      }
    }
  });
  context.saved = {argmax};
  return y;
}

void max_pool_backward(const OpContext& context, const Tensor& grad_output,
                       const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const Tensor& x = context.inputs[0];
  const PoolGeometry g = pool_geometry(x, *context.attributes, "max_pool");
  const std::int64_t in_plane = static_cast<std::int64_t>(g.height) * g.width;
  const std::int64_t out_plane = static_cast<std::int64_t>(g.out_height) * g.out_width;
  parallel_for(g.planes, 4, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t plane = begin; plane < end; ++plane) {
      const float* dy = grad_output.data() + plane * out_plane;
      const auto* index =
          reinterpret_cast<const std::int32_t*>(context.saved[0].data()) + plane * out_plane;
      float* dx = grads[0]->data() + plane * in_plane;
      for (std::int64_t p = 0; p < out_plane; ++p) dx[index[p]] += dy[p];
    }
  });
}

namespace {

// Calls f(output index, h0, h1, w0, w1, 1/divisor) for every output position of a plane.
template <class F>
void for_each_avg_window(const PoolGeometry& g, bool count_include_pad, F&& f) {
  for (int oh = 0; oh < g.out_height; ++oh) {
    int h0 = oh * g.stride - g.padding;
    int h1 = std::min(h0 + g.kh, g.height + g.padding);
    const int padded_h = h1 - h0;
    h0 = std::max(h0, 0);
    h1 = std::min(h1, g.height);
    for (int ow = 0; ow < g.out_width; ++ow) {
      int w0 = ow * g.stride - g.padding;
      int w1 = std::min(w0 + g.kw, g.width + g.padding);
      const int padded_w = w1 - w0;
      w0 = std::max(w0, 0);
      w1 = std::min(w1, g.width);
      const int divisor = count_include_pad ? padded_h * padded_w : (h1 - h0) * (w1 - w0);
      f(oh * g.out_width + ow, h0, h1, w0, w1, 1.0f / static_cast<float>(divisor));
    }
  }
}

}  // namespace

Tensor avg_pool_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  const PoolGeometry g = pool_geometry(x, a, "avg_pool");
  Tensor y = Tensor::empty({x.size(0), x.size(1), g.out_height, g.out_width});
  const std::int64_t in_plane = static_cast<std::int64_t>(g.height) * g.width;
  const std::int64_t out_plane = static_cast<std::int64_t>(g.out_height) * g.out_width;
  parallel_for(g.planes, 4, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t plane = begin; plane < end; ++plane) {
      const float* in = x.data() + plane * in_plane;
      float* out = y.data() + plane * out_plane;
      for_each_avg_window(g, a.count_include_pad,
                          [&](std::int64_t o, int h0, int h1, int w0, int w1, float inv) {
                            float sum = 0.0f;
                            for (int h = h0; h < h1; ++h)
                              for (int w = w0; w < w1; ++w) sum += in[h * g.width + w];
                            out[o] = sum * inv;
                          });
    }
  });
  return y;
}

void avg_pool_backward(const OpContext& context, const Tensor& grad_output,
                       const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const Tensor& x = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  const PoolGeometry g = pool_geometry(x, a, "avg_pool");
  const std::int64_t in_plane = static_cast<std::int64_t>(g.height) * g.width;
  const std::int64_t out_plane = static_cast<std::int64_t>(g.out_height) * g.out_width;
  parallel_for(g.planes, 4, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t plane = begin; plane < end; ++plane) {
      const float* dy = grad_output.data() + plane * out_plane;
      float* dx = grads[0]->data() + plane * in_plane;
      for_each_avg_window(g, a.count_include_pad,
                          [&](std::int64_t o, int h0, int h1, int w0, int w1, float inv) {
                            const float v = dy[o] * inv;
                            for (int h = h0; h < h1; ++h)
                              for (int w = w0; w < w1; ++w) dx[h * g.width + w] += v;
                          });
    }
  });
}

Tensor global_avg_pool_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  require_nchw(x, "global_avg_pool");
  const std::int64_t planes = x.size(0) * x.size(1);
  const std::int64_t plane = x.size(2) * x.size(3);
  Tensor y = Tensor::empty({x.size(0), x.size(1), 1, 1});
  const float inv = 1.0f / static_cast<float>(plane);
  for (std::int64_t i = 0; i < planes; ++i) {
    const float* in = x.data() + i * plane;
    float sum = 0.0f;
    for (std::int64_t p = 0; p < plane; ++p) sum += in[p];
    y.data()[i] = sum * inv;
  }
  return y;
}

void global_avg_pool_backward(const OpContext& context, const Tensor& grad_output,
                              const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const Tensor& x = context.inputs[0];
  const std::int64_t planes = x.size(0) * x.size(1);
  const std::int64_t plane = x.size(2) * x.size(3);
  const float inv = 1.0f / static_cast<float>(plane);
  for (std::int64_t i = 0; i < planes; ++i) {
    const float v = grad_output.data()[i] * inv;
    float* dx = grads[0]->data() + i * plane;
    for (std::int64_t p = 0; p < plane; ++p) dx[p] += v;
  }
}

}  // namespace tandem::ops
