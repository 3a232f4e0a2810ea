// Networks given as ONNX models: each test builds its model with ONNX's own protobuf classes,
// writes it to a file (checked by the ONNX project's checker, python3-onnx, where installed), reads
// it back as a ComputeGraph and compares the layers' shapes, multiply-accumulates and parameters
// with counts made by hand from the operator specification. Unsupported operators, asymmetric
// padding and truncated files are one line naming the file and the node.
#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "spaces/onnx_network.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// Builds a model node by node.
class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 13) {
    model_.set_ir_version(8);
    model_.set_producer_name("tandem tests");
    model_.add_opset_import()->set_version(opset);
    graph()->set_name("test");
  }
  onnx::GraphProto* graph() { return model_.mutable_graph(); }

  void input(const std::string& name, const std::vector<long long>& dims) {
    describe(graph()->add_input(), name, dims);
  }
  void output(const std::string& name, const std::vector<long long>& dims) {
    describe(graph()->add_output(), name, dims);
  }
  // A constant float tensor of the given shape (values 0.01, 0.02, ...).
  void weight(const std::string& name, const std::vector<long long>& dims) {
    onnx::TensorProto* tensor = graph()->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    long long count = 1;
    for (long long d : dims) {
      tensor->add_dims(d);
      count *= d;
    }
    for (long long i = 0; i < count; ++i) tensor->add_float_data(0.01f * static_cast<float>(i % 97));
  }
  void int64_constant(const std::string& name, const std::vector<long long>& values) {
    onnx::TensorProto* tensor = graph()->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::INT64);
    tensor->add_dims(static_cast<long long>(values.size()));
    for (long long v : values) tensor->add_int64_data(v);
  }
  void float_scalar(const std::string& name, float value) {
    onnx::TensorProto* tensor = graph()->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    tensor->add_float_data(value);
  }
  onnx::NodeProto* node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& inputs, const std::string& output) {
    onnx::NodeProto* node = graph()->add_node();
    node->set_op_type(op);
    node->set_name(name);
    for (const std::string& input : inputs) node->add_input(input);
    node->add_output(output);
    return node;
  }
  static void ints(onnx::NodeProto* node, const std::string& name, const std::vector<long long>& values) {
    auto* a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (long long v : values) a->add_ints(v);
  }
  static void integer(onnx::NodeProto* node, const std::string& name, long long value) {
    auto* a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }

  // Writes the model; checks it with onnx.checker when python3 has onnx.
  std::string write(const TempDir& dir, const std::string& file) {
    const std::string path = dir.file(file);
    std::ofstream out(path, std::ios::binary);
    REQUIRE(model_.SerializeToOstream(&out));
    out.close();
    if (run_shell("python3 -c 'import onnx' 2>&1").exit_code == 0) {
      const CommandResult checked = run_shell(
          "python3 -c 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
          "full_check=True)' " + shell_quote(path) + " 2>&1");
      CHECK_MESSAGE(checked.exit_code == 0, checked.output);
    }
    return path;
  }

 private:
  static void describe(onnx::ValueInfoProto* value, const std::string& name,
                       const std::vector<long long>& dims) {
    value->set_name(name);
    auto* type = value->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    for (long long d : dims) type->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::ModelProto model_;
};

const Layer& layer_named(const ComputeGraph& graph, const std::string& name) {
  for (const Layer& layer : graph.layers())
    if (layer.name == name) return layer;
  FAIL("no layer " << name);
  throw 0;
}

