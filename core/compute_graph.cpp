// ComputeGraph: shape inference, counting and traversal (see compute_graph.hpp).
#include "core/compute_graph.hpp"

#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <iterator>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

struct OpName {
  OpKind kind;
  const char* name;
};

constexpr OpName kOpNames[] = {
    {OpKind::input, "input"},
    {OpKind::conv2d, "conv2d"},
    {OpKind::linear, "linear"},
    {OpKind::batch_norm, "batch_norm"},
    {OpKind::relu, "relu"},
    {OpKind::relu6, "relu6"},
    {OpKind::max_pool, "max_pool"},
    {OpKind::avg_pool, "avg_pool"},
    {OpKind::global_avg_pool, "global_avg_pool"},
    {OpKind::add, "add"},
    {OpKind::concat, "concat"},
    {OpKind::zero, "zero"},
    {OpKind::identity, "identity"},
    {OpKind::channel_slice, "channel_slice"},
    {OpKind::channel_shuffle, "channel_shuffle"},
    {OpKind::dropout, "dropout"},
};

// Output size of a sliding window along one axis (PyTorch's formula, floor mode).
int window_output(int size, int kernel, int stride, int padding, int dilation) {
  return (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

// PyTorch's pooling_output_shape with ceil_mode: round up, but the last window must start
// inside the input or its left padding.
int ceil_window_output(int size, int kernel, int stride, int padding) {
  int out = (size + 2 * padding - kernel + stride - 1) / stride + 1;
  if ((out - 1) * stride >= size + padding) --out;
  return out;
}

}  // namespace

std::string to_string(OpKind kind) {
  for (const auto& entry : kOpNames)
    if (entry.kind == kind) return entry.name;
  return "unknown";
}

OpKind op_kind_from_string(const std::string& text) {
  std::vector<std::string> names;
  for (const auto& entry : kOpNames) {
    if (text == entry.name) return entry.kind;
    names.push_back(entry.name);
  }
  throw Error("unknown layer op '" + text + "'" + did_you_mean(text, names) +
              "; accepted: " + join(names, ", "));
}

std::string TensorShape::to_string() const {
  return std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width);
}

LayerId ComputeGraph::add_input(const std::string& name, TensorShape shape) {
  TANDEM_CHECK(shape.channels > 0 && shape.height > 0 && shape.width > 0,
               "input '" + name + "': shape " + shape.to_string() + " must be positive");
  Layer layer;
  layer.id = layers_.size();
  layer.name = name;
  layer.kind = OpKind::input;
  layer.output = shape;
  layers_.push_back(layer);
  boost::add_vertex(graph_);
  return layer.id;
}

LayerId ComputeGraph::add(OpKind kind, const std::string& name,
                          const std::vector<LayerId>& inputs, LayerAttributes attributes) {
  TANDEM_CHECK(kind != OpKind::input, "layer '" + name + "': use add_input for inputs");
  TANDEM_CHECK(!inputs.empty(), "layer '" + name + "' has no inputs");
  for (LayerId input : inputs)
    TANDEM_CHECK(input < layers_.size(), "layer '" + name + "' reads unknown layer id " +
                                             std::to_string(input));
  Layer layer;
  layer.id = layers_.size();
  layer.name = name;
  layer.kind = kind;
  layer.attributes = attributes;
  layer.inputs = inputs;
  layer.output = infer_shape(layer);
  layers_.push_back(layer);
  auto vertex = boost::add_vertex(graph_);
  for (LayerId input : inputs) boost::add_edge(input, vertex, graph_);
  return layer.id;
}

