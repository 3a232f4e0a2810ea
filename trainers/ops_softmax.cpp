// Softmax-family ops and losses over the last dimension: softmax (optionally over a subset of
// entries, for few-shot restricted edges), log_softmax, cross_entropy (with PyTorch's label
// smoothing), kl_divergence (distillation, F.kl_div(log_softmax(s/T), softmax(t/T),
// 'batchmean') * T^2), mse_loss, gumbel_softmax (Jang et al. 2017; hard = straight-through as
// F.gumbel_softmax) and binary_gate (ProxylessNAS path binarisation). Row maths in double.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/rng.hpp"
#include "trainers/ops_internal.hpp"

namespace tandem::ops {

namespace {

std::int64_t last_dim(const Tensor& x) {
  TANDEM_CHECK(x.dim() >= 1, "softmax-family op needs at least one dimension");
  return x.size(-1);
}

// p = softmax(scale * row) over `mask` (all when empty); p = 0 outside the mask.
void softmax_row(const float* row, std::int64_t k, double scale, const std::vector<int>& mask,
                 double* p) {
  double top = -std::numeric_limits<double>::infinity();
  auto in_mask = [&](std::int64_t j) {
    return mask.empty() || std::find(mask.begin(), mask.end(), static_cast<int>(j)) != mask.end();
  };
  for (std::int64_t j = 0; j < k; ++j)
    if (in_mask(j)) top = std::max(top, scale * row[j]);
  double sum = 0.0;
  for (std::int64_t j = 0; j < k; ++j) {
    p[j] = in_mask(j) ? std::exp(scale * row[j] - top) : 0.0;
    sum += p[j];
  }
  for (std::int64_t j = 0; j < k; ++j) p[j] /= sum;
}

void check_mask(const std::vector<int>& mask, std::int64_t k) {
  for (int j : mask)
    TANDEM_CHECK(j >= 0 && j < k, "softmax: allowed index " + std::to_string(j) +
                                      " outside 0.." + std::to_string(k - 1));
}

}  // namespace

Tensor softmax_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const std::int64_t k = last_dim(x);
  check_mask(context.attributes->allowed, k);
  Tensor y = Tensor::empty(x.shape());
  std::vector<double> p(static_cast<std::size_t>(k));
  for (std::int64_t r = 0; r < x.numel() / k; ++r) {
    softmax_row(x.data() + r * k, k, 1.0, context.attributes->allowed, p.data());
    for (std::int64_t j = 0; j < k; ++j) y.data()[r * k + j] = static_cast<float>(p[j]);
  }
  return y;
}

namespace {
// dx += y * (dy - sum(y dy)) * factor, row by row
void softmax_jacobian(const float* y, const float* dy, std::int64_t rows, std::int64_t k,
                      double factor, float* dx) {
  for (std::int64_t r = 0; r < rows; ++r) {
    double dot = 0.0;
    for (std::int64_t j = 0; j < k; ++j) dot += static_cast<double>(y[r * k + j]) * dy[r * k + j];
    for (std::int64_t j = 0; j < k; ++j)
      dx[r * k + j] += static_cast<float>(factor * y[r * k + j] * (dy[r * k + j] - dot));
  }
}
}  // namespace

void softmax_backward(const OpContext& context, const Tensor& grad_output,
                      const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const std::int64_t k = last_dim(context.output);
  softmax_jacobian(context.output.data(), grad_output.data(), context.output.numel() / k, k, 1.0,
                   grads[0]->data());
}

Tensor log_softmax_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const std::int64_t k = last_dim(x);
  Tensor y = Tensor::empty(x.shape());
  for (std::int64_t r = 0; r < x.numel() / k; ++r) {
    const float* row = x.data() + r * k;
    double top = -std::numeric_limits<double>::infinity();
    for (std::int64_t j = 0; j < k; ++j) top = std::max(top, static_cast<double>(row[j]));
    double sum = 0.0;
    for (std::int64_t j = 0; j < k; ++j) sum += std::exp(row[j] - top);
    const double lse = top + std::log(sum);
    for (std::int64_t j = 0; j < k; ++j) y.data()[r * k + j] = static_cast<float>(row[j] - lse);
  }
  return y;
}

