// Reading an ONNX model into a ComputeGraph (see onnx_network.hpp). Operator semantics follow the
// ONNX operator specification (github.com/onnx/onnx/blob/main/docs/Operators.md).
#include "spaces/onnx_network.hpp"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

// The numbers a constant tensor holds (float, double, int32 or int64; typed fields or raw data).
std::vector<double> tensor_values(const onnx::TensorProto& tensor) {
  std::vector<double> out;
  const std::string& raw = tensor.raw_data();
  auto from_raw = [&](auto sample) {
    using T = decltype(sample);
    for (std::size_t at = 0; at + sizeof(T) <= raw.size(); at += sizeof(T)) {
      T value;
      std::memcpy(&value, raw.data() + at, sizeof(T));  // ONNX raw data is little-endian
      out.push_back(static_cast<double>(value));
    }
  };
  switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (!raw.empty()) from_raw(float{});
      for (float v : tensor.float_data()) out.push_back(v);
      break;
    case onnx::TensorProto::DOUBLE:
      if (!raw.empty()) from_raw(double{});
      for (double v : tensor.double_data()) out.push_back(v);
      break;
    case onnx::TensorProto::INT32:
      if (!raw.empty()) from_raw(std::int32_t{});
      for (std::int32_t v : tensor.int32_data()) out.push_back(v);
      break;
    case onnx::TensorProto::INT64:
      if (!raw.empty()) from_raw(std::int64_t{});
      for (std::int64_t v : tensor.int64_data()) out.push_back(static_cast<double>(v));
      break;
    default:
      break;
  }
  return out;
}

class OnnxReader {
 public:
  OnnxReader(std::string path, const onnx::GraphProto& graph) : path_(std::move(path)), graph_(graph) {
    for (const onnx::TensorProto& tensor : graph.initializer()) constants_[tensor.name()] = &tensor;
    for (const onnx::NodeProto& node : graph.node())
      for (const std::string& input : node.input()) ++consumers_[input];
  }

