// Writing a network as an ONNX model (see onnx_export.hpp). Operator semantics follow the ONNX
// operator specification (github.com/onnx/onnx/blob/main/docs/Operators.md), opset 13.
#include "trainers/onnx_export.hpp"

#include <onnx/onnx_pb.h>

#include <fstream>

#include "core/error.hpp"

namespace tandem {
namespace {

class OnnxWriter {
 public:
  OnnxWriter(const ComputeGraph& graph, ParameterSet& parameters, const OnnxExportOptions& options)
      : graph_(graph), parameters_(parameters), options_(options) {}

  onnx::ModelProto write() {
    onnx::ModelProto model;
    model.set_ir_version(7);
    model.set_producer_name(options_.producer);
    model.set_doc_string(options_.doc);
    model.add_opset_import()->set_version(13);
    out_ = model.mutable_graph();
    out_->set_name("tandem");
    const std::vector<LayerId> inputs = graph_.inputs();
    TANDEM_CHECK(inputs.size() == 1, "an ONNX export needs a network with one input");
    std::vector<LayerId> outputs = graph_.outputs();
    if (outputs.empty()) outputs.push_back(graph_.size() - 1);
    for (LayerId id : graph_.topological_order()) layer(graph_.layer(id));
    const TensorShape in = graph_.layer(inputs.front()).output;
    describe(out_->add_input(), "input", {options_.batch, in.channels, in.height, in.width});
    const Layer& last = graph_.layer(outputs.front());
    auto* output = out_->add_output();
    if (last.kind == OpKind::linear) {
      describe(output, "output", {options_.batch, last.output.channels});
    } else {
      describe(output, "output",
               {options_.batch, last.output.channels, last.output.height, last.output.width});
    }
    node("Identity", last.name + "/output", {name_of(last.id)}, "output");
    return model;
  }