void log_softmax_backward(const OpContext& context, const Tensor& grad_output,
                          const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const std::int64_t k = last_dim(context.output);
  const float* y = context.output.data();
  const float* dy = grad_output.data();
  float* dx = grads[0]->data();
  for (std::int64_t r = 0; r < context.output.numel() / k; ++r) {
    double sum = 0.0;
    for (std::int64_t j = 0; j < k; ++j) sum += dy[r * k + j];
    for (std::int64_t j = 0; j < k; ++j)
      dx[r * k + j] += static_cast<float>(dy[r * k + j] - std::exp(y[r * k + j]) * sum);
  }
}

// saved[0]: softmax probabilities [N, K].
Tensor cross_entropy_forward(OpContext& context) {
  const Tensor& logits = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  TANDEM_CHECK(logits.dim() == 2, "cross_entropy: logits must be [N, K], got " +
                                      shape_to_string(logits.shape()));
  const std::int64_t n = logits.size(0), k = logits.size(1);
  TANDEM_CHECK(static_cast<std::int64_t>(a.labels.size()) == n,
               "cross_entropy: " + std::to_string(a.labels.size()) + " labels for " +
                   std::to_string(n) + " rows of logits");
  TANDEM_CHECK(a.label_smoothing >= 0.0 && a.label_smoothing <= 1.0,
               "cross_entropy: label_smoothing must be in [0, 1]");
  Tensor probabilities = Tensor::empty(logits.shape());
  std::vector<double> p(static_cast<std::size_t>(k));
  double total = 0.0;
  for (std::int64_t r = 0; r < n; ++r) {
    const int label = a.labels[static_cast<std::size_t>(r)];
    TANDEM_CHECK(label >= 0 && label < k, "cross_entropy: label " + std::to_string(label) +
                                              " outside 0.." + std::to_string(k - 1));
    const float* row = logits.data() + r * k;
    double top = -std::numeric_limits<double>::infinity();
    for (std::int64_t j = 0; j < k; ++j) top = std::max(top, static_cast<double>(row[j]));
    double sum = 0.0;
    for (std::int64_t j = 0; j < k; ++j) sum += std::exp(row[j] - top);
    const double lse = top + std::log(sum);
    double loss = 0.0, mean_neg_logp = 0.0;
    for (std::int64_t j = 0; j < k; ++j) {
      const double logp = row[j] - lse;
      probabilities.data()[r * k + j] = static_cast<float>(std::exp(logp));
      mean_neg_logp -= logp / static_cast<double>(k);
      if (j == label) loss = -logp;
    }
    total += (1.0 - a.label_smoothing) * loss + a.label_smoothing * mean_neg_logp;
  }
  context.saved = {probabilities};
  return Tensor::scalar(static_cast<float>(total / static_cast<double>(n)));
}

void cross_entropy_backward(const OpContext& context, const Tensor& grad_output,
                            const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const OpAttributes& a = *context.attributes;
  const Tensor& p = context.saved[0];
  const std::int64_t n = p.size(0), k = p.size(1);
  const double g = grad_output.item() / static_cast<double>(n);
  const double off = a.label_smoothing / static_cast<double>(k);
  float* dx = grads[0]->data();
  for (std::int64_t r = 0; r < n; ++r) {
    const int label = a.labels[static_cast<std::size_t>(r)];
    for (std::int64_t j = 0; j < k; ++j) {
      const double target = off + (j == label ? 1.0 - a.label_smoothing : 0.0);
      dx[r * k + j] += static_cast<float>(g * (p.data()[r * k + j] - target));
    }
  }
}

