// The pruning-at-initialisation proxies: grad_norm, snip, grasp, fisher and synflow, as the
// official zero-cost proxy code computes them (Abdelfattah et al., ICLR 2021; mohsaied/zero-cost-nas
// foresight/pruners/measures/{grad_norm,snip,grasp,fisher,synflow}.py, p_utils.py:
// get_layer_metric_array visits every nn.Conv2d and nn.Linear and scores its `weight` only).
//
// Two differences from the reference, both forced by tandem's float32, first-order tape:
//   * grasp's Hessian-gradient product comes from forward-mode differentiation of the backward
//     pass (zero_cost_hessian.hpp) instead of PyTorch's double backward; both are exact;
//   * synflow runs in float32 instead of float64. The reference converts the network to double to
//     avoid overflow: synflow multiplies |W| along every path, and NB201's scores reach e^117. Here
//     the input (and every bias) is scaled by 2^-k and the output gradient by 2^-m, which scales
//     every weight gradient by exactly 2^-(k+m) in a positively homogeneous network (all values are
//     positive, so ReLUs pass everything, pools and sums are linear); the sum is taken in double
//     and scaled back. That gives float64's range with float32 rounding (relative error ~1e-6).
//     relu6 is not homogeneous (it clips at 6), so graphs with relu6 run unscaled.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "predictors/zero_cost_hessian.hpp"
#include "predictors/zero_cost_measures.hpp"

namespace tandem {
namespace {

double sum_abs_product(const Tensor& a, const Tensor& b) {
  double sum = 0.0;
  const float* x = a.data();
  const float* y = b.data();
  for (std::int64_t i = 0; i < a.numel(); ++i)
    sum += std::abs(static_cast<double>(x[i]) * static_cast<double>(y[i]));
  return sum;
}

double squared_norm(const Tensor& t) {
  double sum = 0.0;
  for (float v : t.values()) sum += static_cast<double>(v) * v;
  return sum;
}

// The fisher score of one layer from its output a and the loss gradient da (same shape, [N, C, ...]).
double layer_fisher(const Tensor& a, const Tensor& da, std::int64_t weights_per_channel) {
  const std::int64_t n = a.size(0);
  const std::int64_t channels = a.size(1);
  const std::int64_t spatial = a.numel() / (n * channels);
  double total = 0.0;
  for (std::int64_t k = 0; k < channels; ++k) {
    double mean_square = 0.0;
    for (std::int64_t s = 0; s < n; ++s) {
      const float* x = a.data() + (s * channels + k) * spatial;
      const float* g = da.data() + (s * channels + k) * spatial;
      double g_nk = 0.0;
      for (std::int64_t i = 0; i < spatial; ++i) g_nk += static_cast<double>(x[i]) * g[i];
      mean_square += g_nk * g_nk;
    }
    total += std::abs(0.5 * mean_square / static_cast<double>(n));
  }
  return total * static_cast<double>(weights_per_channel);
}

// dL/dW of every weighted layer after one forward/backward of the cross-entropy on `batch`.
std::vector<Tensor> weight_gradients(ZeroCostNetwork& network, const ZeroCostBatch& batch,
                                     bool probe_gradients) {
  network.parameters().zero_grad();
  Variable logits = network.forward(batch.images, /*training=*/true, false, probe_gradients);
  network.backward(cross_entropy(logits, batch.labels));
  std::vector<Tensor> grads;
  for (const auto& layer : network.weighted_layers()) {
    const Tensor& g = layer.weight->grad;
    grads.push_back(g.defined() ? g.clone() : Tensor::zeros(layer.weight->value.shape()));
  }
  return grads;
}

}  // namespace

LossGradients loss_gradients(ZeroCostNetwork& network, const ZeroCostBatch& batch) {
  LossGradients result;
  result.weight_grads = weight_gradients(network, batch, /*probe_gradients=*/true);
  const auto& layers = network.weighted_layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Tensor& weight = layers[i].weight->value;
    result.fisher.push_back(layer_fisher(network.output(i), network.output_grad(i),
                                         weight.numel() / weight.size(0)));
  }
  return result;
}

