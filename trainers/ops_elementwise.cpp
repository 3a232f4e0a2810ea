// Element-wise ops: relu, relu6, add, scale (mixed-op weighting), dropout, zero, identity,
// flatten. Gradients follow PyTorch: relu passes where the input is > 0, relu6 where
// 0 < x < 6 (hardtanh_backward), dropout is inverted dropout (kept values scaled by 1/(1-p)).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/rng.hpp"
#include "trainers/kernels.hpp"
#include "trainers/ops_internal.hpp"

namespace tandem::ops {

namespace {
constexpr std::int64_t elementwise_grain = 1 << 15;

template <class F>
void elementwise(std::int64_t n, F&& f) {
  parallel_for(n, elementwise_grain, [&](std::int64_t begin, std::int64_t end) { f(begin, end); });
}
}  // namespace

Tensor relu_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  Tensor y = Tensor::empty(x.shape());
  const float* in = x.data();
  float* out = y.data();
  const auto& k = kernels::table();
  elementwise(x.numel(), [&](std::int64_t b, std::int64_t e) { k.relu_forward(in + b, out + b, e - b); });
  return y;
}

void relu_backward(const OpContext& context, const Tensor& grad_output,
                   const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const float* in = context.inputs[0].data();
  const float* dy = grad_output.data();
  float* dx = grads[0]->data();
  const auto& k = kernels::table();
  elementwise(grad_output.numel(),
              [&](std::int64_t b, std::int64_t e) {
                k.relu_backward(in + b, dy + b, dx + b, e - b, context.is_fresh(0));
              });
}

Tensor relu6_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  Tensor y = Tensor::empty(x.shape());
  const float* in = x.data();
  float* out = y.data();
  const auto& k = kernels::table();
  elementwise(x.numel(), [&](std::int64_t b, std::int64_t e) { k.relu6_forward(in + b, out + b, e - b); });
  return y;
}

void relu6_backward(const OpContext& context, const Tensor& grad_output,
                    const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const float* in = context.inputs[0].data();
  const float* dy = grad_output.data();
  float* dx = grads[0]->data();
  const auto& k = kernels::table();
  elementwise(grad_output.numel(),
              [&](std::int64_t b, std::int64_t e) {
                k.relu6_backward(in + b, dy + b, dx + b, e - b, context.is_fresh(0));
              });
}

Tensor add_forward(OpContext& context) {
  const auto& inputs = context.inputs;
  for (const auto& t : inputs)
    TANDEM_CHECK(t.shape() == inputs[0].shape(), "add: shapes differ (" +
                                                     shape_to_string(inputs[0].shape()) + " vs " +
                                                     shape_to_string(t.shape()) + ")");
  if (inputs.size() == 1) return inputs[0];
  Tensor y = Tensor::empty(inputs[0].shape());
  float* out = y.data();
  const auto& k = kernels::table();
  elementwise(y.numel(), [&](std::int64_t b, std::int64_t e) {
    k.add(inputs[0].data() + b, inputs[1].data() + b, out + b, e - b);
    for (std::size_t j = 2; j < inputs.size(); ++j) k.axpy(1.0f, inputs[j].data() + b, out + b, e - b);
  });
  return y;
}

void add_backward(const OpContext& context, const Tensor& grad_output,
                  const std::vector<Tensor*>& grads) {
  const float* dy = grad_output.data();
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i]) continue;
    float* dx = grads[i]->data();
    const bool fresh = context.is_fresh(i);
    elementwise(grad_output.numel(), [&](std::int64_t b, std::int64_t e) {
      if (fresh) std::memcpy(dx + b, dy + b, static_cast<std::size_t>(e - b) * sizeof(float));
      else kernels::table().axpy(1.0f, dy + b, dx + b, e - b);
    });
  }
}

