// The ONNX export checked against the other side: for a network of each shipped space that
// lowers to one (NB201 and DARTS cells, MobileNet blocks, an MLP), tandem writes the model with
// its seeded weights; the ONNX project's checker (python3-onnx, full check with shape inference)
// accepts it, and OpenCV's ONNX runtime (python3-opencv's dnn module) runs it on the same input
// as tandem's forward pass: the outputs must agree within 1e-4. (OpenCV 4.6 reads Clip only in its
// opset-6 form, so the script moves the ReLU6 bounds into attributes for OpenCV alone.) MobileNet and the MLP are also
// read back through tandem's own ONNX reader: the same MACs and parameters. Skipped, with the
// reason printed, only where python3 lacks onnx or cv2 (CI installs both).
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "core/rng.hpp"
#include "spaces/onnx_network.hpp"
#include "spaces/search_space.hpp"
#include "tests/experiments/cli_harness.hpp"
#include "trainers/network.hpp"
#include "trainers/onnx_export.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// Checks model.onnx in argv[1] and runs it on input.bin; prints "MAXDIFF d".
const char* const kRun = R"(import sys, numpy, onnx, onnx.helper, onnx.numpy_helper, cv2
folder, n = sys.argv[1], int(sys.argv[2])
model = onnx.load(folder + "/model.onnx")
onnx.checker.check_model(model, full_check=True)
dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
x = numpy.fromfile(folder + "/input.bin", dtype=numpy.float32).reshape(dims)
# OpenCV 4.6 reads Clip only in its opset-6 form (bounds as attributes): hand it that form.
constants = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
for node in model.graph.node:
    if node.op_type == "Clip" and len(node.input) == 3:
        low, high = float(constants[node.input[1]]), float(constants[node.input[2]])
        del node.input[1:]
        node.attribute.extend([onnx.helper.make_attribute("min", low),
                               onnx.helper.make_attribute("max", high)])
onnx.save(model, folder + "/for_opencv.onnx")
net = cv2.dnn.readNetFromONNX(folder + "/for_opencv.onnx")
net.setInput(x)
y = net.forward().reshape(-1).astype(numpy.float64)
want = numpy.fromfile(folder + "/want.bin", dtype=numpy.float32).astype(numpy.float64)
print("MAXDIFF %.3g" % (numpy.abs(y - want).max() / max(1.0, numpy.abs(want).max())))
)";

double export_and_run(const std::string& space_name, const ComputeGraph& graph, bool reimport) {
  Rng rng(3);
  NetworkOptions network_options;
  network_options.seed = 9;
  network_options.threads = 1;
  Network network(graph, network_options);
  // Non-trivial running statistics: one training-mode pass updates them.
  const TensorShape shape = network.input_shape();
  const int n = 2;
  Tensor warmup({8, shape.channels, shape.height, shape.width});
  for (float& value : warmup.values()) value = static_cast<float>(rng.uniform() * 2 - 1);
  network.forward(warmup, /*training=*/true);

  TempDir dir;
  OnnxExportOptions export_options;
  export_options.batch = n;
  export_options.doc = "test export of " + space_name;
  write_onnx_model(dir.file("model.onnx"), graph, network.parameters(), export_options);
  if (reimport) {
    const ComputeGraph back = read_onnx_network(dir.file("model.onnx"));
    CHECK(back.total_macs() == graph.total_macs());
    CHECK(back.total_params() == graph.total_params());
  }
  Tensor input({n, shape.channels, shape.height, shape.width});
  for (float& value : input.values()) value = static_cast<float>(rng.uniform() * 2 - 1);
  const Tensor want = network.predict(input);
  std::ofstream(dir.file("input.bin"), std::ios::binary)
      .write(reinterpret_cast<const char*>(input.data()), input.numel() * 4);
  std::ofstream(dir.file("want.bin"), std::ios::binary)
      .write(reinterpret_cast<const char*>(want.data()), want.numel() * 4);
  dir.write("run.py", kRun);
  const CommandResult result = run_shell("python3 " + shell_quote(dir.file("run.py")) + " " +
                                         shell_quote(dir.file("")) + " " + std::to_string(n) +
                                         " 2>&1");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  double difference = 1;
  REQUIRE_MESSAGE(std::sscanf(result.output.c_str(), "MAXDIFF %lf", &difference) == 1,
                  result.output);
  MESSAGE(space_name << ": largest difference from OpenCV's run " << difference);
  return difference;
}

// A sampled candidate of `space_name` (or the one `candidate` names) and its run.
double export_and_run(const std::string& space_name, const std::string& options, bool reimport,
                      const std::string& candidate = "") {
  auto space = space_registry().create(space_name, ConfigNode::parse(options, "space.yaml"));
  Rng rng(3);
  const Candidate chosen = candidate.empty() ? space->sample(rng) : space->parse(candidate);
  INFO(space_name << " " << space->to_string(chosen));
  return export_and_run(space_name, space->to_graph(chosen), reimport);
}

bool runtime_available() {
  if (run_shell("python3 -c 'import onnx, cv2' 2>&1").exit_code == 0) return true;
  MESSAGE("skipped: python3 cannot import onnx and cv2 (apt-get install python3-onnx "
          "python3-opencv)");
  return false;
}

}  // namespace

TEST_CASE("onnx export: NB201 and DARTS cells run in OpenCV as in tandem") {
  if (!runtime_available()) return;
  // A cell with every NB201 op, `none` (a zero layer) included.
  CHECK(export_and_run("nb201", "{input_shape: [3, 16, 16], width: 8, cells_per_stage: 1}", false,
                       "|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|"
                       "nor_conv_1x1~2|") < 1e-4);
  CHECK(export_and_run("darts", "{input_shape: [3, 16, 16], width: 8, cells_per_stage: 1}", false) <
        1e-4);
}

TEST_CASE("onnx export: MobileNet blocks and an MLP run in OpenCV and read back the same") {
  if (!runtime_available()) return;
  CHECK(export_and_run("mobilenet", "{input_shape: [3, 32, 32], width_multiplier: 0.25}", true) <
        1e-4);
  CHECK(export_and_run("mlp", "{}", true) < 1e-4);
}

TEST_CASE("onnx export: strided zero, channel slice and channel shuffle run in OpenCV as in tandem") {
  if (!runtime_available()) return;
  ComputeGraph graph;
  const LayerId x = graph.add_input("x", {8, 8, 8});
  const LayerId conv = graph.conv2d("conv", x, 8, 3, 2, 1);
  LayerAttributes zero;
  zero.stride = 2;
  const LayerId sum = graph.add_sum("sum", {conv, graph.add(OpKind::zero, "zero", {x}, zero)});
  LayerAttributes slice;
  slice.slice_begin = 2;
  slice.slice_end = 6;
  LayerAttributes shuffle;
  shuffle.groups = 2;
  const LayerId cat = graph.concat(
      "cat", {graph.add(OpKind::channel_slice, "slice", {sum}, slice),
              graph.add(OpKind::channel_shuffle, "shuffle", {sum}, shuffle)});
  graph.linear("fc", graph.global_avg_pool("gap", graph.relu("act", cat)), 3);
  CHECK(export_and_run("channel ops", graph, false) < 1e-4);
}

TEST_CASE("onnx export: an unwritable file is one line naming it") {
  ComputeGraph graph;
  graph.linear("fc", graph.add_input("in", {4, 1, 1}), 2);
  Network network(graph);
  CHECK_THROWS_WITH(write_onnx_model("/nonexistent-folder/m.onnx", graph, network.parameters()),
                    "/nonexistent-folder/m.onnx: cannot write the ONNX model");
}