// saved[0] = softmax(student/T), saved[1] = softmax(teacher/T)
Tensor kl_divergence_forward(OpContext& context) {
  const Tensor& s = context.inputs[0];
  const Tensor& t = context.inputs[1];
  TANDEM_CHECK(s.dim() == 2 && s.shape() == t.shape(),
               "kl_divergence: student " + shape_to_string(s.shape()) + " and teacher " +
                   shape_to_string(t.shape()) + " must both be [N, K]");
  const double temperature = context.attributes->temperature;
  TANDEM_CHECK(temperature > 0.0, "kl_divergence: temperature must be positive");
  const std::int64_t n = s.size(0), k = s.size(1);
  Tensor ps = Tensor::empty(s.shape()), pt = Tensor::empty(t.shape());
  std::vector<double> p(static_cast<std::size_t>(k)), q(static_cast<std::size_t>(k));
  double total = 0.0;
  for (std::int64_t r = 0; r < n; ++r) {
    softmax_row(s.data() + r * k, k, 1.0 / temperature, {}, p.data());
    softmax_row(t.data() + r * k, k, 1.0 / temperature, {}, q.data());
    for (std::int64_t j = 0; j < k; ++j) {
      if (q[j] > 0.0) total += q[j] * (std::log(q[j]) - std::log(std::max(p[j], 1e-300)));
      ps.data()[r * k + j] = static_cast<float>(p[j]);
      pt.data()[r * k + j] = static_cast<float>(q[j]);
    }
  }
  context.saved = {ps, pt};
  return Tensor::scalar(static_cast<float>(total / static_cast<double>(n) * temperature * temperature));
}

void kl_divergence_backward(const OpContext& context, const Tensor& grad_output,
                            const std::vector<Tensor*>& grads) {
  const double temperature = context.attributes->temperature;
  const Tensor& ps = context.saved[0];
  const Tensor& pt = context.saved[1];
  const std::int64_t n = ps.size(0), k = ps.size(1);
  const double g = grad_output.item() * temperature / static_cast<double>(n);
  for (std::int64_t r = 0; r < n; ++r) {
    const float* p = ps.data() + r * k;
    const float* q = pt.data() + r * k;
    if (grads[0])
      for (std::int64_t j = 0; j < k; ++j)
        grads[0]->data()[r * k + j] += static_cast<float>(g * (p[j] - q[j]));
    if (grads[1]) {
      // d/dt_j = (1/T) q_j (log q_j - log p_j - KL_row), times T^2 / N
      double kl = 0.0;
      for (std::int64_t j = 0; j < k; ++j)
        if (q[j] > 0.0f) kl += q[j] * (std::log(q[j]) - std::log(p[j]));
      for (std::int64_t j = 0; j < k; ++j) {
        const double term = q[j] > 0.0f ? q[j] * (std::log(q[j]) - std::log(p[j]) - kl) : 0.0;
        grads[1]->data()[r * k + j] += static_cast<float>(g * term);
      }
    }
  }
}

Tensor mse_loss_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const Tensor& t = context.inputs[1];
  TANDEM_CHECK(x.shape() == t.shape(), "mse_loss: prediction " + shape_to_string(x.shape()) +
                                           " and target " + shape_to_string(t.shape()) +
                                           " differ");
  double total = 0.0;
  const std::int64_t block = 4096;
  for (std::int64_t b = 0; b < x.numel(); b += block) {
    const std::int64_t e = std::min(x.numel(), b + block);
    float partial = 0.0f;
    for (std::int64_t i = b; i < e; ++i) {
      const float d = x.data()[i] - t.data()[i];
      partial += d * d;
    }
    total += partial;
  }
  return Tensor::scalar(static_cast<float>(total / static_cast<double>(x.numel())));
}