Tensor scale_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const Tensor& w = context.inputs[1];
  const int index = context.attributes->index;
  TANDEM_CHECK(index >= 0 && index < w.numel(), "scale: index " + std::to_string(index) +
                                                    " outside weights of size " +
                                                    std::to_string(w.numel()));
  const float s = w.data()[index];
  Tensor y = Tensor::empty(x.shape());
  const float* in = x.data();
  float* out = y.data();
  elementwise(x.numel(),
              [&](std::int64_t b, std::int64_t e) { kernels::table().scale(s, in + b, out + b, e - b); });
  return y;
}

void scale_backward(const OpContext& context, const Tensor& grad_output,
                    const std::vector<Tensor*>& grads) {
  const Tensor& x = context.inputs[0];
  const int index = context.attributes->index;
  const float s = context.inputs[1].data()[index];
  const float* dy = grad_output.data();
  zero_fresh(context, grads, {1});
  if (grads[0]) {
    float* dx = grads[0]->data();
    const bool fresh = context.is_fresh(0);
    elementwise(x.numel(), [&](std::int64_t b, std::int64_t e) {
      if (fresh) kernels::table().scale(s, dy + b, dx + b, e - b);
      else kernels::table().axpy(s, dy + b, dx + b, e - b);
    });
  }
  if (grads[1]) {
    const float* in = x.data();
    double sum = 0.0;
    const std::int64_t block = 4096;
    for (std::int64_t b = 0; b < x.numel(); b += block)
      sum += kernels::table().dot(in + b, dy + b, std::min(x.numel(), b + block) - b);
    grads[1]->data()[index] += static_cast<float>(sum);
  }
}

// saved[0]: the mask (0 or 1 / (1 - rate)) when training.
Tensor dropout_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  TANDEM_CHECK(a.rate >= 0.0 && a.rate < 1.0, "dropout: rate must be in [0, 1), got " +
                                                  std::to_string(a.rate));
  if (!a.training || a.rate == 0.0) return x;
  Tensor mask = Tensor::empty(x.shape());
  Rng rng(a.seed);
  const float keep_scale = static_cast<float>(1.0 / (1.0 - a.rate));
  for (std::int64_t i = 0; i < x.numel(); ++i)
    mask.data()[i] = rng.uniform() < a.rate ? 0.0f : keep_scale;
  Tensor y = Tensor::empty(x.shape());
  for (std::int64_t i = 0; i < x.numel(); ++i) y.data()[i] = x.data()[i] * mask.data()[i];
  context.saved = {mask};
  return y;
}

void dropout_backward(const OpContext& context, const Tensor& grad_output,
                      const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  float* dx = grads[0]->data();
  const float* dy = grad_output.data();
  if (context.saved.empty()) {
    accumulate(dx, dy, grad_output.numel());
    return;
  }
  const float* mask = context.saved[0].data();
  for (std::int64_t i = 0; i < grad_output.numel(); ++i) dx[i] += dy[i] * mask[i];
}

Tensor zero_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  require_nchw(x, "zero");
  TANDEM_CHECK(a.stride > 0, "zero: stride must be positive");
  const std::int64_t channels = a.out_channels > 0 ? a.out_channels : x.size(1);
  return Tensor::zeros({x.size(0), channels, (x.size(2) - 1) / a.stride + 1,
                        (x.size(3) - 1) / a.stride + 1});
}

void zero_backward(const OpContext&, const Tensor&, const std::vector<Tensor*>&) {}

Tensor identity_forward(OpContext& context) { return context.inputs[0]; }

void identity_backward(const OpContext& context, const Tensor& grad_output,
                       const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  if (context.is_fresh(0)) grads[0]->copy_from(grad_output);
  else accumulate(grads[0]->data(), grad_output.data(), grad_output.numel());
}

Tensor flatten_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  TANDEM_CHECK(x.dim() >= 1, "flatten: needs a batch dimension");
  const std::int64_t n = x.size(0);
  return x.reshape({n, n ? x.numel() / n : 0});
}

void flatten_backward(const OpContext& context, const Tensor& grad_output,
                      const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  if (context.is_fresh(0)) grads[0]->copy_from(grad_output);
  else accumulate(grads[0]->data(), grad_output.data(), grad_output.numel());
}

}  // namespace tandem::ops
