// The PyTorch export checked against PyTorch itself: for a network of each shipped space that
// lowers to one (NB201 and DARTS cells, MobileNet blocks with depthwise convolutions, an MLP),
// tandem writes the module and its seeded weights, python3-torch imports the module, loads the
// weights through build(), and runs the same input. Its outputs must match tandem's own forward
// pass within 1e-4, in eval mode (running statistics) and in training mode (batch statistics);
// its parameter count must equal tandem's. Skipped, with the reason printed, only where python3
// cannot import torch (CI installs python3-torch).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <fstream>

#include "core/rng.hpp"
#include "spaces/search_space.hpp"
#include "tests/experiments/cli_harness.hpp"
#include "trainers/network.hpp"
#include "trainers/pytorch_export.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

void write_floats(const std::string& path, const Tensor& tensor) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(tensor.data()),
            static_cast<std::streamsize>(tensor.numel() * 4));
}

// Runs the exported module on input.bin in `dir` and prints "MAXDIFF eval train PARAMS".
const char* const kCompare = R"(import sys, torch
sys.path.insert(0, sys.argv[1])
import exported
torch.set_num_threads(1)
model = exported.build().double()
n = int(sys.argv[2])
def read(name):
    data = bytearray(open(sys.argv[1] + "/" + name, "rb").read())
    return torch.frombuffer(data, dtype=torch.float32).double()
x = read("input.bin").reshape((n,) + exported.INPUT_SHAPE)
model.eval()
with torch.no_grad():
    eval_out = model(x).reshape(-1)
model.train()
with torch.no_grad():
    train_out = model(x).reshape(-1)
want_eval, want_train = read("eval.bin"), read("train.bin")
scale = max(1.0, want_eval.abs().max().item())
print("MAXDIFF %.3g %.3g %d" % ((eval_out - want_eval).abs().max().item() / scale,
                                (train_out - want_train).abs().max().item() / max(1.0, want_train.abs().max().item()),
                                sum(p.numel() for p in model.parameters())))
)";

struct Checked {
  double eval_difference = 1;
  double train_difference = 1;
  long long params = 0;
};

// `n` samples: batch-norm statistics in training mode are taken over n x H x W values, which must
// not be so few that float32 rounding, divided by a tiny batch deviation, decides the comparison.
Checked export_and_compare(const std::string& space_name, const std::string& options, int n = 4) {
  auto space = space_registry().create(space_name, ConfigNode::parse(options, "space.yaml"));
  Rng rng(11);
  const Candidate candidate = space->sample(rng);
  INFO(space_name << " " << space->to_string(candidate));
  const ComputeGraph graph = space->to_graph(candidate);
  NetworkOptions network_options;
  network_options.seed = 5;
  network_options.threads = 1;
  Network network(graph, network_options);

  TempDir dir;
  PytorchExportOptions export_options;
  export_options.header = {"test export of " + space_name};
  export_options.weights_file = "exported.weights";
  std::ofstream(dir.file("exported.py"))
      << pytorch_module_source(graph, &network.parameters(), export_options);
  write_pytorch_weights(dir.file("exported.weights"), graph, network.parameters());

  const TensorShape shape = network.input_shape();
  Tensor input({n, shape.channels, shape.height, shape.width});
  for (float& value : input.values()) value = static_cast<float>(rng.uniform() * 2 - 1);
  write_floats(dir.file("input.bin"), input);
  write_floats(dir.file("eval.bin"), network.predict(input));
  write_floats(dir.file("train.bin"), network.forward(input, /*training=*/true).value());
  dir.write("compare.py", kCompare);

  const CommandResult result = run_shell("python3 " + shell_quote(dir.file("compare.py")) + " " +
                                         shell_quote(dir.file("")) + " " + std::to_string(n) +
                                         " 2>&1");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  Checked checked;
  char tag[16];
  REQUIRE_MESSAGE(std::sscanf(result.output.c_str(), "%15s %lf %lf %lld", tag,
                              &checked.eval_difference, &checked.train_difference,
                              &checked.params) == 4,
                  result.output);
  CHECK(checked.params == graph.total_params());
  MESSAGE(space_name << ": largest difference " << checked.eval_difference << " (eval), "
                     << checked.train_difference << " (training), " << checked.params
                     << " parameters");
  return checked;
}

bool torch_available() {
  if (run_shell("python3 -c 'import torch' 2>&1").exit_code == 0) return true;
  MESSAGE("skipped: python3 cannot import torch (apt-get install python3-torch)");
  return false;
}

}  // namespace

TEST_CASE("pytorch export: NB201 and DARTS cells compute what tandem computes") {
  if (!torch_available()) return;
  for (const auto& c : std::vector<std::pair<std::string, std::string>>{
           {"nb201", "{input_shape: [3, 16, 16], width: 8, cells_per_stage: 1}"},
           {"darts", "{input_shape: [3, 16, 16], width: 8, cells_per_stage: 1}"}}) {
    const Checked checked = export_and_compare(c.first, c.second);
    CHECK_MESSAGE(checked.eval_difference < 1e-4, c.first);
    CHECK_MESSAGE(checked.train_difference < 1e-4, c.first);
  }
}

TEST_CASE("pytorch export: MobileNet blocks and an MLP compute what tandem computes") {
  if (!torch_available()) return;
  // MobileNet's last stages are 2x2 at 64x64 input: 8 samples give 32 values per statistic.
  for (const auto& c : std::vector<std::pair<std::string, std::string>>{
           {"mobilenet", "{input_shape: [3, 64, 64], width_multiplier: 0.25}"}, {"mlp", "{}"}}) {
    const Checked checked = export_and_compare(c.first, c.second, 8);
    CHECK_MESSAGE(checked.eval_difference < 1e-4, c.first);
    CHECK_MESSAGE(checked.train_difference < 1e-4, c.first);
  }
}

TEST_CASE("pytorch export: state-dict keys of tandem's parameter names") {
  ComputeGraph graph;
  const LayerId in = graph.add_input("in", {3, 8, 8});
  const LayerId conv = graph.conv2d("cells.0.edge 1<-0.conv", in, 4, 3, 1, 1);
  graph.linear("classifier", graph.global_avg_pool("pool", conv), 10);
  CHECK(pytorch_state_key(graph, "cells.0.edge 1<-0.conv.weight") ==
        "layers.cells_0_edge_1__0_conv.weight");
  CHECK(pytorch_state_key(graph, "classifier.bias") == "layers.classifier.bias");
  CHECK_THROWS_WITH(pytorch_state_key(graph, "nothing.weight"),
                    "no layer of the network holds 'nothing.weight'");
  // The source names every layer and its op, and builds with no arguments.
  const std::string source = pytorch_module_source(graph, nullptr, PytorchExportOptions{});
  CHECK(source.find("class TandemNet(nn.Module):") != std::string::npos);
  CHECK(source.find("self.layers[\"cells_0_edge_1__0_conv\"] = nn.Conv2d(3, 4, (3, 3), stride=1, "
                    "padding=1, dilation=1, groups=1, bias=False)") != std::string::npos);
  CHECK(source.find("nn.Linear(4, 10, bias=True)") != std::string::npos);
  CHECK(source.find("def build():\n    model = TandemNet()\n    return model\n") !=
        std::string::npos);
}