  ComputeGraph read() {
    add_input();
    for (int i = 0; i < graph_.node_size(); ++i) read_node(i);
    for (const onnx::ValueInfoProto& output : graph_.output())
      out_.mark_output(value(output.name(), "the graph output"));
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(const onnx::NodeProto& node, const std::string& problem) const {
    throw Error(path_ + ": node '" + name_of(node) + "' (op " + node.op_type() + ") " + problem);
  }
  static std::string name_of(const onnx::NodeProto& node) {
    return node.name().empty() ? (node.output_size() ? node.output(0) : std::string("?"))
                               : node.name();
  }

  void add_input() {
    const onnx::ValueInfoProto* input = nullptr;
    for (const onnx::ValueInfoProto& candidate : graph_.input()) {
      if (constants_.count(candidate.name())) continue;  // older exporters list weights as inputs
      if (input)
        throw Error(path_ + ": the model has several inputs ('" + input->name() + "', '" +
                    candidate.name() + "'); tandem reads networks with one");
      input = &candidate;
    }
    if (!input) throw Error(path_ + ": the model has no input");
    const auto& dims = input->type().tensor_type().shape().dim();
    std::vector<long long> shape;
    for (const auto& dim : dims) shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    auto known = [&](std::size_t i) { return shape[i] > 0 && shape[i] <= 1 << 20; };
    TensorShape tensor;
    if (shape.size() == 4 && known(1) && known(2) && known(3)) {
      tensor = TensorShape{static_cast<int>(shape[1]), static_cast<int>(shape[2]),
                           static_cast<int>(shape[3])};
    } else if (shape.size() == 2 && known(1)) {
      tensor = TensorShape{static_cast<int>(shape[1]), 1, 1};
    } else {
      std::string text;
      for (long long d : shape) text += (text.empty() ? "" : ", ") + (d < 0 ? "?" : std::to_string(d));
      throw Error(path_ + ": input '" + input->name() + "' has shape [" + text +
                  "]; expected [N, C, H, W] or [N, F] with C, H, W, F known");
    }
    values_[input->name()] = out_.add_input(input->name(), tensor);
  }

  LayerId value(const std::string& name, const std::string& what) const {
    auto found = values_.find(name);
    if (found == values_.end())
      throw Error(path_ + ": " + what + " reads '" + name +
                  "', which no earlier node computes (is the model in topological order?)");
    return found->second;
  }
  LayerId input_of(const onnx::NodeProto& node, int index) const {
    if (index >= node.input_size()) fail(node, "has too few inputs");
    return value(node.input(index), "node '" + name_of(node) + "'");
  }
  const onnx::TensorProto* constant(const onnx::NodeProto& node, int index) const {
    if (index >= node.input_size()) return nullptr;
    auto found = constants_.find(node.input(index));
    return found == constants_.end() ? nullptr : found->second;
  }
  const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const std::string& name) const {
    for (const onnx::AttributeProto& a : node.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  long long int_attribute(const onnx::NodeProto& node, const std::string& name, long long fallback) const {
    const onnx::AttributeProto* a = attribute(node, name);
    return a ? a->i() : fallback;
  }
  // A per-axis attribute (strides, dilations, kernel_shape) whose two values must agree.
  int square(const onnx::NodeProto& node, const std::string& name, int fallback) const {
    const onnx::AttributeProto* a = attribute(node, name);
    if (!a || a->ints_size() == 0) return fallback;
    for (long long v : a->ints())
      if (v != a->ints(0)) fail(node, "has " + name + " that differ between axes; tandem's layers are square");
    if (a->ints(0) <= 0 || a->ints(0) > 1 << 16) fail(node, "has " + name + " " + std::to_string(a->ints(0)));
    return static_cast<int>(a->ints(0));
  }
  // pads [top, left, bottom, right]: all equal (tandem pads symmetrically).
  int padding(const onnx::NodeProto& node) const {
    if (const onnx::AttributeProto* pad = attribute(node, "auto_pad");
        pad && !pad->s().empty() && pad->s() != "NOTSET" && pad->s() != "VALID")
      fail(node, "uses auto_pad " + pad->s() + "; export with explicit pads");
    const onnx::AttributeProto* a = attribute(node, "pads");
    if (!a || a->ints_size() == 0) return 0;
    for (long long v : a->ints())
      if (v != a->ints(0)) fail(node, "has asymmetric pads; tandem pads every side equally");
    if (a->ints(0) < 0 || a->ints(0) > 1 << 16) fail(node, "has pads " + std::to_string(a->ints(0)));
    return static_cast<int>(a->ints(0));
  }

  void define(const onnx::NodeProto& node, LayerId layer) {
    for (int i = 0; i < node.output_size(); ++i)
      if (!node.output(i).empty()) values_[node.output(i)] = layer;
  }
  LayerId add(const onnx::NodeProto& node, OpKind kind, const std::vector<LayerId>& inputs,
              const LayerAttributes& attributes = {}) {
    try {
      return out_.add(kind, unique_name(name_of(node)), inputs, attributes);
    } catch (const Error& error) {
      fail(node, std::string("does not fit its input: ") + error.what());
    }
  }
  std::string unique_name(const std::string& base) {
    std::string name = base;
    for (int i = 1; !names_.insert(name).second; ++i) name = base + "_" + std::to_string(i);
    return name;
  }

  void read_node(int index) {
    const onnx::NodeProto& node = graph_.node(index);
    const std::string& op = node.op_type();
    if (node.output_size() == 0 || node.output(0).empty()) fail(node, "has no output");
    if (!node.domain().empty() && node.domain() != "ai.onnx") fail(node, "is from domain " + node.domain());
    if (op == "Constant") {
      const onnx::AttributeProto* value = attribute(node, "value");
      if (!value || node.output_size() != 1) fail(node, "holds no tensor value");
      owned_.push_back(value->t());
      constants_[node.output(0)] = &owned_.back();
      return;
    }
    if (op == "Conv") return conv(node);
    if (op == "Gemm") return gemm(node);
    if (op == "MatMul") return matmul(node);
    if (op == "MaxPool" || op == "AveragePool") return pool(node);
    if (op == "GlobalAveragePool") return define(node, add(node, OpKind::global_avg_pool, {input_of(node, 0)}));
    if (op == "BatchNormalization") return define(node, add(node, OpKind::batch_norm, {input_of(node, 0)}));
    if (op == "Relu") return define(node, add(node, OpKind::relu, {input_of(node, 0)}));
    if (op == "Clip") return clip(node);
    if (op == "Add") return add_node(node);
    if (op == "Concat") {
      if (int_attribute(node, "axis", 1) != 1) fail(node, "concatenates along an axis other than channels (1)");
      std::vector<LayerId> inputs;
      for (int i = 0; i < node.input_size(); ++i) inputs.push_back(input_of(node, i));
      return define(node, add(node, OpKind::concat, inputs));
    }
    if (op == "Flatten") {
      if (int_attribute(node, "axis", 1) != 1) fail(node, "flattens from an axis other than 1");
      return define(node, input_of(node, 0));  // tandem's linear layer flattens its input itself
    }
    if (op == "Reshape") return reshape(node);
    if (op == "Dropout" || op == "Identity") return define(node, input_of(node, 0));
    fail(node, "is not supported; supported: " + onnx_supported_ops());
  }

  void conv(const onnx::NodeProto& node) {
    const onnx::TensorProto* weight = constant(node, 1);
    if (!weight || weight->dims_size() != 4) fail(node, "needs a constant 4-D weight [M, C/group, kH, kW]");
    LayerAttributes a;
    a.out_channels = static_cast<int>(weight->dims(0));
    a.kernel_h = square(node, "kernel_shape", static_cast<int>(weight->dims(2)));
    a.kernel_w = a.kernel_h;
    if (weight->dims(2) != weight->dims(3) || weight->dims(2) != a.kernel_h)
      fail(node, "has a kernel that is not square");
    a.stride = square(node, "strides", 1);
    a.dilation = square(node, "dilations", 1);
    a.padding = padding(node);
    a.groups = static_cast<int>(int_attribute(node, "group", 1));
    a.bias = node.input_size() > 2 && !node.input(2).empty();
    const LayerId input = input_of(node, 0);
    if (out_.layer(input).output.channels != weight->dims(1) * a.groups)
      fail(node, "has a weight for " + std::to_string(weight->dims(1) * a.groups) +
                     " input channels but its input has " +
                     std::to_string(out_.layer(input).output.channels));
    define(node, add(node, OpKind::conv2d, {input}, a));
  }

  void gemm(const onnx::NodeProto& node) {
    const onnx::TensorProto* weight = constant(node, 1);
    if (!weight || weight->dims_size() != 2) fail(node, "needs a constant 2-D weight B");
    if (int_attribute(node, "transA", 0) != 0) fail(node, "transposes its input (transA)");
    if (const auto* alpha = attribute(node, "alpha"); alpha && alpha->f() != 1.0f) fail(node, "scales by alpha");
    if (const auto* beta = attribute(node, "beta"); beta && beta->f() != 1.0f) fail(node, "scales by beta");
    const bool transposed = int_attribute(node, "transB", 0) != 0;
    linear(node, input_of(node, 0), transposed ? weight->dims(1) : weight->dims(0),
           transposed ? weight->dims(0) : weight->dims(1),
           node.input_size() > 2 && !node.input(2).empty(), node);
  }

  // MatMul with a constant [in, out] weight; with the Add of a constant bias as its only consumer,
  // both are one linear layer (how PyTorch exports nn.Linear at some opsets).
  void matmul(const onnx::NodeProto& node) {
    const onnx::TensorProto* weight = constant(node, 1);
    if (!weight || weight->dims_size() != 2) fail(node, "needs a constant 2-D weight as its second input");
    const onnx::NodeProto* bias_add = nullptr;
    if (consumers_[node.output(0)] == 1)
      for (const onnx::NodeProto& next : graph_.node())
        if (next.op_type() == "Add" && next.input_size() == 2 &&
            ((next.input(0) == node.output(0) && constants_.count(next.input(1))) ||
             (next.input(1) == node.output(0) && constants_.count(next.input(0)))))
          bias_add = &next;
    linear(node, input_of(node, 0), weight->dims(0), weight->dims(1), bias_add != nullptr,
           bias_add ? *bias_add : node);
    if (bias_add) folded_.insert(bias_add);
  }

  void linear(const onnx::NodeProto& node, LayerId input, long long in, long long out, bool bias,
              const onnx::NodeProto& defines) {
    if (out_.layer(input).output.elements() != in)
      fail(node, "has a weight for " + std::to_string(in) + " inputs but its input has " +
                     std::to_string(out_.layer(input).output.elements()) + " values");
    LayerAttributes a;
    a.out_channels = static_cast<int>(out);
    a.bias = bias;
    const LayerId layer = add(node, OpKind::linear, {input}, a);
    define(node, layer);
    if (&defines != &node) define(defines, layer);
  }

  void pool(const onnx::NodeProto& node) {
    LayerAttributes a;
    const onnx::AttributeProto* kernel = attribute(node, "kernel_shape");
    if (!kernel || kernel->ints_size() == 0) fail(node, "has no kernel_shape");
    a.kernel_h = square(node, "kernel_shape", 1);
    a.kernel_w = a.kernel_h;
    a.stride = square(node, "strides", 1);
    if (square(node, "dilations", 1) != 1) fail(node, "is dilated; tandem's pools are not");
    a.padding = padding(node);
    a.ceil_mode = int_attribute(node, "ceil_mode", 0) != 0;
    const bool average = node.op_type() == "AveragePool";
    a.count_include_pad = int_attribute(node, "count_include_pad", 0) != 0;  // ONNX's default 0
    define(node, add(node, average ? OpKind::avg_pool : OpKind::max_pool, {input_of(node, 0)}, a));
  }

  // Clip to [0, 6] is ReLU6 (bounds as attributes before opset 11, as constant inputs after).
  void clip(const onnx::NodeProto& node) {
    auto bound = [&](const char* name, int input) -> std::optional<double> {
      if (const onnx::AttributeProto* a = attribute(node, name)) return a->f();
      if (const onnx::TensorProto* t = constant(node, input)) {
        const auto values = tensor_values(*t);
        if (values.size() == 1) return values.front();
      }
      return std::nullopt;
    };
    const auto low = bound("min", 1), high = bound("max", 2);
    if (!low || !high || *low != 0.0 || *high != 6.0)
      fail(node, "clips to other bounds than [0, 6] (ReLU6)");
    define(node, add(node, OpKind::relu6, {input_of(node, 0)}));
  }

  void add_node(const onnx::NodeProto& node) {
    if (folded_.count(&node)) return;  // the bias of a MatMul, already its linear layer's
    if (constant(node, 0) || constant(node, 1))
      fail(node, "adds a constant; tandem reads Add of two computed tensors (or a MatMul's bias)");
    define(node, add(node, OpKind::add, {input_of(node, 0), input_of(node, 1)}));
  }

  // A Reshape to [N, -1] (or [N, F]) before a linear layer is the flatten tandem's linear does.
  void reshape(const onnx::NodeProto& node) {
    const onnx::TensorProto* shape = constant(node, 1);
    const LayerId input = input_of(node, 0);
    if (!shape) fail(node, "has a shape that is not a constant");
    const auto values = tensor_values(*shape);
    const double elements = static_cast<double>(out_.layer(input).output.elements());
    if (values.size() != 2 || !(values[1] == -1 || values[1] == elements))
      fail(node, "reshapes to something other than [N, -1] (a flatten)");
    define(node, input);
  }

  std::string path_;
  const onnx::GraphProto& graph_;
  ComputeGraph out_;
  std::map<std::string, const onnx::TensorProto*> constants_;
  std::deque<onnx::TensorProto> owned_;  // values of Constant nodes
  std::map<std::string, LayerId> values_;
  std::map<std::string, int> consumers_;
  std::set<const onnx::NodeProto*> folded_;
  std::set<std::string> names_;
};

}  // namespace

const std::string& onnx_supported_ops() {
  static const std::string ops =
      "Conv, Gemm, MatMul, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Relu, "
      "Clip (ReLU6), Add, Concat, Flatten, Reshape (flatten), Dropout, Identity, Constant";
  return ops;
}

ComputeGraph read_onnx_network(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the ONNX file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_onnx_network(bytes, path);
}

ComputeGraph parse_onnx_network(const std::string& bytes, const std::string& source) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes) || !model.has_graph())
    throw Error(source + ": not an ONNX model (the file is truncated or in another format)");
  ComputeGraph graph = OnnxReader(source, model.graph()).read();
  if (graph.size() <= 1) throw Error(source + ": the model computes nothing");
  return graph;
}

}  // namespace tandem
