// `tandem export DB TRIAL --format pytorch`: the module it writes for a trial of a real run is
// imported by python3-torch, built with no arguments, and runs a batch of the space's input shape
// to one logit per class; its parameter count is tandem's for the trial's network. Bad input is
// one line. (The numerical agreement of the exported code with tandem's forward pass is
// tests/trainers/test_pytorch_export.cpp.)
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include "db/trial_store.hpp"
#include "spaces/search_space.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

TEST_CASE("export cli: a trial's network as a PyTorch module that builds and runs") {
  TempDir dir;
  const std::string config = dir.write(
      "e.yaml", "name: e\nseed: 2\nspace: {name: nb201, options: {width: 8, cells_per_stage: 1}}\n"
                "strategy: random\nevaluators:\n  - name: table\n    options:\n      path: " +
                    source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv\n"
                "      metrics: [c10valid_val_acc_12ep]\n"
                "objectives: [{metric: c10valid_val_acc_12ep, direction: maximize}]\n"
                "budget: {trials: 3}\n");
  const std::string db = dir.file("e.db");
  REQUIRE(run_tandem("run " + shell_quote(config) + " --db " + shell_quote(db) + " --quiet")
              .exit_code == 0);
  const std::string module = dir.file("best.py");
  const CommandResult exported =
      run_tandem("export " + shell_quote(db) + " 1 --format pytorch -o " + shell_quote(module));
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.output);

  TrialStore store(db, TrialStore::Mode::read_only);
  const auto trial = store.trial(store.experiments().front().id, 1);
  REQUIRE(trial);
  auto space = space_registry().create(
      "nb201", ConfigNode::parse("{width: 8, cells_per_stage: 1}", "s.yaml"));
  const long long params = space->to_graph(space->parse(trial->candidate)).total_params();
  CHECK(exported.output == "wrote " + module + ": class TandemNet, " +
                               std::to_string(space->to_graph(space->parse(trial->candidate)).size()) +
                               " layers, " + std::to_string(params) + " parameters, input 3x32x32\n");
  const std::string source = fingerprint(module);
  CHECK(source.find("# Trial #1 of experiment 'e' (COMPLETE), space nb201:\n# " +
                    trial->candidate + "\n") == 0);

  if (run_shell("python3 -c 'import torch' 2>&1").exit_code != 0) {
    MESSAGE("skipped running the module: python3 cannot import torch");
    return;
  }
  const CommandResult ran = run_shell(
      "cd " + shell_quote(dir.file("")) + " && python3 -c " +
      shell_quote("import torch, best\nm = best.build()\n"
                  "y = m(torch.zeros((2,) + best.INPUT_SHAPE))\n"
                  "print(tuple(y.shape), sum(p.numel() for p in m.parameters()))") +
      " 2>&1");
  REQUIRE_MESSAGE(ran.exit_code == 0, ran.output);
  CHECK(ran.output == "(2, 10) " + std::to_string(params) + "\n");
}

TEST_CASE("export cli: a trial's network as an ONNX model that passes the ONNX checker") {
  TempDir dir;
  const std::string config = dir.write(
      "e.yaml", "name: e\nseed: 4\nspace: {name: mobilenet, options: {width_multiplier: 0.25}}\n"
                "strategy: random\nevaluators: [{name: graph_stats}]\n"
                "objectives: [{metric: params, direction: minimize}]\nbudget: {trials: 2}\n");
  const std::string db = dir.file("e.db");
  REQUIRE(run_tandem("run " + shell_quote(config) + " --db " + shell_quote(db) + " --quiet")
              .exit_code == 0);
  const std::string model = dir.file("m.onnx");
  const CommandResult exported = run_tandem("export " + shell_quote(db) + " 1 --format onnx -o " +
                                            shell_quote(model) + " --batch 2");
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.output);
  CHECK(exported.output.find("wrote " + model + ": ONNX opset 13, ") == 0);
  CHECK(exported.output.find("(initial weights), input 2x3x224x224\n") != std::string::npos);
  if (run_shell("python3 -c 'import onnx' 2>&1").exit_code != 0) {
    MESSAGE("skipped the ONNX checker: python3 cannot import onnx");
    return;
  }
  const CommandResult checked = run_shell(
      "python3 -c " +
      shell_quote("import onnx, sys\nm = onnx.load(sys.argv[1])\n"
                  "onnx.checker.check_model(m, full_check=True)\n"
                  "print([d.dim_value for d in m.graph.output[0].type.tensor_type.shape.dim])") +
      " " + shell_quote(model) + " 2>&1");
  REQUIRE_MESSAGE(checked.exit_code == 0, checked.output);
  CHECK(checked.output == "[2, 1000]\n");
}

