// batch_norm forward and backward, following PyTorch's semantics (aten/src/ATen/native/
// Normalization.cpp, batch_norm_cpu / batch_norm_backward_cpu): training mode normalises with the
// biased batch variance and updates running_var with the unbiased one; eval mode uses the running
// statistics; without running statistics (track_running_stats=False) batch statistics are used
// in both modes. Input [N, C, H, W] or [N, C].
#include <cmath>

#include "trainers/kernels.hpp"
#include "trainers/ops_internal.hpp"

namespace tandem::ops {

namespace {

struct BnShape {
  std::int64_t batch, channels, plane;
};

BnShape bn_shape(const Tensor& x) {
  TANDEM_CHECK(x.dim() == 4 || x.dim() == 2,
               "batch_norm: input must be NCHW or NC, got " + shape_to_string(x.shape()));
  return {x.size(0), x.size(1), x.dim() == 4 ? x.size(2) * x.size(3) : 1};
}

bool uses_batch_stats(const OpAttributes& a) { return a.training || !a.running_mean.defined(); }

}  // namespace

// saved[0] = mean per channel, saved[1] = inverse standard deviation per channel.
Tensor batch_norm_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  const BnShape s = bn_shape(x);
  const bool affine = context.inputs.size() > 1 && context.inputs[1].defined();
  const float* gamma = affine ? context.inputs[1].data() : nullptr;
  const float* beta = affine && context.inputs.size() > 2 ? context.inputs[2].data() : nullptr;
  Tensor mean = Tensor::empty({s.channels});
  Tensor invstd = Tensor::empty({s.channels});
  Tensor y = Tensor::empty(x.shape());
  const bool batch_stats = uses_batch_stats(a);
  const std::int64_t count = s.batch * s.plane;
  TANDEM_CHECK(!batch_stats || count > 1,
               "batch_norm: training needs more than one value per channel, got input " +
                   shape_to_string(x.shape()));
  const float* xd = x.data();
  float* yd = y.data();
  const kernels::Table& k = kernels::table();
  parallel_for(s.channels, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t c = begin; c < end; ++c) {
      double m, var;
      if (batch_stats) {
        double sum = 0.0;
        for (std::int64_t n = 0; n < s.batch; ++n)
          sum += k.sum(xd + (n * s.channels + c) * s.plane, s.plane);
        m = sum / static_cast<double>(count);
        const float mf = static_cast<float>(m);
        double squares = 0.0;
        for (std::int64_t n = 0; n < s.batch; ++n)
          squares += k.squared_deviation(xd + (n * s.channels + c) * s.plane, mf, s.plane);
        var = squares / static_cast<double>(count);
        if (a.training && a.running_mean.defined()) {
          float* rm = const_cast<Tensor&>(a.running_mean).data();
          float* rv = const_cast<Tensor&>(a.running_var).data();
          const double unbiased = squares / static_cast<double>(count - 1);
          rm[c] = static_cast<float>((1.0 - a.momentum) * rm[c] + a.momentum * m);
          rv[c] = static_cast<float>((1.0 - a.momentum) * rv[c] + a.momentum * unbiased);
        }
      } else {
        m = a.running_mean.data()[c];
        var = a.running_var.data()[c];
      }
      const double is = 1.0 / std::sqrt(var + a.epsilon);
      mean.data()[c] = static_cast<float>(m);
      invstd.data()[c] = static_cast<float>(is);
      const float scale = static_cast<float>(is * (gamma ? gamma[c] : 1.0f));
      const float shift = static_cast<float>((beta ? beta[c] : 0.0f) - m * scale);
      for (std::int64_t n = 0; n < s.batch; ++n)
        k.affine(xd + (n * s.channels + c) * s.plane, scale, shift,
                 yd + (n * s.channels + c) * s.plane, s.plane);
    }
  });
  context.saved = {mean, invstd};
  return y;
}

void batch_norm_backward(const OpContext& context, const Tensor& grad_output,
                         const std::vector<Tensor*>& grads) {
  const Tensor& x = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  const BnShape s = bn_shape(x);
  const bool affine = context.inputs.size() > 1 && context.inputs[1].defined();
  const float* gamma = affine ? context.inputs[1].data() : nullptr;
  const float* mean = context.saved[0].data();
  const float* invstd = context.saved[1].data();
  const bool batch_stats = uses_batch_stats(a);
  zero_fresh(context, grads, {1, 2});  // gamma and beta gradients accumulate
  const double count = static_cast<double>(s.batch * s.plane);
  const float* xd = x.data();
  const float* dy = grad_output.data();
  float* dx = grads[0] ? grads[0]->data() : nullptr;
  float* dgamma = grads.size() > 1 && grads[1] ? grads[1]->data() : nullptr;
  float* dbeta = grads.size() > 2 && grads[2] ? grads[2]->data() : nullptr;
  const kernels::Table& kern = kernels::table();
  const bool fresh = context.is_fresh(0);
  parallel_for(s.channels, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t c = begin; c < end; ++c) {
      const float m = mean[c];
      const float is = invstd[c];
      // sum(dy) and sum(dy * (x - mean))
      double sum_dy = 0.0, sum_dy_xmu = 0.0;
      for (std::int64_t n = 0; n < s.batch; ++n) {
        float p1 = 0.0f, p2 = 0.0f;
        kern.norm_backward_sums(xd + (n * s.channels + c) * s.plane,
                                dy + (n * s.channels + c) * s.plane, m, s.plane, &p1, &p2);
        sum_dy += p1;
        sum_dy_xmu += p2;
      }
      if (dgamma) dgamma[c] += static_cast<float>(sum_dy_xmu * is);
      if (dbeta) dbeta[c] += static_cast<float>(sum_dy);
      if (!dx) continue;
      const float w = gamma ? gamma[c] : 1.0f;
      if (batch_stats) {
        // dx = w * is * (dy - mean(dy) - (x - mean) * is^2 * mean(dy * (x - mean)))
        const float k = static_cast<float>(sum_dy_xmu / count) * is * is;
        const float dy_mean = static_cast<float>(sum_dy / count);
        const float ws = w * is;
        for (std::int64_t n = 0; n < s.batch; ++n) {
          const std::int64_t o = (n * s.channels + c) * s.plane;
          kern.norm_backward_input(xd + o, dy + o, m, k, dy_mean, ws, dx + o, s.plane, fresh);
        }
      } else {
        const float ws = w * is;
        for (std::int64_t n = 0; n < s.batch; ++n) {
          const std::int64_t o = (n * s.channels + c) * s.plane;
          if (fresh) kern.scale(ws, dy + o, dx + o, s.plane);
          else kern.axpy(ws, dy + o, dx + o, s.plane);
        }
      }
    }
  });
}

}  // namespace tandem::ops
