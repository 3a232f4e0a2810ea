// hessian_vector_product (see zero_cost_hessian.hpp): a forward pass that carries tangents, the
// cross-entropy, and a backward pass that carries the tangents of the gradients, layer by layer
// over the ComputeGraph with the trainer's op kernels.
#include "predictors/zero_cost_hessian.hpp"

#include <cstdint>

#include "core/error.hpp"
#include "trainers/op_table.hpp"

namespace tandem {
namespace {

struct Node {
  Op op = Op::identity;
  bool is_input = false;
  OpAttributes attributes;
  OpContext context;
  Tensor value, tangent;      // the layer's output and its derivative along v
  Tensor grad, grad_tangent;  // dL/d(output) and its derivative along v
  int slot = -1;              // conv2d/linear: index into the direction
  std::vector<double> bn_mean_tangent, bn_scale_tangent;  // batch norm: mean(x'), mean(xhat x')
};

void add_into(Tensor& target, const Tensor& value) {
  if (!value.defined()) return;
  if (!target.defined()) {
    target = value.clone();
    return;
  }
  float* t = target.data();
  const float* v = value.data();
  for (std::int64_t i = 0; i < target.numel(); ++i) t[i] += v[i];
}

Tensor sum(const Tensor& a, const Tensor& b) {
  Tensor out = a.clone();
  add_into(out, b);
  return out;
}

// An op's backward into fresh zero buffers, one per defined input.
std::vector<Tensor> op_backward(Op op, const OpContext& context, const Tensor& grad_output) {
  std::vector<Tensor> grads;
  for (const Tensor& input : context.inputs)
    grads.push_back(input.defined() ? Tensor::zeros(input.shape()) : Tensor());
  std::vector<Tensor*> pointers;
  for (Tensor& g : grads) pointers.push_back(g.defined() ? &g : nullptr);
  op_definition(op).backward(context, grad_output, pointers);
  return grads;
}

Op op_of(OpKind kind) {
  switch (kind) {
    case OpKind::conv2d: return Op::conv2d;
    case OpKind::linear: return Op::linear;
    case OpKind::batch_norm: return Op::batch_norm;
    case OpKind::relu: return Op::relu;
    case OpKind::relu6: return Op::relu6;
    case OpKind::max_pool: return Op::max_pool;
    case OpKind::avg_pool: return Op::avg_pool;
    case OpKind::global_avg_pool: return Op::global_avg_pool;
    case OpKind::add: return Op::add;
    case OpKind::concat: return Op::concat;
    case OpKind::zero: return Op::zero;
    case OpKind::channel_slice: return Op::channel_slice;
    case OpKind::channel_shuffle: return Op::channel_shuffle;
    case OpKind::dropout: return Op::dropout;
    case OpKind::identity:
    case OpKind::input: break;
  }
  return Op::identity;
}

// The op attributes GraphModule::apply gives a layer (training mode).
OpAttributes attributes_of(const Layer& layer) {
  const LayerAttributes& a = layer.attributes;
  OpAttributes oa;
  oa.stride = a.stride;
  oa.padding = a.padding;
  oa.dilation = a.dilation;
  oa.groups = a.groups;
  oa.kernel_h = a.kernel_h;
  oa.kernel_w = a.kernel_w;
  oa.count_include_pad = a.count_include_pad;
  oa.out_channels = a.out_channels;
  oa.begin = a.slice_begin;
  oa.end = a.slice_end;
  oa.training = true;  // batch statistics; no running statistics are passed, so none change
  oa.rate = a.rate;
  oa.seed = 0x6472 + layer.id;  // dropout: one fixed mask per layer
  return oa;
}

// Batch norm with batch statistics, per channel c over the M values x of the channel:
// xhat = (x - mean) invstd, y = gamma xhat + beta. Along v: with A = mean(x'), B = mean(xhat x')
// (= d sigma), xhat' = invstd (x' - A - xhat B) and y' = gamma xhat'.
struct BnView {
  std::int64_t batch, channels, plane;
  explicit BnView(const Tensor& x)
      : batch(x.size(0)), channels(x.size(1)), plane(x.dim() == 4 ? x.size(2) * x.size(3) : 1) {}
  template <class F>
  void each(std::int64_t c, F f) const {  // f(flat index) over channel c
    for (std::int64_t n = 0; n < batch; ++n)
      for (std::int64_t p = 0; p < plane; ++p) f((n * channels + c) * plane + p);
  }
};

Tensor batch_norm_tangent(Node& node, const Tensor& x_dot) {
  const Tensor& x = node.context.inputs[0];
  const bool affine = node.context.inputs.size() > 1 && node.context.inputs[1].defined();
  const float* mean = node.context.saved[0].data();
  const float* invstd = node.context.saved[1].data();
  const BnView v(x);
  const double count = static_cast<double>(v.batch * v.plane);
  Tensor y_dot = Tensor::empty(x.shape());
  node.bn_mean_tangent.assign(static_cast<std::size_t>(v.channels), 0.0);
  node.bn_scale_tangent.assign(static_cast<std::size_t>(v.channels), 0.0);
  for (std::int64_t c = 0; c < v.channels; ++c) {
    const double m = mean[c], is = invstd[c];
    const double gamma = affine ? node.context.inputs[1].data()[c] : 1.0;
    double a = 0.0, b = 0.0;
    v.each(c, [&](std::int64_t i) {
      a += x_dot.data()[i];
      b += (x.data()[i] - m) * is * x_dot.data()[i];
    });
    a /= count;
    b /= count;
    node.bn_mean_tangent[static_cast<std::size_t>(c)] = a;
    node.bn_scale_tangent[static_cast<std::size_t>(c)] = b;
    v.each(c, [&](std::int64_t i) {
      const double xhat = (x.data()[i] - m) * is;
      y_dot.data()[i] = static_cast<float>(gamma * is * (x_dot.data()[i] - a - xhat * b));
    });
  }
  return y_dot;
}

// Backward of batch norm w.r.t. x and its tangent: with u = gamma dy,
// dx = invstd (u - mean(u) - xhat mean(u xhat)) and
// dx' = -B invstd dx + invstd (u' - mean(u') - xhat' mean(u xhat) - xhat mean(u' xhat + u xhat')).
void batch_norm_backward_tangent(const Node& node, const Tensor& x_dot, Tensor& dx,
                                 Tensor& dx_dot) {
  const Tensor& x = node.context.inputs[0];
  const bool affine = node.context.inputs.size() > 1 && node.context.inputs[1].defined();
  const float* mean = node.context.saved[0].data();
  const float* invstd = node.context.saved[1].data();
  const BnView v(x);
  const double count = static_cast<double>(v.batch * v.plane);
  dx = Tensor::empty(x.shape());
  dx_dot = Tensor::empty(x.shape());
  const float* dy = node.grad.data();
  const float* dy_dot = node.grad_tangent.data();
  for (std::int64_t c = 0; c < v.channels; ++c) {
    const double m = mean[c], is = invstd[c];
    const double gamma = affine ? node.context.inputs[1].data()[c] : 1.0;
    const double a = node.bn_mean_tangent[static_cast<std::size_t>(c)];
    const double b = node.bn_scale_tangent[static_cast<std::size_t>(c)];
    auto xhat = [&](std::int64_t i) { return (x.data()[i] - m) * is; };
    auto xhat_dot = [&](std::int64_t i) { return is * (x_dot.data()[i] - a - xhat(i) * b); };
    double m1 = 0, m2 = 0, m1_dot = 0, m2_dot = 0;
    v.each(c, [&](std::int64_t i) {
      const double u = gamma * dy[i], u_dot = gamma * dy_dot[i];
      m1 += u;
      m2 += u * xhat(i);
      m1_dot += u_dot;
      m2_dot += u_dot * xhat(i) + u * xhat_dot(i);
    });
    m1 /= count;
    m2 /= count;
    m1_dot /= count;
    m2_dot /= count;
    v.each(c, [&](std::int64_t i) {
      const double u = gamma * dy[i], u_dot = gamma * dy_dot[i];
      const double g = is * (u - m1 - xhat(i) * m2);
      dx.data()[i] = static_cast<float>(g);
      dx_dot.data()[i] = static_cast<float>(
          -b * is * g + is * (u_dot - m1_dot - xhat_dot(i) * m2 - xhat(i) * m2_dot));
    });
  }
}

// Max pooling along v: the tangent at each window's argmax (saved by the forward as int32 flat
// indices within the input plane, ops_pool.cpp).
Tensor max_pool_tangent(const Node& node, const Tensor& x_dot) {
  const Tensor& out = node.value;
  Tensor y_dot = Tensor::empty(out.shape());
  const std::int64_t planes = out.size(0) * out.size(1);
  const std::int64_t out_plane = out.size(2) * out.size(3);
  const std::int64_t in_plane = x_dot.size(2) * x_dot.size(3);
  const auto* index = reinterpret_cast<const std::int32_t*>(node.context.saved[0].data());
  for (std::int64_t p = 0; p < planes; ++p)
    for (std::int64_t o = 0; o < out_plane; ++o)
      y_dot.data()[p * out_plane + o] = x_dot.data()[p * in_plane + index[p * out_plane + o]];
  return y_dot;
}

}  // namespace

std::vector<Tensor> hessian_vector_product(const ComputeGraph& graph, ParameterSet& parameters,
                                           const ZeroCostBatch& batch,
                                           const std::vector<Tensor>& direction) {
  std::vector<Node> nodes(graph.size());
  std::vector<Tensor> result;
  std::vector<LayerId> order = graph.topological_order();
  int slots = 0;
  for (const Layer& layer : graph.layers())
    if (layer.kind == OpKind::conv2d || layer.kind == OpKind::linear) nodes[layer.id].slot = slots++;
  TANDEM_CHECK(static_cast<int>(direction.size()) == slots,
               "hessian_vector_product: " + std::to_string(direction.size()) +
                   " direction tensors for " + std::to_string(slots) + " conv/linear layers");
  auto parameter = [&](const Layer& layer, const char* suffix) -> Parameter* {
    return parameters.find(layer.name + suffix);
  };

  // Forward with tangents.
  for (LayerId id : order) {
    const Layer& layer = graph.layer(id);
    Node& node = nodes[id];
    if (layer.kind == OpKind::input) {
      node.is_input = true;
      node.value = batch.images;
      node.tangent = Tensor::zeros(batch.images.shape());
      continue;
    }
    node.op = op_of(layer.kind);
    node.attributes = attributes_of(layer);
    node.context.attributes = &node.attributes;
    std::vector<Tensor> input_tangents;
    for (LayerId input : layer.inputs) {
      node.context.inputs.push_back(nodes[input].value);
      input_tangents.push_back(nodes[input].tangent);
    }
    Tensor weight_dot;
    if (node.slot >= 0) {
      Parameter* w = parameter(layer, ".weight");
      TANDEM_CHECK(w != nullptr, "hessian_vector_product: no weight for layer " + layer.name);
      weight_dot = direction[static_cast<std::size_t>(node.slot)];
      TANDEM_CHECK(weight_dot.shape() == w->value.shape(),
                   "hessian_vector_product: direction for " + layer.name + " has shape " +
                       shape_to_string(weight_dot.shape()) + ", the weight " +
                       shape_to_string(w->value.shape()));
      node.context.inputs.push_back(w->value);
      if (Parameter* b = parameter(layer, ".bias")) node.context.inputs.push_back(b->value);
    } else if (layer.kind == OpKind::batch_norm) {
      if (Parameter* g = parameter(layer, ".weight")) {
        node.context.inputs.push_back(g->value);
        node.context.inputs.push_back(parameter(layer, ".bias")->value);
      }
    }
    if (layer.kind == OpKind::identity) {
      node.value = node.context.inputs[0];
    } else if (layer.kind == OpKind::dropout && !(node.attributes.rate > 0.0)) {
      node.value = node.context.inputs[0];
      node.op = Op::identity;
    } else {
      node.value = op_definition(node.op).forward(node.context);
    }
    node.context.output = node.value;

    switch (layer.kind) {
      case OpKind::conv2d:
      case OpKind::linear: {
        const Tensor& x = node.context.inputs[0];
        const Tensor& w = node.context.inputs[1];
        node.tangent = sum(run_forward(node.op, {input_tangents[0], w}, node.attributes),
                           run_forward(node.op, {x, weight_dot}, node.attributes));
        break;
      }
      case OpKind::batch_norm:
        node.tangent = batch_norm_tangent(node, input_tangents[0]);
        break;
      case OpKind::relu:
      case OpKind::relu6:
      case OpKind::dropout:
        node.tangent = node.op == Op::identity
                           ? input_tangents[0]
                           : op_backward(node.op, node.context, input_tangents[0])[0];
        break;
      case OpKind::max_pool:
        node.tangent = max_pool_tangent(node, input_tangents[0]);
        break;
      case OpKind::identity:
        node.tangent = input_tangents[0];
        break;
      default:  // linear ops without parameters: the same op on the tangents
        node.tangent = run_forward(node.op, input_tangents, node.attributes);
        break;
    }
  }

  // The loss and its gradient w.r.t. the logits, with tangents: dz = (p - onehot) / N,
  // dz' = p * (z' - <p, z'>) / N per row.
  std::vector<LayerId> outputs = graph.outputs();
  const LayerId logits_id = outputs.empty() ? graph.size() - 1 : outputs.front();
  Node& logits = nodes[logits_id];
  OpAttributes loss_attributes;
  loss_attributes.labels = batch.labels;
  OpContext loss;
  loss.attributes = &loss_attributes;
  loss.inputs = {logits.value};
  loss.output = op_definition(Op::cross_entropy).forward(loss);
  logits.grad = op_backward(Op::cross_entropy, loss, Tensor::full(loss.output.shape(), 1.0f))[0];
  {
    const Tensor& p = loss.saved[0];
    const std::int64_t n = p.size(0), k = p.size(1);
    logits.grad_tangent = Tensor::empty(p.shape());
    for (std::int64_t r = 0; r < n; ++r) {
      double dot = 0.0;
      for (std::int64_t j = 0; j < k; ++j)
        dot += static_cast<double>(p.data()[r * k + j]) * logits.tangent.data()[r * k + j];
      for (std::int64_t j = 0; j < k; ++j)
        logits.grad_tangent.data()[r * k + j] = static_cast<float>(
            p.data()[r * k + j] * (logits.tangent.data()[r * k + j] - dot) / static_cast<double>(n));
    }
  }

  // Backward with tangents.
  result.assign(static_cast<std::size_t>(slots), Tensor());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Layer& layer = graph.layer(*it);
    Node& node = nodes[*it];
    if (node.is_input || !node.grad.defined()) continue;
    if (!node.grad_tangent.defined()) node.grad_tangent = Tensor::zeros(node.grad.shape());
    std::vector<Tensor> grads, tangents;
    switch (layer.kind) {
      case OpKind::conv2d:
      case OpKind::linear: {
        grads = op_backward(node.op, node.context, node.grad);
        tangents = op_backward(node.op, node.context, node.grad_tangent);
        // The other half of the product rule: the same backward with (x', W') in place of (x, W).
        OpContext swapped;
        swapped.attributes = &node.attributes;
        swapped.inputs = {nodes[layer.inputs[0]].tangent,
                          direction[static_cast<std::size_t>(node.slot)]};
        const std::vector<Tensor> other = op_backward(node.op, swapped, node.grad);
        add_into(tangents[0], other[0]);
        add_into(tangents[1], other[1]);
        result[static_cast<std::size_t>(node.slot)] = tangents[1];
        break;
      }
      case OpKind::batch_norm: {
        grads.resize(1);
        tangents.resize(1);
        batch_norm_backward_tangent(node, nodes[layer.inputs[0]].tangent, grads[0], tangents[0]);
        break;
      }
      case OpKind::identity:
        grads = {node.grad};
        tangents = {node.grad_tangent};
        break;
      default:
        if (node.op == Op::identity) {
          grads = {node.grad};
          tangents = {node.grad_tangent};
        } else {
          grads = op_backward(node.op, node.context, node.grad);
          tangents = op_backward(node.op, node.context, node.grad_tangent);
        }
        break;
    }
    for (std::size_t k = 0; k < layer.inputs.size(); ++k) {
      Node& input = nodes[layer.inputs[k]];
      add_into(input.grad, grads[k]);
      add_into(input.grad_tangent, tangents[k]);
    }
    // Every consumer of this layer came before it in this reverse order: nothing reads it again.
    node.context = OpContext{};
    node.value = node.tangent = node.grad = node.grad_tangent = Tensor();
  }
  for (const Layer& layer : graph.layers())
    if (nodes[layer.id].slot >= 0 && !result[static_cast<std::size_t>(nodes[layer.id].slot)].defined())
      result[static_cast<std::size_t>(nodes[layer.id].slot)] =
          Tensor::zeros(parameter(layer, ".weight")->value.shape());
  return result;
}

}  // namespace tandem