TEST_CASE("export cli: weights a train evaluator kept go out with the network, trained") {
  TempDir dir;
  const std::string config = dir.write(
      "e.yaml", "name: kept\nseed: 5\nspace: {name: mlp, options: {max_layers: 1}}\n"
                "strategy: random\nevaluators:\n  - name: train\n    options: {dataset: digits, "
                "path: " + source_dir() + "/data/uci-digits/digits.csv.gz, epochs: 8, "
                "batch_size: 32, threads: 1, keep_weights: true}\n"
                "objectives: [{metric: accuracy, direction: maximize}]\nbudget: {trials: 1}\n");
  const std::string db = dir.file("kept.db");
  REQUIRE(run_tandem("run " + shell_quote(config) + " --db " + shell_quote(db) + " --quiet")
              .exit_code == 0);
  CHECK(std::filesystem::exists(dir.file("tandem-trials/kept/trial-0/weights.bin")));
  const CommandResult exported = run_tandem("export " + shell_quote(db) + " 0 -o " +
                                            shell_quote(dir.file("digits_net.py")));
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.output);
  CHECK(exported.output.find("(trained weights in digits_net.weights), input 1x8x8\n") !=
        std::string::npos);
  // Weights that are not there, or not this network's, are one line naming the file.
  std::filesystem::create_directories(dir.file("empty"));
  const CommandResult missing = run_tandem("export " + shell_quote(db) + " 0 --weights " +
                                           shell_quote(dir.file("empty")) + " -o " +
                                           shell_quote(dir.file("x.py")));
  CHECK(missing.exit_code == 1);
  CHECK(missing.lines().size() == 1);
  CHECK(missing.output.find(dir.file("empty") +
                            "/network.txt: cannot open it (no weights were kept there)") !=
        std::string::npos);
  std::filesystem::copy(dir.file("tandem-trials/kept/trial-0"), dir.file("cut"));
  const std::string weights = fingerprint(dir.file("cut/weights.bin"));
  dir.write("cut/weights.bin", weights.substr(0, weights.size() - 4));
  const CommandResult cut = run_tandem("export " + shell_quote(db) + " 0 --weights " +
                                       shell_quote(dir.file("cut")) + " -o " +
                                       shell_quote(dir.file("x.py")));
  CHECK(cut.exit_code == 1);
  CHECK(cut.lines().size() == 1);
  CHECK(cut.output.find("weights.bin: " + std::to_string(weights.size() - 4) +
                        " bytes, but the network's") != std::string::npos);
  CHECK(cut.output.find("(weights of another network?)") != std::string::npos);
  const CommandResult onnx = run_tandem("export " + shell_quote(db) + " 0 --format onnx -o " +
                                        shell_quote(dir.file("digits_net.onnx")) + " --batch 1797");
  REQUIRE_MESSAGE(onnx.exit_code == 0, onnx.output);
  CHECK(onnx.output.find("(trained weights), input 1797x1x8x8\n") != std::string::npos);
  if (run_shell("python3 -c 'import torch, cv2, onnx' 2>&1").exit_code != 0) {
    MESSAGE("skipped running the exports: python3 cannot import torch, cv2 and onnx");
    return;
  }
  // Both exports classify the 1,797 digits (normalised as the trainer does, by the pixels' mean
  // and standard deviation) far above the 10% of an untrained network.
  const CommandResult ran = run_shell(
      "cd " + shell_quote(dir.file("")) + " && python3 -c " +
      shell_quote("import gzip, sys, numpy, torch, cv2, digits_net\n"
                  "rows = numpy.loadtxt(gzip.open(sys.argv[1]), delimiter=',', dtype=numpy.float32)\n"
                  "x, y = rows[:, :64], rows[:, 64].astype(int)\n"
                  "x = ((x - x.mean()) / x.std()).reshape(-1, 1, 8, 8)\n"
                  "m = digits_net.build().eval()\n"
                  "a = (m(torch.from_numpy(x)).argmax(1).numpy() == y).mean()\n"
                  "import onnx, onnx.helper, onnx.numpy_helper\n"
                  "g = onnx.load('digits_net.onnx')\n"
                  "k = {t.name: onnx.numpy_helper.to_array(t) for t in g.graph.initializer}\n"
                  "for n in g.graph.node:\n"  // OpenCV 4.6 reads Clip bounds as attributes only
                  "    if n.op_type == 'Clip':\n"
                  "        lo, hi = float(k[n.input[1]]), float(k[n.input[2]])\n"
                  "        del n.input[1:]\n"
                  "        n.attribute.extend([onnx.helper.make_attribute('min', lo),\n"
                  "                            onnx.helper.make_attribute('max', hi)])\n"
                  "onnx.save(g, 'for_opencv.onnx')\n"
                  "net = cv2.dnn.readNetFromONNX('for_opencv.onnx')\n"
                  "net.setInput(x)\n"
                  "b = (net.forward().argmax(1) == y).mean()\n"
                  "print('%.3f %.3f' % (a, b))") +
      " " + shell_quote(source_dir() + "/data/uci-digits/digits.csv.gz") + " 2>&1");
  REQUIRE_MESSAGE(ran.exit_code == 0, ran.output);
  double pytorch_accuracy = 0, onnx_accuracy = 0;
  REQUIRE(std::sscanf(ran.output.c_str(), "%lf %lf", &pytorch_accuracy, &onnx_accuracy) == 2);
  MESSAGE("exported digits MLP: accuracy " << pytorch_accuracy << " (PyTorch), " << onnx_accuracy
                                           << " (ONNX in OpenCV)");
  CHECK(pytorch_accuracy > 0.8);
  CHECK(onnx_accuracy == doctest::Approx(pytorch_accuracy).epsilon(0.01));
}