double grad_norm_score(const ZeroCostNetwork& network, const LossGradients& gradients) {
  double total = 0.0;
  for (std::size_t i = 0; i < network.weighted_layers().size(); ++i)
    total += std::sqrt(squared_norm(gradients.weight_grads[i]));
  return total;
}

double snip_score(const ZeroCostNetwork& network, const LossGradients& gradients) {
  double total = 0.0;
  const auto& layers = network.weighted_layers();
  for (std::size_t i = 0; i < layers.size(); ++i)
    total += sum_abs_product(layers[i].weight->value, gradients.weight_grads[i]);
  return total;
}

double fisher_score(const LossGradients& gradients) {
  double total = 0.0;
  for (double layer : gradients.fisher) total += layer;
  return total;
}

double grasp_score(const ComputeGraph& graph, ZeroCostNetwork& network,
                   const ZeroCostBatch& batch, const LossGradients& gradients) {
  std::vector<Tensor> hessian_gradient;
  network.arena().execute([&] {
    hessian_gradient =
        hessian_vector_product(graph, network.parameters(), batch, gradients.weight_grads);
  });
  // -sum W * (H g) over the conv/linear weights.
  double total = 0.0;
  const auto& layers = network.weighted_layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const float* w = layers[i].weight->value.data();
    const float* hg = hessian_gradient[i].data();
    for (std::int64_t j = 0; j < hessian_gradient[i].numel(); ++j)
      total += static_cast<double>(w[j]) * hg[j];
  }
  return -total;
}

double synflow_score(const ComputeGraph& graph, ParameterSet& initial,
                     const ZeroCostOptions& options) {
  ZeroCostNetwork network(graph, {options.seed, options.threads, /*remove_batch_norm=*/true});
  network.copy_parameters_from(initial);
  std::vector<Tensor> absolute;  // |parameter| for every parameter, in parameters().all() order
  for (Parameter* p : network.parameters().all()) {
    for (float& v : p->value.values()) v = std::abs(v);
    absolute.push_back(p->value.clone());
  }
  std::vector<const Parameter*> biases;
  for (const auto& layer : network.weighted_layers())
    if (layer.bias) biases.push_back(layer.bias);
  bool homogeneous = true;
  for (const Layer& layer : graph.layers())
    if (layer.kind == OpKind::relu6) homogeneous = false;

  const TensorShape shape = network.graph().layer(network.graph().inputs()[0]).output;
  const Shape input_shape = {1, shape.channels, shape.height, shape.width};
  auto run_forward = [&](int k) {  // input 2^-k, biases * 2^-k
    auto all = network.parameters().all();
    for (std::size_t i = 0; i < all.size(); ++i) {
      const bool bias = std::find(biases.begin(), biases.end(), all[i]) != biases.end();
      float* v = all[i]->value.data();
      const float* a = absolute[i].data();
      for (std::int64_t j = 0; j < absolute[i].numel(); ++j)
        v[j] = bias ? std::ldexp(a[j], -k) : a[j];
    }
    return network.forward(Tensor::full(input_shape, std::ldexp(1.0f, -k)), /*training=*/false);
  };
  auto output_sum = [](const Variable& output) {
    double sum = 0.0;
    for (float v : output.value().values()) sum += v;
    return sum;
  };

  // Find R's magnitude: scale the input down until the forward pass stays finite.
  int k = 0;
  double r = output_sum(run_forward(0));
  while (!std::isfinite(r) && homogeneous && k < 120) {
    k += 40;
    r = output_sum(run_forward(k));
  }
  if (!std::isfinite(r)) return std::numeric_limits<double>::infinity();
  // Balance the scales: activations and output gradients both end up near sqrt(R).
  const int log2_r = r > 0.0 ? std::ilogb(r) + k : 0;
  const int m = std::max(0, log2_r / 2);
  if (homogeneous) k = std::max(0, log2_r / 2);
  network.parameters().zero_grad();
  Variable output = run_forward(k);
  network.backward(output, Tensor::full(output.shape(), std::ldexp(1.0f, -m)));

  double total = 0.0;
  for (const auto& layer : network.weighted_layers())
    if (layer.weight->grad.defined()) total += sum_abs_product(layer.weight->value, layer.weight->grad);
  return std::ldexp(total, k + m);
}

}  // namespace tandem
