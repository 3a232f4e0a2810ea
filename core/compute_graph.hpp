// ComputeGraph: the network every space lowers to and every trainer and cost model consumes.
// A DAG (Boost.Graph) of layers, each with an op kind, attributes and an inferred output shape
// (per sample, NCHW without N), plus per-layer and total multiply-accumulates and parameters.
//
// Counting conventions (ptflops-style counters, as published for DARTS and ProxylessNAS):
//   MACs   = multiply-accumulates of conv2d and linear layers at batch 1; other ops count 0.
//            (NAS-Bench-201's FLOPs column also adds one per class for the classifier bias.)
//   params = trainable parameters: conv/linear weights (+ bias when present), batch-norm
//            gamma/beta when affine. Running statistics are buffers, not parameters.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace tandem {

enum class OpKind {
  input,
  conv2d,           // out_channels, kernel_h/w, stride, padding, dilation, groups, bias
  linear,           // out_channels (= out features), bias; flattens its input
  batch_norm,       // affine
  relu,
  relu6,
  max_pool,         // kernel_h/w, stride, padding, ceil_mode
  avg_pool,         // kernel_h/w, stride, padding, count_include_pad, ceil_mode
  global_avg_pool,  // -> C x 1 x 1
  add,              // element-wise sum of >= 1 inputs of equal shape
  concat,           // channel concatenation of inputs with equal H, W
  zero,             // zeros; out_channels (0 = same as input), stride (spatial subsampling)
  identity,
  channel_slice,    // channels [slice_begin, slice_end)
  channel_shuffle,  // groups
  dropout,          // rate
};

std::string to_string(OpKind kind);
OpKind op_kind_from_string(const std::string& text);  // error listing the accepted names

struct TensorShape {
  int channels = 0;
  int height = 1;
  int width = 1;

  std::int64_t elements() const {
    return static_cast<std::int64_t>(channels) * height * width;
  }
  std::string to_string() const;  // "16x32x32"
  bool operator==(const TensorShape&) const = default;
};

struct LayerAttributes {
  int out_channels = 0;
  int kernel_h = 1;
  int kernel_w = 1;
  int stride = 1;
  int padding = 0;
  int dilation = 1;
  int groups = 1;
  bool bias = false;
  bool affine = true;
  bool count_include_pad = true;
  // Pools: output size rounded up as PyTorch's ceil_mode (a last window may overhang the input;
  // it must start inside the input or its left padding).
  bool ceil_mode = false;
  int slice_begin = 0;
  int slice_end = 0;
  double rate = 0.0;

  bool operator==(const LayerAttributes&) const = default;
};

using LayerId = std::size_t;

struct Layer {
  LayerId id = 0;
  std::string name;
  OpKind kind = OpKind::input;
  LayerAttributes attributes;
  std::vector<LayerId> inputs;  // in argument order
  TensorShape output;
};

class ComputeGraph {
 public:
  // Adds a graph input of the given per-sample shape.
  LayerId add_input(const std::string& name, TensorShape shape);
  // Adds a layer reading `inputs` (existing layers), infers and checks its output shape.
  // Inconsistent shapes or attributes raise tandem::Error naming the layer.
  LayerId add(OpKind kind, const std::string& name, const std::vector<LayerId>& inputs,
              LayerAttributes attributes = {});

  // Convenience builders (square kernels).
  LayerId conv2d(const std::string& name, LayerId input, int out_channels, int kernel,
                 int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
                 bool bias = false);
  LayerId linear(const std::string& name, LayerId input, int out_features, bool bias = true);
  LayerId batch_norm(const std::string& name, LayerId input, bool affine = true);
  LayerId relu(const std::string& name, LayerId input);
  LayerId relu6(const std::string& name, LayerId input);
  LayerId max_pool(const std::string& name, LayerId input, int kernel, int stride, int padding,
                   bool ceil_mode = false);
  LayerId avg_pool(const std::string& name, LayerId input, int kernel, int stride, int padding,
                   bool count_include_pad = true, bool ceil_mode = false);
  LayerId global_avg_pool(const std::string& name, LayerId input);
  LayerId add_sum(const std::string& name, const std::vector<LayerId>& inputs);
  LayerId concat(const std::string& name, const std::vector<LayerId>& inputs);
  LayerId zero(const std::string& name, LayerId input, int out_channels = 0, int stride = 1);
  LayerId identity(const std::string& name, LayerId input);

  void mark_output(LayerId id);
  const std::vector<LayerId>& outputs() const { return outputs_; }
  std::vector<LayerId> inputs() const;  // layers of kind input

  std::size_t size() const { return layers_.size(); }
  const Layer& layer(LayerId id) const;
  const std::vector<Layer>& layers() const { return layers_; }
  TensorShape input_shape(LayerId id, std::size_t argument = 0) const;
  // Layers that read `id`.
  std::vector<LayerId> consumers(LayerId id) const;

  // A topological order computed by Boost.Graph (inputs first).
  std::vector<LayerId> topological_order() const;

  std::int64_t layer_macs(LayerId id) const;
  std::int64_t layer_params(LayerId id) const;
  std::int64_t total_macs() const;
  std::int64_t total_params() const;

  // Short attribute summary for tables, e.g. "k3x3 s1 p1 g1".
  std::string describe_attributes(LayerId id) const;

 private:
  TensorShape infer_shape(const Layer& layer) const;
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
  Graph graph_;
  std::vector<Layer> layers_;
  std::vector<LayerId> outputs_;
};

}  // namespace tandem
