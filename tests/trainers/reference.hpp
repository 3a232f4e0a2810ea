// Naive double-precision reference implementations of the engine's ops, written as the textbook
// loops of PyTorch's documented semantics (torch.nn.functional), independent of the engine's
// kernels. The gradient-check harness differentiates them by central differences.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/rng.hpp"
#include "trainers/tensor.hpp"

namespace tandem::reference {

struct Array {
  Shape shape;
  std::vector<double> v;
  std::int64_t size(int axis) const {
    return shape[static_cast<std::size_t>(axis < 0 ? axis + static_cast<int>(shape.size()) : axis)];
  }
  double& operator[](std::int64_t i) { return v[static_cast<std::size_t>(i)]; }
  double operator[](std::int64_t i) const { return v[static_cast<std::size_t>(i)]; }
};

inline Array make(Shape shape, double fill = 0.0) {
  Array a;
  a.v.assign(static_cast<std::size_t>(shape_elements(shape)), fill);
  a.shape = std::move(shape);
  return a;
}

inline Array from_tensor(const Tensor& t) {
  Array a;
  a.shape = t.shape();
  a.v.assign(t.data(), t.data() + t.numel());
  return a;
}

inline Array conv2d(const Array& x, const Array& w, const Array* b, int stride, int pad, int dil,
                    int groups) {
  const auto n = x.size(0), cin = x.size(1), h = x.size(2), wd = x.size(3);
  const auto cout = w.size(0), cpg = w.size(1), kh = w.size(2), kw = w.size(3);
  const auto oh = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1;
  const auto ow = (wd + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
  const auto opg = cout / groups;
  Array y = make({n, cout, oh, ow});
  for (std::int64_t in = 0; in < n; ++in)
    for (std::int64_t co = 0; co < cout; ++co) {
      const auto g = co / opg;
      for (std::int64_t r = 0; r < oh; ++r)
        for (std::int64_t c = 0; c < ow; ++c) {
          double s = b ? (*b)[co] : 0.0;
          for (std::int64_t ci = 0; ci < cpg; ++ci)
            for (std::int64_t i = 0; i < kh; ++i)
              for (std::int64_t j = 0; j < kw; ++j) {
                const auto ih = r * stride - pad + i * dil, iw = c * stride - pad + j * dil;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                s += w[((co * cpg + ci) * kh + i) * kw + j] *
                     x[((in * cin + g * cpg + ci) * h + ih) * wd + iw];
              }
          y[((in * cout + co) * oh + r) * ow + c] = s;
        }
    }
  (void)cin;
  return y;
}

inline Array linear(const Array& x, const Array& w, const Array* b) {
  const auto n = x.size(0), in = static_cast<std::int64_t>(x.v.size()) / n, out = w.size(0);
  Array y = make({n, out});
  for (std::int64_t r = 0; r < n; ++r)
    for (std::int64_t o = 0; o < out; ++o) {
      double s = b ? (*b)[o] : 0.0;
      for (std::int64_t i = 0; i < in; ++i) s += x[r * in + i] * w[o * in + i];
      y[r * out + o] = s;
    }
  return y;
}

// Batch statistics (training / no running stats) or the given running statistics.
inline Array batch_norm(const Array& x, const Array* gamma, const Array* beta,
                        const Array* running_mean, const Array* running_var, double eps) {
  const auto n = x.size(0), c = x.size(1);
  const auto plane = static_cast<std::int64_t>(x.v.size()) / (n * c);
  Array y = make(x.shape);
  for (std::int64_t ch = 0; ch < c; ++ch) {
    double mean = 0, var = 0;
    if (running_mean) {
      mean = (*running_mean)[ch];
      var = (*running_var)[ch];
    } else {
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t p = 0; p < plane; ++p) mean += x[(i * c + ch) * plane + p];
      mean /= static_cast<double>(n * plane);
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t p = 0; p < plane; ++p) {
          const double d = x[(i * c + ch) * plane + p] - mean;
          var += d * d;
        }
      var /= static_cast<double>(n * plane);
    }
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t p = 0; p < plane; ++p) {
        const auto k = (i * c + ch) * plane + p;
        y[k] = (x[k] - mean) / std::sqrt(var + eps) * (gamma ? (*gamma)[ch] : 1.0) +
               (beta ? (*beta)[ch] : 0.0);
      }
  }
  return y;
}

inline Array map(const Array& x, double (*f)(double)) {
  Array y = x;
  for (auto& v : y.v) v = f(v);
  return y;
}
inline double relu_f(double v) { return v > 0 ? v : 0; }
inline double relu6_f(double v) { return std::min(std::max(v, 0.0), 6.0); }