// A small CNN: conv 3x3 + BN + ReLU, a depthwise stride-2 conv + ReLU6 (Clip), max pooling, a
// dilated conv, global average pooling, Flatten and a Gemm classifier; written to cnn.onnx.
std::string write_cnn(const TempDir& dir) {
  ModelBuilder m;
  m.input("x", {1, 3, 32, 32});
  m.weight("w1", {16, 3, 3, 3});
  m.weight("b1", {16});
  auto* conv1 = m.node("Conv", "conv1", {"x", "w1", "b1"}, "c1");
  ModelBuilder::ints(conv1, "pads", {1, 1, 1, 1});
  ModelBuilder::ints(conv1, "kernel_shape", {3, 3});
  for (const char* name : {"gamma", "beta", "mean", "var"}) m.weight(name, {16});
  m.node("BatchNormalization", "bn1", {"c1", "gamma", "beta", "mean", "var"}, "n1");
  m.node("Relu", "relu1", {"n1"}, "r1");
  m.weight("wd", {16, 1, 3, 3});
  auto* depthwise = m.node("Conv", "dw", {"r1", "wd"}, "d");
  ModelBuilder::integer(depthwise, "group", 16);
  ModelBuilder::ints(depthwise, "strides", {2, 2});
  ModelBuilder::ints(depthwise, "pads", {1, 1, 1, 1});
  m.float_scalar("zero", 0.0f);
  m.float_scalar("six", 6.0f);
  m.node("Clip", "relu6", {"d", "zero", "six"}, "d6");
  auto* pool = m.node("MaxPool", "pool", {"d6"}, "p");
  ModelBuilder::ints(pool, "kernel_shape", {2, 2});
  ModelBuilder::ints(pool, "strides", {2, 2});
  m.weight("w2", {32, 16, 3, 3});
  auto* dilated = m.node("Conv", "dilated", {"p", "w2"}, "c2");
  ModelBuilder::ints(dilated, "dilations", {2, 2});
  ModelBuilder::ints(dilated, "pads", {2, 2, 2, 2});
  m.node("GlobalAveragePool", "gap", {"c2"}, "g");
  m.node("Flatten", "flatten", {"g"}, "f");
  m.weight("wf", {10, 32});
  m.weight("bf", {10});
  ModelBuilder::integer(m.node("Gemm", "fc", {"f", "wf", "bf"}, "y"), "transB", 1);
  m.output("y", {1, 10});
  return m.write(dir, "cnn.onnx");
}

}  // namespace

TEST_CASE("onnx network: a CNN with depthwise, strided and dilated convolutions, counted by hand") {
  TempDir dir;
  const std::string path = write_cnn(dir);

  const ComputeGraph graph = read_onnx_network(path);
  // conv1: 16 x 32 x 32 outputs, 3 x 3 x 3 MACs each; 16 * 27 weights + 16 biases.
  CHECK(layer_named(graph, "conv1").output == TensorShape{16, 32, 32});
  CHECK(graph.layer_macs(layer_named(graph, "conv1").id) == 16 * 32 * 32 * 27);
  CHECK(graph.layer_params(layer_named(graph, "conv1").id) == 16 * 27 + 16);
  CHECK(graph.layer_params(layer_named(graph, "bn1").id) == 32);
  // Depthwise, stride 2, pad 1: 16 x 16 x 16 outputs, 9 MACs each; 16 * 9 weights.
  CHECK(layer_named(graph, "dw").output == TensorShape{16, 16, 16});
  CHECK(graph.layer_macs(layer_named(graph, "dw").id) == 16 * 16 * 16 * 9);
  CHECK(graph.layer_params(layer_named(graph, "dw").id) == 144);
  CHECK(layer_named(graph, "relu6").kind == OpKind::relu6);
  CHECK(layer_named(graph, "pool").output == TensorShape{16, 8, 8});
  // Dilation 2 with pad 2 keeps 8 x 8: 32 x 8 x 8 outputs, 16 x 9 MACs each.
  CHECK(layer_named(graph, "dilated").output == TensorShape{32, 8, 8});
  CHECK(graph.layer_macs(layer_named(graph, "dilated").id) == 32 * 8 * 8 * 16 * 9);
  CHECK(graph.layer_params(layer_named(graph, "dilated").id) == 32 * 16 * 9);
  // The classifier reads the 32 pooled values (Flatten passes them on).
  CHECK(graph.layer_macs(layer_named(graph, "fc").id) == 320);
  CHECK(graph.layer_params(layer_named(graph, "fc").id) == 330);
  CHECK(graph.total_macs() == 442368 + 36864 + 294912 + 320);
  CHECK(graph.total_params() == 448 + 32 + 144 + 4608 + 330);
  REQUIRE(graph.outputs().size() == 1);
  CHECK(graph.layer(graph.outputs().front()).name == "fc");

  // The same network costed from the command line: its MACs in the total row.
  const CommandResult cost = run_tandem("hw eval --accelerator " +
                                        shell_quote(source_dir() + "/data/hwmodels/systolic_32x32_ws.yaml") +
                                        " --onnx " + shell_quote(path) + " --format csv");
  REQUIRE_MESSAGE(cost.exit_code == 0, cost.output);
  CHECK(cost.output.find("\ntotal,774464,") != std::string::npos);
}