TensorShape ComputeGraph::infer_shape(const Layer& layer) const {
  const std::string where = "layer '" + layer.name + "' (" + to_string(layer.kind) + ")";
  const auto& a = layer.attributes;
  const TensorShape in = layers_[layer.inputs.front()].output;
  auto single_input = [&] {
    TANDEM_CHECK(layer.inputs.size() == 1, where + " takes exactly one input, got " +
                                               std::to_string(layer.inputs.size()));
  };
  auto window = [&](int dilation) {
    TANDEM_CHECK(a.kernel_h > 0 && a.kernel_w > 0 && a.stride > 0 && a.padding >= 0 &&
                     dilation > 0,
                 where + ": kernel, stride and dilation must be positive and padding >= 0");
    const bool ceil = a.ceil_mode && (layer.kind == OpKind::max_pool ||
                                      layer.kind == OpKind::avg_pool);
    TensorShape out{in.channels,
                    ceil ? ceil_window_output(in.height, a.kernel_h, a.stride, a.padding)
                         : window_output(in.height, a.kernel_h, a.stride, a.padding, dilation),
                    ceil ? ceil_window_output(in.width, a.kernel_w, a.stride, a.padding)
                         : window_output(in.width, a.kernel_w, a.stride, a.padding, dilation)};
    TANDEM_CHECK(out.height > 0 && out.width > 0,
                 where + ": kernel " + std::to_string(a.kernel_h) + "x" +
                     std::to_string(a.kernel_w) + " does not fit the input " + in.to_string() +
                     " with padding " + std::to_string(a.padding));
    return out;
  };
  switch (layer.kind) {
    case OpKind::input:
      return in;
    case OpKind::conv2d: {
      single_input();
      TANDEM_CHECK(a.out_channels > 0, where + ": out_channels must be positive");
      TANDEM_CHECK(a.groups > 0 && in.channels % a.groups == 0 && a.out_channels % a.groups == 0,
                   where + ": groups " + std::to_string(a.groups) + " must divide in channels " +
                       std::to_string(in.channels) + " and out channels " +
                       std::to_string(a.out_channels));
      TensorShape out = window(a.dilation);
      out.channels = a.out_channels;
      return out;
    }
    case OpKind::linear:
      single_input();
      TANDEM_CHECK(a.out_channels > 0, where + ": out features must be positive");
      return TensorShape{a.out_channels, 1, 1};
    case OpKind::max_pool:
    case OpKind::avg_pool:
      single_input();
      TANDEM_CHECK(a.padding * 2 <= std::max(a.kernel_h, a.kernel_w),
                   where + ": padding must be at most half the kernel (PyTorch's rule)");
      return window(1);
    case OpKind::global_avg_pool:
      single_input();
      return TensorShape{in.channels, 1, 1};
    case OpKind::batch_norm:
    case OpKind::relu:
    case OpKind::relu6:
    case OpKind::identity:
    case OpKind::dropout:
      single_input();
      return in;
    case OpKind::channel_shuffle:
      single_input();
      TANDEM_CHECK(a.groups > 0 && in.channels % a.groups == 0,
                   where + ": groups must divide the channels " + std::to_string(in.channels));
      return in;
    case OpKind::channel_slice:
      single_input();
      TANDEM_CHECK(0 <= a.slice_begin && a.slice_begin < a.slice_end && a.slice_end <= in.channels,
                   where + ": channel range [" + std::to_string(a.slice_begin) + ", " +
                       std::to_string(a.slice_end) + ") outside 0.." +
                       std::to_string(in.channels));
      return TensorShape{a.slice_end - a.slice_begin, in.height, in.width};
    case OpKind::zero: {
      single_input();
      TANDEM_CHECK(a.stride > 0, where + ": stride must be positive");
      int channels = a.out_channels > 0 ? a.out_channels : in.channels;
      return TensorShape{channels, (in.height - 1) / a.stride + 1, (in.width - 1) / a.stride + 1};
    }
    case OpKind::add:
      for (LayerId id : layer.inputs) {
        const TensorShape& other = layers_[id].output;
        TANDEM_CHECK(other == in, where + ": input shapes differ (" + in.to_string() + " vs " +
                                      other.to_string() + " from '" + layers_[id].name + "')");
      }
      return in;
    case OpKind::concat: {
      TensorShape out{0, in.height, in.width};
      for (LayerId id : layer.inputs) {
        const TensorShape& other = layers_[id].output;
        TANDEM_CHECK(other.height == in.height && other.width == in.width,
                     where + ": spatial sizes differ (" + in.to_string() + " vs " +
                         other.to_string() + " from '" + layers_[id].name + "')");
        out.channels += other.channels;
      }
      return out;
    }
  }
  TANDEM_ASSERT(false);
  return in;
}