TEST_CASE("export cli: bad input is one line") {
  TempDir dir;
  const std::string config = dir.write(
      "e.yaml", "name: e\nspace: {name: nb201}\nstrategy: random\nevaluators: [{name: graph_stats}]\n"
                "objectives: [{metric: params, direction: minimize}]\nbudget: {trials: 1}\n");
  const std::string db = dir.file("e.db");
  REQUIRE(run_tandem("run " + shell_quote(config) + " --db " + shell_quote(db) + " --quiet")
              .exit_code == 0);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"export " + shell_quote(db) + " 4", "experiment 'e' has no trial #4 (it has 1)"},
      {"export " + shell_quote(db) + " x", "TRIAL 'x': expected a trial number >= 0"},
      {"export " + shell_quote(db) + " 0 --format keras",
       "--format 'keras': expected pytorch or onnx"},
      {"export " + shell_quote(db) + " 0 --format onnx --batch 0",
       "--batch 0: expected an integer in [1, 65536]"},
      {"export " + shell_quote(db) + " 0 -o " + shell_quote(dir.file("no/such/dir/m.py")),
       "cannot write the module"},
      {"export " + shell_quote(dir.file("missing.db")) + " 0", "missing.db"},
  };
  for (const auto& c : cases) {  // no structured binding: clang 14 cannot capture one
    const CommandResult result = run_tandem(c.first);
    CHECK_MESSAGE(result.exit_code != 0, c.first);
    CHECK_MESSAGE(result.output.find(c.second) != std::string::npos, result.output);
    CHECK_MESSAGE(result.lines().size() == 1, result.output);
  }
}