TEST_CASE("onnx network: an MLP of MatMul + Add, and residual Add, Concat and AveragePool") {
  TempDir dir;
  ModelBuilder mlp;
  mlp.input("x", {1, 64});
  mlp.weight("w1", {64, 32});
  mlp.weight("b1", {32});
  mlp.node("MatMul", "mm1", {"x", "w1"}, "h");
  mlp.node("Add", "bias1", {"h", "b1"}, "hb");
  mlp.node("Relu", "act", {"hb"}, "a");
  mlp.weight("w2", {32, 10});
  mlp.node("MatMul", "mm2", {"a", "w2"}, "y");
  mlp.output("y", {1, 10});
  const ComputeGraph graph = read_onnx_network(mlp.write(dir, "mlp.onnx"));
  // Two linear layers, the first with the Add's bias: 64 * 32 + 32 and 32 * 10 parameters.
  CHECK(graph.layer_params(layer_named(graph, "mm1").id) == 64 * 32 + 32);
  CHECK(graph.layer_params(layer_named(graph, "mm2").id) == 320);
  CHECK(graph.total_macs() == 64 * 32 + 32 * 10);
  CHECK(graph.size() == 4);  // input, mm1 (with its bias), act, mm2

  ModelBuilder block;
  block.input("x", {1, 8, 16, 16});
  block.weight("w", {8, 8, 1, 1});
  block.node("Conv", "pointwise", {"x", "w"}, "c");
  block.node("Add", "residual", {"x", "c"}, "r");
  auto* pool = block.node("AveragePool", "avg", {"r"}, "p");
  ModelBuilder::ints(pool, "kernel_shape", {3, 3});
  ModelBuilder::ints(pool, "pads", {1, 1, 1, 1});
  block.node("Concat", "cat", {"r", "p"}, "y")->add_attribute()->CopyFrom([] {
    onnx::AttributeProto axis;
    axis.set_name("axis");
    axis.set_type(onnx::AttributeProto::INT);
    axis.set_i(1);
    return axis;
  }());
  block.output("y", {1, 16, 16, 16});
  const ComputeGraph cells = read_onnx_network(block.write(dir, "block.onnx"));
  CHECK(layer_named(cells, "residual").kind == OpKind::add);
  const Layer& avg = layer_named(cells, "avg");
  CHECK(avg.output == TensorShape{8, 16, 16});
  CHECK_FALSE(avg.attributes.count_include_pad);  // ONNX's default
  CHECK(layer_named(cells, "cat").output == TensorShape{16, 16, 16});
  CHECK(cells.total_macs() == 8 * 16 * 16 * 8);
}

