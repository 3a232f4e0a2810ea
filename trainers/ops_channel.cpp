// Channel ops: concat (torch.cat(dim=1)), channel_slice (x[:, begin:end]) and channel_shuffle
// (PC-DARTS / ShuffleNet: view [N, g, C/g, H, W], swap dims 1 and 2, flatten back). Inputs are
// [N, C, ...] with the per-sample trailing dimensions contiguous.
#include "trainers/ops_internal.hpp"

namespace tandem::ops {

namespace {
std::int64_t plane_of(const Tensor& x) {
  TANDEM_CHECK(x.dim() >= 2, "channel op: input needs [N, C, ...], got " +
                                 shape_to_string(x.shape()));
  return x.numel() / (x.size(0) * x.size(1));
}
}  // namespace

Tensor concat_forward(OpContext& context) {
  const auto& inputs = context.inputs;
  const Tensor& first = inputs[0];
  const std::int64_t plane = plane_of(first);
  std::int64_t channels = 0;
  for (const auto& t : inputs) {
    TANDEM_CHECK(t.dim() == first.dim() && t.size(0) == first.size(0) && plane_of(t) == plane,
                 "concat: shapes " + shape_to_string(first.shape()) + " and " +
                     shape_to_string(t.shape()) + " differ outside the channel dimension");
    channels += t.size(1);
  }
  Shape shape = first.shape();
  shape[1] = channels;
  Tensor y = Tensor::empty(shape);
  const std::int64_t batch = first.size(0);
  parallel_for(batch, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t n = begin; n < end; ++n) {
      float* out = y.data() + n * channels * plane;
      for (const auto& t : inputs) {
        const std::int64_t count = t.size(1) * plane;
        std::memcpy(out, t.data() + n * count, count * sizeof(float));
        out += count;
      }
    }
  });
  return y;
}

void concat_backward(const OpContext& context, const Tensor& grad_output,
                     const std::vector<Tensor*>& grads) {
  const auto& inputs = context.inputs;
  const std::int64_t plane = plane_of(inputs[0]);
  const std::int64_t channels = grad_output.size(1);
  const std::int64_t batch = grad_output.size(0);
  parallel_for(batch, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t n = begin; n < end; ++n) {
      const float* dy = grad_output.data() + n * channels * plane;
      for (std::size_t k = 0; k < inputs.size(); ++k) {
        const std::int64_t count = inputs[k].size(1) * plane;
        if (grads[k]) accumulate(grads[k]->data() + n * count, dy, count);
        dy += count;
      }
    }
  });
}

Tensor channel_slice_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  const std::int64_t plane = plane_of(x);
  const std::int64_t channels = x.size(1);
  TANDEM_CHECK(0 <= a.begin && a.begin < a.end && a.end <= channels,
               "channel_slice: range [" + std::to_string(a.begin) + ", " +
                   std::to_string(a.end) + ") outside 0.." + std::to_string(channels));
  Shape shape = x.shape();
  shape[1] = a.end - a.begin;
  Tensor y = Tensor::empty(shape);
  const std::int64_t count = (a.end - a.begin) * plane;
  for (std::int64_t n = 0; n < x.size(0); ++n)
    std::memcpy(y.data() + n * count, x.data() + (n * channels + a.begin) * plane,
                count * sizeof(float));
  return y;
}

void channel_slice_backward(const OpContext& context, const Tensor& grad_output,
                            const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const Tensor& x = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  const std::int64_t plane = plane_of(x);
  const std::int64_t channels = x.size(1);
  const std::int64_t count = (a.end - a.begin) * plane;
  for (std::int64_t n = 0; n < x.size(0); ++n)
    accumulate(grads[0]->data() + (n * channels + a.begin) * plane,
               grad_output.data() + n * count, count);
}

// torch: x.view(N, g, C/g, H, W).transpose(1, 2) puts input (g', c') at output (c', g'), i.e.
// output channel  c' * g + g'  = input channel  g' * (C/g) + c'.
Tensor channel_shuffle_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const int groups = context.attributes->groups;
  const std::int64_t channels = x.size(1);
  TANDEM_CHECK(groups > 0 && channels % groups == 0,
               "channel_shuffle: groups " + std::to_string(groups) + " must divide " +
                   std::to_string(channels) + " channels");
  const std::int64_t plane = plane_of(x);
  const std::int64_t per_group = channels / groups;
  Tensor y = Tensor::empty(x.shape());
  for (std::int64_t n = 0; n < x.size(0); ++n)
    for (std::int64_t g = 0; g < groups; ++g)
      for (std::int64_t c = 0; c < per_group; ++c)
        std::memcpy(y.data() + (n * channels + c * groups + g) * plane,
                    x.data() + (n * channels + g * per_group + c) * plane, plane * sizeof(float));
  return y;
}

void channel_shuffle_backward(const OpContext& context, const Tensor& grad_output,
                              const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const Tensor& x = context.inputs[0];
  const int groups = context.attributes->groups;
  const std::int64_t channels = x.size(1);
  const std::int64_t plane = plane_of(x);
  const std::int64_t per_group = channels / groups;
  for (std::int64_t n = 0; n < x.size(0); ++n)
    for (std::int64_t g = 0; g < groups; ++g)
      for (std::int64_t c = 0; c < per_group; ++c)
        accumulate(grads[0]->data() + (n * channels + g * per_group + c) * plane,
                   grad_output.data() + (n * channels + c * groups + g) * plane, plane);
}

}  // namespace tandem::ops