LayerId ComputeGraph::conv2d(const std::string& name, LayerId input, int out_channels, int kernel,
                             int stride, int padding, int dilation, int groups, bool bias) {
  LayerAttributes a;
  a.out_channels = out_channels;
  a.kernel_h = a.kernel_w = kernel;
  a.stride = stride;
  a.padding = padding;
  a.dilation = dilation;
  a.groups = groups;
  a.bias = bias;
  return add(OpKind::conv2d, name, {input}, a);
}

LayerId ComputeGraph::linear(const std::string& name, LayerId input, int out_features,
                             bool bias) {
  LayerAttributes a;
  a.out_channels = out_features;
  a.bias = bias;
  return add(OpKind::linear, name, {input}, a);
}

LayerId ComputeGraph::batch_norm(const std::string& name, LayerId input, bool affine) {
  LayerAttributes a;
  a.affine = affine;
  return add(OpKind::batch_norm, name, {input}, a);
}

LayerId ComputeGraph::relu(const std::string& name, LayerId input) {
  return add(OpKind::relu, name, {input});
}

LayerId ComputeGraph::relu6(const std::string& name, LayerId input) {
  return add(OpKind::relu6, name, {input});
}

LayerId ComputeGraph::max_pool(const std::string& name, LayerId input, int kernel, int stride,
                               int padding, bool ceil_mode) {
  LayerAttributes a;
  a.kernel_h = a.kernel_w = kernel;
  a.stride = stride;
  a.padding = padding;
  a.ceil_mode = ceil_mode;
  return add(OpKind::max_pool, name, {input}, a);
}

LayerId ComputeGraph::avg_pool(const std::string& name, LayerId input, int kernel, int stride,
                               int padding, bool count_include_pad, bool ceil_mode) {
  LayerAttributes a;
  a.kernel_h = a.kernel_w = kernel;
  a.stride = stride;
  a.padding = padding;
  a.count_include_pad = count_include_pad;
  a.ceil_mode = ceil_mode;
  return add(OpKind::avg_pool, name, {input}, a);
}

LayerId ComputeGraph::global_avg_pool(const std::string& name, LayerId input) {
  return add(OpKind::global_avg_pool, name, {input});
}

LayerId ComputeGraph::add_sum(const std::string& name, const std::vector<LayerId>& inputs) {
  return add(OpKind::add, name, inputs);
}

LayerId ComputeGraph::concat(const std::string& name, const std::vector<LayerId>& inputs) {
  return add(OpKind::concat, name, inputs);
}

LayerId ComputeGraph::zero(const std::string& name, LayerId input, int out_channels, int stride) {
  LayerAttributes a;
  a.out_channels = out_channels;
  a.stride = stride;
  return add(OpKind::zero, name, {input}, a);
}

LayerId ComputeGraph::identity(const std::string& name, LayerId input) {
  return add(OpKind::identity, name, {input});
}

void ComputeGraph::mark_output(LayerId id) {
  TANDEM_CHECK(id < layers_.size(), "mark_output: unknown layer id " + std::to_string(id));
  outputs_.push_back(id);
}

std::vector<LayerId> ComputeGraph::inputs() const {
  std::vector<LayerId> out;
  for (const auto& layer : layers_)
    if (layer.kind == OpKind::input) out.push_back(layer.id);
  return out;
}

const Layer& ComputeGraph::layer(LayerId id) const {
  TANDEM_CHECK(id < layers_.size(), "unknown layer id " + std::to_string(id));
  return layers_[id];
}