TEST_CASE("onnx network: unsupported operators, asymmetric pads and truncated files are one line") {
  TempDir dir;
  ModelBuilder softmax;
  softmax.input("x", {1, 10});
  softmax.node("Softmax", "sm", {"x"}, "y");
  softmax.output("y", {1, 10});
  const std::string path = softmax.write(dir, "softmax.onnx");
  CHECK_THROWS_WITH(read_onnx_network(path),
                    (path + ": node 'sm' (op Softmax) is not supported; supported: " +
                     onnx_supported_ops()).c_str());

  ModelBuilder asymmetric;
  asymmetric.input("x", {1, 3, 8, 8});
  asymmetric.weight("w", {4, 3, 3, 3});
  ModelBuilder::ints(asymmetric.node("Conv", "c", {"x", "w"}, "y"), "pads", {0, 0, 1, 1});
  asymmetric.output("y", {1, 4, 7, 7});
  const std::string padded = asymmetric.write(dir, "pads.onnx");
  CHECK_THROWS_WITH(read_onnx_network(padded),
                    (padded + ": node 'c' (op Conv) has asymmetric pads; tandem pads every side "
                              "equally").c_str());

  // A node without an output (the ONNX checker refuses it too; tandem says so in one line).
  onnx::ModelProto dangling;
  dangling.add_opset_import()->set_version(13);
  auto* input = dangling.mutable_graph()->add_input();
  input->set_name("x");
  for (long long d : {1, 4}) {
    auto* type = input->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    type->mutable_shape()->add_dim()->set_dim_value(d);
  }
  auto* relu = dangling.mutable_graph()->add_node();
  relu->set_op_type("Relu");
  relu->set_name("r");
  relu->add_input("x");
  CHECK_THROWS_WITH(parse_onnx_network(dangling.SerializeAsString(), "m.onnx"),
                    "m.onnx: node 'r' (op Relu) has no output");

  // The CNN file cut in half, and a file that is not ONNX at all.
  const std::string whole = fingerprint(padded);
  const std::string truncated = dir.write("truncated.onnx", whole.substr(0, whole.size() / 2));
  CHECK_THROWS_WITH(read_onnx_network(truncated),
                    (truncated + ": not an ONNX model (the file is truncated or in another "
                                 "format)").c_str());
  const std::string text = dir.write("text.onnx", "name: not a model\n");
  CHECK_THROWS_AS(read_onnx_network(text), Error);
  CHECK_THROWS_WITH(read_onnx_network(dir.file("missing.onnx")),
                    (dir.file("missing.onnx") + ": cannot open the ONNX file").c_str());
  const CommandResult cli = run_tandem(
      "hw eval --accelerator " + shell_quote(source_dir() + "/data/hwmodels/systolic_32x32_ws.yaml") +
      " --onnx " + shell_quote(path));
  CHECK(cli.exit_code == 1);
  CHECK(cli.lines().size() == 1);
  CHECK(cli.output.find("node 'sm' (op Softmax) is not supported") != std::string::npos);
}

TEST_CASE("onnx network: the hw evaluator searches accelerators for a fixed ONNX network") {
  TempDir dir;
  write_cnn(dir);
  const std::string config = dir.write(
      "exp.yaml", "name: accel\nseed: 1\nspace:\n  name: systolic_hw\n  options:\n"
                  "    rows: [8, 16, 32]\n    cols: [8, 16, 32]\n"
                  "strategy: random\nevaluators:\n  - name: hw\n    options: {onnx: cnn.onnx}\n"
                  "objectives: [{metric: latency_ms, direction: minimize}]\nbudget: {trials: 5}\n");
  const CommandResult run =
      run_tandem("run " + shell_quote(config) + " --db " + shell_quote(dir.file("a.db")) + " --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  TrialStore store(dir.file("a.db"), TrialStore::Mode::read_only);
  const auto trials = store.trials(store.experiments().front().id);
  REQUIRE(trials.size() == 5);
  for (const TrialRecord& trial : trials) {
    INFO(trial.accelerator << ": " << trial.reason);
    REQUIRE(trial.state == TrialStatus::complete);
    CHECK(trial.values.at("macs") == 774464.0);  // the ONNX network's, counted by hand above
  }
  // A bad file is a config error naming the key, before the run.
  const std::string bad = dir.write(
      "bad.yaml", "name: bad\nspace: {name: systolic_hw}\nstrategy: random\n"
                  "evaluators: [{name: hw, options: {onnx: missing.onnx}}]\n"
                  "objectives: [{metric: latency_ms, direction: minimize}]\nbudget: {trials: 1}\n");
  const CommandResult refused =
      run_tandem("run " + shell_quote(bad) + " --db " + shell_quote(dir.file("b.db")));
  CHECK(refused.exit_code == 1);
  CHECK(refused.lines().size() == 1);
  CHECK(refused.output.find("bad.yaml:4:") != std::string::npos);
  CHECK(refused.output.find("missing.onnx: cannot open the ONNX file") != std::string::npos);
}