void mse_loss_backward(const OpContext& context, const Tensor& grad_output,
                       const std::vector<Tensor*>& grads) {
  const Tensor& x = context.inputs[0];
  const Tensor& t = context.inputs[1];
  const float g = static_cast<float>(2.0 * grad_output.item() / static_cast<double>(x.numel()));
  const float* xd = x.data();
  const float* td = t.data();
  float* dx = grads[0] ? grads[0]->data() : nullptr;
  float* dt = grads[1] ? grads[1]->data() : nullptr;
  parallel_for(x.numel(), 1 << 15, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const float d = g * (xd[i] - td[i]);
      if (dx) dx[i] += d;
      if (dt) dt[i] -= d;
    }
  });
}

// Gumbel noise g = -log(-log(u)), one u per element in row-major order from Rng(seed).
// saved[0] = the soft sample softmax((x + g) / T).
Tensor gumbel_softmax_forward(OpContext& context) {
  const Tensor& x = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  TANDEM_CHECK(a.temperature > 0.0, "gumbel_softmax: temperature must be positive");
  const std::int64_t k = last_dim(x);
  Rng rng(a.seed);
  Tensor perturbed = Tensor::empty(x.shape());
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const double u = std::max(rng.uniform(), 1e-20);
    perturbed.data()[i] = static_cast<float>(x.data()[i] - std::log(-std::log(u)));
  }
  Tensor soft = Tensor::empty(x.shape());
  std::vector<double> p(static_cast<std::size_t>(k));
  for (std::int64_t r = 0; r < x.numel() / k; ++r) {
    softmax_row(perturbed.data() + r * k, k, 1.0 / a.temperature, {}, p.data());
    for (std::int64_t j = 0; j < k; ++j) soft.data()[r * k + j] = static_cast<float>(p[j]);
  }
  context.saved = {soft};
  if (!a.hard) return soft;
  Tensor hard = Tensor::zeros(x.shape());
  for (std::int64_t r = 0; r < x.numel() / k; ++r) {
    const float* row = soft.data() + r * k;
    hard.data()[r * k + (std::max_element(row, row + k) - row)] = 1.0f;
  }
  return hard;
}

void gumbel_softmax_backward(const OpContext& context, const Tensor& grad_output,
                             const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const Tensor& soft = context.saved[0];
  const std::int64_t k = last_dim(soft);
  softmax_jacobian(soft.data(), grad_output.data(), soft.numel() / k, k,
                   1.0 / context.attributes->temperature, grads[0]->data());
}

// saved[0] = p = softmax(alpha) over the allowed subset.
Tensor binary_gate_forward(OpContext& context) {
  const Tensor& alpha = context.inputs[0];
  const OpAttributes& a = *context.attributes;
  TANDEM_CHECK(alpha.dim() == 1, "binary_gate: alpha must be a vector");
  const std::int64_t k = alpha.numel();
  check_mask(a.allowed, k);
  TANDEM_CHECK(a.index >= 0 && a.index < k, "binary_gate: active index outside the candidates");
  std::vector<double> p(static_cast<std::size_t>(k));
  softmax_row(alpha.data(), k, 1.0, a.allowed, p.data());
  Tensor probabilities = Tensor::empty(alpha.shape());
  for (std::int64_t j = 0; j < k; ++j) probabilities.data()[j] = static_cast<float>(p[j]);
  context.saved = {probabilities};
  Tensor gates = Tensor::zeros(alpha.shape());
  gates.data()[a.index] = 1.0f;
  return gates;
}

// dL/dalpha_i = sum_j dL/dg_j p_j (delta_ij - p_i)  (ProxylessNAS, mix_op.py)
void binary_gate_backward(const OpContext& context, const Tensor& grad_output,
                          const std::vector<Tensor*>& grads) {
  if (!grads[0]) return;
  const Tensor& p = context.saved[0];
  softmax_jacobian(p.data(), grad_output.data(), 1, p.numel(), 1.0, grads[0]->data());
}

}  // namespace tandem::ops