// Pooling output size as torch.nn.MaxPool2d / AvgPool2d document it: floor((L + 2p - k) / s) + 1,
// or with ceil_mode ceil(...) + 1 minus one when the last window would start past L + p.
inline std::int64_t pool_size(std::int64_t in, int k, int stride, int pad, bool ceil_mode) {
  const std::int64_t span = in + 2 * pad - k;
  std::int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// avg divisor (PyTorch's avg_pool2d): count_include_pad -> the window clipped to the padded input
// (k*k in floor mode), else the number of its positions inside the input.
inline Array pool(const Array& x, int k, int stride, int pad, bool max, bool count_include_pad,
                  bool ceil_mode = false) {
  const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const auto oh = pool_size(h, k, stride, pad, ceil_mode), ow = pool_size(w, k, stride, pad, ceil_mode);
  Array y = make({n, c, oh, ow});
  for (std::int64_t p = 0; p < n * c; ++p)
    for (std::int64_t r = 0; r < oh; ++r)
      for (std::int64_t q = 0; q < ow; ++q) {
        double best = -std::numeric_limits<double>::infinity(), sum = 0;
        int inside = 0, padded = 0;
        for (int i = 0; i < k; ++i)
          for (int j = 0; j < k; ++j) {
            const auto ih = r * stride - pad + i, iw = q * stride - pad + j;
            if (ih < h + pad && iw < w + pad) ++padded;  // inside the padded input
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
            const double v = x[(p * h + ih) * w + iw];
            best = std::max(best, v);
            sum += v;
            ++inside;
          }
        y[(p * oh + r) * ow + q] = max ? best : sum / (count_include_pad ? padded : inside);
      }
  return y;
}

inline Array global_avg_pool(const Array& x) {
  const auto n = x.size(0), c = x.size(1), plane = x.size(2) * x.size(3);
  Array y = make({n, c, 1, 1});
  for (std::int64_t p = 0; p < n * c; ++p) {
    double s = 0;
    for (std::int64_t i = 0; i < plane; ++i) s += x[p * plane + i];
    y[p] = s / static_cast<double>(plane);
  }
  return y;
}

inline Array concat(const std::vector<const Array*>& xs) {
  const auto n = xs[0]->size(0);
  const auto plane = static_cast<std::int64_t>(xs[0]->v.size()) / (n * xs[0]->size(1));
  std::int64_t c = 0;
  for (auto* x : xs) c += x->size(1);
  Shape shape = xs[0]->shape;
  shape[1] = c;
  Array y = make(shape);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t offset = 0;
    for (auto* x : xs) {
      const auto cx = x->size(1);
      for (std::int64_t k = 0; k < cx * plane; ++k)
        y[(i * c) * plane + offset * plane + k] = (*x)[i * cx * plane + k];
      offset += cx;
    }
  }
  return y;
}

inline Array slice(const Array& x, int begin, int end) {
  const auto n = x.size(0), c = x.size(1), plane = static_cast<std::int64_t>(x.v.size()) / (n * c);
  Shape shape = x.shape;
  shape[1] = end - begin;
  Array y = make(shape);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t ch = begin; ch < end; ++ch)
      for (std::int64_t p = 0; p < plane; ++p)
        y[((i * (end - begin)) + ch - begin) * plane + p] = x[(i * c + ch) * plane + p];
  return y;
}

// torch: x.view(N, g, C/g, H, W).transpose(1, 2).reshape(N, C, H, W)
inline Array shuffle(const Array& x, int groups) {
  const auto n = x.size(0), c = x.size(1), plane = static_cast<std::int64_t>(x.v.size()) / (n * c);
  const auto per = c / groups;
  Array y = make(x.shape);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t g = 0; g < groups; ++g)
      for (std::int64_t k = 0; k < per; ++k)
        for (std::int64_t p = 0; p < plane; ++p)
          y[((i * c) + k * groups + g) * plane + p] = x[((i * c) + g * per + k) * plane + p];
  return y;
}

// softmax over the last dim, restricted to `allowed` (others 0), optionally of x / T
inline Array softmax(const Array& x, const std::vector<int>& allowed = {}, double t = 1.0) {
  const auto k = x.size(-1), rows = static_cast<std::int64_t>(x.v.size()) / k;
  Array y = make(x.shape);
  auto ok = [&](std::int64_t j) {
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), j) != allowed.end();
  };
  for (std::int64_t r = 0; r < rows; ++r) {
    double s = 0;
    for (std::int64_t j = 0; j < k; ++j)
      if (ok(j)) s += std::exp(x[r * k + j] / t);
    for (std::int64_t j = 0; j < k; ++j) y[r * k + j] = ok(j) ? std::exp(x[r * k + j] / t) / s : 0;
  }
  return y;
}

inline Array log_softmax(const Array& x) {
  Array y = softmax(x);
  for (auto& v : y.v) v = std::log(v);
  return y;
}

inline double cross_entropy(const Array& logits, const std::vector<int>& labels, double eps) {
  const Array logp = log_softmax(logits);
  const auto n = logits.size(0), k = logits.size(1);
  double total = 0;
  for (std::int64_t r = 0; r < n; ++r)
    for (std::int64_t j = 0; j < k; ++j) {
      const double q = (j == labels[static_cast<std::size_t>(r)] ? 1.0 - eps : 0.0) + eps / k;
      total -= q * logp[r * k + j];
    }
  return total / static_cast<double>(n);
}

inline double kl_divergence(const Array& s, const Array& t, double temperature) {
  const Array p = softmax(s, {}, temperature), q = softmax(t, {}, temperature);
  double total = 0;
  for (std::size_t i = 0; i < p.v.size(); ++i) total += q.v[i] * (std::log(q.v[i]) - std::log(p.v[i]));
  return total / static_cast<double>(s.size(0)) * temperature * temperature;
}

}  // namespace tandem::reference