 private:
  static void describe(onnx::ValueInfoProto* value, const std::string& name,
                       const std::vector<long long>& dims) {
    value->set_name(name);
    auto* type = value->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    for (long long d : dims) type->mutable_shape()->add_dim()->set_dim_value(d);
  }
  std::string name_of(LayerId id) const {
    return graph_.layer(id).kind == OpKind::input ? "input" : graph_.layer(id).name;
  }
  onnx::NodeProto* node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& inputs, const std::string& output) {
    onnx::NodeProto* n = out_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const std::string& input : inputs) n->add_input(input);
    n->add_output(output);
    return n;
  }
  static void ints(onnx::NodeProto* n, const std::string& name, std::vector<long long> values) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (long long v : values) a->add_ints(v);
  }
  static void integer(onnx::NodeProto* n, const std::string& name, long long value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  static void real(onnx::NodeProto* n, const std::string& name, double value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(static_cast<float>(value));
  }
  void floats(const std::string& name, const std::vector<long long>& dims,
              const std::vector<float>& values) {
    onnx::TensorProto* t = out_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (long long d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4));
  }
  void int64s(const std::string& name, const std::vector<long long>& values) {
    onnx::TensorProto* t = out_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<long long>(values.size()));
    for (long long v : values) t->add_int64_data(v);
  }
  // A parameter or buffer of the network as an initializer (its tandem name).
  std::string tensor(const std::string& name) {
    const Tensor* value = nullptr;
    if (Parameter* p = parameters_.find(name)) value = &p->value;
    else if (Buffer* b = parameters_.find_buffer(name)) value = &b->value;
    if (!value) throw InternalError("ONNX export: the network has no tensor '" + name + "'");
    floats(name, std::vector<long long>(value->shape().begin(), value->shape().end()),
           value->to_vector());
    return name;
  }

  void layer(const Layer& layer) {
    const LayerAttributes& a = layer.attributes;
    if (layer.kind == OpKind::input) return;
    std::vector<std::string> in;
    for (LayerId id : layer.inputs) in.push_back(name_of(id));
    const std::string& y = layer.name;
    switch (layer.kind) {
      case OpKind::input: return;
      case OpKind::conv2d: {
        std::vector<std::string> args = {in[0], tensor(y + ".weight")};
        if (a.bias) args.push_back(tensor(y + ".bias"));
        onnx::NodeProto* n = node("Conv", y, args, y);
        ints(n, "kernel_shape", {a.kernel_h, a.kernel_w});
        ints(n, "strides", {a.stride, a.stride});
        ints(n, "pads", {a.padding, a.padding, a.padding, a.padding});
        ints(n, "dilations", {a.dilation, a.dilation});
        integer(n, "group", a.groups);
        return;
      }
      case OpKind::linear: {
        integer(node("Flatten", y + "/flatten", {in[0]}, y + "/flat"), "axis", 1);
        std::vector<std::string> args = {y + "/flat", tensor(y + ".weight")};
        if (a.bias) args.push_back(tensor(y + ".bias"));
        integer(node("Gemm", y, args, y), "transB", 1);
        return;
      }
      case OpKind::batch_norm: {
        const int c = layer.output.channels;
        const std::string scale = a.affine ? tensor(y + ".weight") : constant(y + ".one", c, 1.0f);
        const std::string bias = a.affine ? tensor(y + ".bias") : constant(y + ".zero", c, 0.0f);
        const bool stats = parameters_.find_buffer(y + ".running_mean") != nullptr;
        const std::string mean = stats ? tensor(y + ".running_mean") : constant(y + ".mean", c, 0.0f);
        const std::string var = stats ? tensor(y + ".running_var") : constant(y + ".var", c, 1.0f);
        onnx::NodeProto* n = node("BatchNormalization", y, {in[0], scale, bias, mean, var}, y);
        real(n, "epsilon", options_.bn_epsilon);
        real(n, "momentum", 1.0 - options_.bn_momentum);  // ONNX keeps this share of the old mean
        return;
      }
      case OpKind::relu: node("Relu", y, in, y); return;
      case OpKind::relu6:
        node("Clip", y, {in[0], scalar(y + ".min", 0.0f), scalar(y + ".max", 6.0f)}, y);
        return;
      case OpKind::max_pool:
      case OpKind::avg_pool: {
        const bool average = layer.kind == OpKind::avg_pool;
        onnx::NodeProto* n = node(average ? "AveragePool" : "MaxPool", y, in, y);
        ints(n, "kernel_shape", {a.kernel_h, a.kernel_w});
        ints(n, "strides", {a.stride, a.stride});
        ints(n, "pads", {a.padding, a.padding, a.padding, a.padding});
        integer(n, "ceil_mode", a.ceil_mode ? 1 : 0);
        if (average) integer(n, "count_include_pad", a.count_include_pad ? 1 : 0);
        return;
      }
      case OpKind::global_avg_pool: node("GlobalAveragePool", y, in, y); return;
      case OpKind::add: node(in.size() == 2 ? "Add" : "Sum", y, in, y); return;
      case OpKind::concat: integer(node("Concat", y, in, y), "axis", 1); return;
      case OpKind::identity:
      case OpKind::dropout: node("Identity", y, in, y); return;
      case OpKind::zero: {
        if (layer.output.channels != graph_.input_shape(layer.id).channels)
          throw Error("layer '" + y + "' (zero) changes the number of channels, which has no "
                      "ONNX form here");
        std::string source = in[0];
        if (a.stride > 1) {
          onnx::NodeProto* n = node("AveragePool", y + "/subsample", in, y + "/subsampled");
          ints(n, "kernel_shape", {1, 1});
          ints(n, "strides", {a.stride, a.stride});
          source = y + "/subsampled";
        }
        node("Mul", y, {source, scalar(y + ".zero", 0.0f)}, y);
        return;
      }
      case OpKind::channel_slice: {
        int64s(y + ".starts", {a.slice_begin});
        int64s(y + ".ends", {a.slice_end});
        int64s(y + ".axes", {1});
        node("Slice", y, {in[0], y + ".starts", y + ".ends", y + ".axes"}, y);
        return;
      }
      case OpKind::channel_shuffle: {
        const TensorShape s = graph_.input_shape(layer.id);
        int64s(y + ".grouped", {options_.batch, a.groups, s.channels / a.groups, s.height, s.width});
        int64s(y + ".shape", {options_.batch, s.channels, s.height, s.width});
        node("Reshape", y + "/group", {in[0], y + ".grouped"}, y + "/grouped");
        ints(node("Transpose", y + "/swap", {y + "/grouped"}, y + "/swapped"), "perm", {0, 2, 1, 3, 4});
        node("Reshape", y, {y + "/swapped", y + ".shape"}, y);
        return;
      }
    }
  }
  std::string constant(const std::string& name, int count, float value) {
    floats(name, {count}, std::vector<float>(static_cast<std::size_t>(count), value));
    return name;
  }
  std::string scalar(const std::string& name, float value) {
    floats(name, {}, {value});
    return name;
  }

  const ComputeGraph& graph_;
  ParameterSet& parameters_;
  OnnxExportOptions options_;
  onnx::GraphProto* out_ = nullptr;
};

}  // namespace

void write_onnx_model(const std::string& path, const ComputeGraph& graph, ParameterSet& parameters,
                      const OnnxExportOptions& options) {
  TANDEM_CHECK(options.batch >= 1, "an ONNX export needs a batch of at least 1");
  const onnx::ModelProto model = OnnxWriter(graph, parameters, options).write();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !model.SerializeToOstream(&out) || !out.flush())
    throw Error(path + ": cannot write the ONNX model");
}

}  // namespace tandem