TensorShape ComputeGraph::input_shape(LayerId id, std::size_t argument) const {
  const Layer& l = layer(id);
  TANDEM_CHECK(argument < l.inputs.size(),
               "layer '" + l.name + "' has no input #" + std::to_string(argument));
  return layers_[l.inputs[argument]].output;
}

std::vector<LayerId> ComputeGraph::consumers(LayerId id) const {
  std::vector<LayerId> out;
  auto [begin, end] = boost::out_edges(id, graph_);
  for (auto edge = begin; edge != end; ++edge) out.push_back(boost::target(*edge, graph_));
  return out;
}

std::vector<LayerId> ComputeGraph::topological_order() const {
  std::vector<LayerId> reversed;
  boost::topological_sort(graph_, std::back_inserter(reversed));
  return std::vector<LayerId>(reversed.rbegin(), reversed.rend());
}

std::int64_t ComputeGraph::layer_macs(LayerId id) const {
  const Layer& l = layer(id);
  const auto& a = l.attributes;
  switch (l.kind) {
    case OpKind::conv2d: {
      const TensorShape in = input_shape(id);
      return l.output.elements() * (in.channels / a.groups) * a.kernel_h * a.kernel_w;
    }
    case OpKind::linear:
      return input_shape(id).elements() * a.out_channels;
    default:
      return 0;
  }
}

std::int64_t ComputeGraph::layer_params(LayerId id) const {
  const Layer& l = layer(id);
  const auto& a = l.attributes;
  switch (l.kind) {
    case OpKind::conv2d: {
      const TensorShape in = input_shape(id);
      std::int64_t weights =
          static_cast<std::int64_t>(a.out_channels) * (in.channels / a.groups) * a.kernel_h *
          a.kernel_w;
      return weights + (a.bias ? a.out_channels : 0);
    }
    case OpKind::linear:
      return input_shape(id).elements() * a.out_channels + (a.bias ? a.out_channels : 0);
    case OpKind::batch_norm:
      return a.affine ? 2 * static_cast<std::int64_t>(l.output.channels) : 0;
    default:
      return 0;
  }
}

std::int64_t ComputeGraph::total_macs() const {
  std::int64_t total = 0;
  for (const auto& l : layers_) total += layer_macs(l.id);
  return total;
}

std::int64_t ComputeGraph::total_params() const {
  std::int64_t total = 0;
  for (const auto& l : layers_) total += layer_params(l.id);
  return total;
}

std::string ComputeGraph::describe_attributes(LayerId id) const {
  const Layer& l = layer(id);
  const auto& a = l.attributes;
  auto window = [&] {
    return "k" + std::to_string(a.kernel_h) + "x" + std::to_string(a.kernel_w) + " s" +
           std::to_string(a.stride) + " p" + std::to_string(a.padding);
  };
  switch (l.kind) {
    case OpKind::conv2d: {
      std::string text = window();
      if (a.dilation != 1) text += " d" + std::to_string(a.dilation);
      if (a.groups != 1) text += " g" + std::to_string(a.groups);
      if (a.bias) text += " bias";
      return text;
    }
    case OpKind::max_pool: return window() + (a.ceil_mode ? " ceil" : "");
    case OpKind::avg_pool:
      return window() + (a.count_include_pad ? "" : " exclude_pad") + (a.ceil_mode ? " ceil" : "");
    case OpKind::linear: return a.bias ? "bias" : "";
    case OpKind::batch_norm: return a.affine ? "affine" : "no_affine";
    case OpKind::zero: return a.stride != 1 ? "s" + std::to_string(a.stride) : "";
    case OpKind::channel_slice:
      return "[" + std::to_string(a.slice_begin) + "," + std::to_string(a.slice_end) + ")";
    case OpKind::channel_shuffle: return "g" + std::to_string(a.groups);
    case OpKind::dropout: return "p" + format_number(a.rate);
    default: return "";
  }
}

}  // namespace tandem
