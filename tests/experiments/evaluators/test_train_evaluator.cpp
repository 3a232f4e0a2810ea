// The `train` evaluator and `tandem train` on the shipped UCI digits: the learning curve reported
// per epoch, accuracy in percent far above chance, reproducible trials, PRUNED when the reporter
// says stop, FAILED on divergence, the dataset's shape overriding the space's, one-line errors,
// and a real `tandem run` whose intermediate values land in the database.
#include <doctest/doctest.h>

#include <iostream>
#include <sstream>

#include "tests/experiments/cli_harness.hpp"
#include "core/error.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "experiments/runner/experiment.hpp"

namespace tandem {
int cli_train(int argc, char** argv);  // experiments/cli/cli_train.cpp
}

using namespace tandem;

namespace {

constexpr const char* kDigits = "dataset: digits\npath: data/uci-digits/digits.csv.gz\n";

std::unique_ptr<SearchSpace> mlp_space(const std::string& options = "") {
  return space_registry().create(
      "mlp", options.empty() ? ConfigNode() : ConfigNode::parse(options, "space.yaml"));
}

std::unique_ptr<Evaluator> make_train(const SearchSpace& space, const std::string& options) {
  const ConfigNode node = ConfigNode::parse(options, "exp.yaml");
  EvaluatorContext context{space, node, 5, TANDEM_SOURCE_DIR, ""};
  return evaluator_registry().create("train", context);
}

// Records every report; asks to stop once `stop_after` reports were made (0 = never).
class RecordingReporter final : public Reporter {
 public:
  explicit RecordingReporter(int stop_after = 0) : stop_after_(stop_after) {}
  void report(int step, const Metrics& values) override { reports.emplace_back(step, values); }
  bool should_stop() const override {
    return stop_after_ > 0 && static_cast<int>(reports.size()) >= stop_after_;
  }
  std::vector<std::pair<int, Metrics>> reports;

 private:
  int stop_after_;
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Runs cli_train in-process with `args`; returns stdout (errors propagate as exceptions).
std::string train_cli(std::vector<std::string> args, int* exit_code = nullptr) {
  args.insert(args.begin(), "tandem train");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream captured;
  std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
  int code = 0;
  try {
    code = cli_train(static_cast<int>(argv.size()), argv.data());
  } catch (...) {
    std::cout.rdbuf(old);
    throw;
  }
  std::cout.rdbuf(old);
  if (exit_code) *exit_code = code;
  return captured.str();
}

}  // namespace

TEST_CASE("train evaluator: learning curve per epoch and accuracy in percent far above chance") {
  auto space = mlp_space();
  auto evaluator = make_train(*space, std::string(kDigits) +
                                          "epochs: 3\nbatch_size: 32\nthreads: 1\n"
                                          "optimizer: {name: sgd, lr: 0.05, momentum: 0.9}\n"
                                          "schedule: cosine\nvalidation_split: 0.2\n");
  const Candidate candidate = space->parse("64:relu");
  RecordingReporter reporter;
  const TrialResult result = evaluator->evaluate(candidate, reporter);
  REQUIRE(result.status == TrialStatus::complete);
  for (const auto& name : evaluator->metric_names()) CHECK(result.metrics.has(name));
  CHECK(result.metrics.at("accuracy") > 80.0);  // chance is 10%
  CHECK(result.metrics.at("accuracy") <= 100.0);
  CHECK(result.metrics.at("epochs") == 3);
  CHECK(result.metrics.at("params") == 64 * 64 + 64 + 64 * 10 + 10);
  REQUIRE(reporter.reports.size() == 3);
  for (int e = 0; e < 3; ++e) {
    CHECK(reporter.reports[e].first == e + 1);
    for (const char* name : {"train_loss", "train_accuracy", "val_loss", "val_accuracy", "seconds"})
      CHECK(reporter.reports[e].second.has(name));
  }
  CHECK(reporter.reports[2].second.at("val_accuracy") == result.metrics.at("accuracy"));
  CHECK(reporter.reports[2].second.at("train_loss") < reporter.reports[0].second.at("train_loss"));

  // Same experiment seed and candidate: the same trial.
  RecordingReporter again;
  CHECK(evaluator->evaluate(candidate, again).metrics.at("loss") == result.metrics.at("loss"));
}

TEST_CASE("train evaluator: the dataset's shape and classes replace the space's") {
  // The space is configured for CIFAR-100-like inputs; training uses the digits' 1x8x8, 10 classes.
  auto space = mlp_space("input_shape: [3, 32, 32]\nclasses: 100\n");
  auto evaluator = make_train(*space, std::string(kDigits) + "epochs: 1\nthreads: 1\n");
  RecordingReporter reporter;
  const TrialResult result = evaluator->evaluate(space->parse("16:relu"), reporter);
  REQUIRE(result.status == TrialStatus::complete);
  CHECK(result.metrics.at("params") == 64 * 16 + 16 + 16 * 10 + 10);

  // `resolution` resizes the images: 4x4 inputs give a 16-input first layer.
  auto small = make_train(*space, std::string(kDigits) +
                                      "epochs: 5\nbatch_size: 32\nthreads: 1\nresolution: 4\n"
                                      "optimizer: {lr: 0.05}\n");
  const TrialResult resized = small->evaluate(space->parse("16:relu"), reporter);
  REQUIRE(resized.status == TrialStatus::complete);
  CHECK(resized.metrics.at("params") == 16 * 16 + 16 + 16 * 10 + 10);
  CHECK(resized.metrics.at("accuracy") > 60.0);  // 4x4 digits are still far above chance (10%)
}

TEST_CASE("train evaluator: PRUNED when the reporter says stop, FAILED when the loss diverges") {
  auto space = mlp_space();
  auto evaluator = make_train(*space, std::string(kDigits) + "epochs: 4\nthreads: 1\n");
  RecordingReporter stopper(2);
  const TrialResult pruned = evaluator->evaluate(space->parse("32:relu"), stopper);
  CHECK(pruned.status == TrialStatus::pruned);
  CHECK(pruned.reason == "pruned: stopped after epoch 2 of 4");
  CHECK(pruned.metrics.at("epochs") == 2);
  CHECK(pruned.metrics.has("accuracy"));

  auto wild = make_train(
      *space, std::string(kDigits) + "epochs: 2\nthreads: 1\noptimizer: {name: sgd, lr: 1000}\n");
  RecordingReporter reporter;
  const TrialResult failed = wild->evaluate(space->parse("64-64:relu"), reporter);
  CHECK(failed.status == TrialStatus::failed);
  CHECK(failed.reason.find("loss diverged (") == 0);
  CHECK(failed.reason.find(") at epoch ") != std::string::npos);
}

TEST_CASE("train evaluator: configuration errors name the key, the value and what is accepted") {
  auto space = mlp_space();
  CHECK(error_of([&] { make_train(*space, "dataset: mnsit\n"); }) ==
        "exp.yaml:1:10: 'dataset': unknown dataset 'mnsit' (did you mean 'mnist'?) (no such name, "
        "file or folder); accepted names: digits, mnist, fashion_mnist, cifar10, cifar100, or a "
        "path to a CSV file or a dataset folder");
  CHECK(error_of([&] {
          make_train(*space, std::string(kDigits) + "optimizer: adamm\n");
        }).find("unknown optimizer 'adamm' (did you mean 'adam'?); accepted: sgd, adam, adamw") !=
        std::string::npos);
  CHECK(error_of([&] {
          make_train(*space, std::string(kDigits) + "epoch: 3\n");
        }).find("unknown key 'epoch'") != std::string::npos);
  CHECK(error_of([&] {
          make_train(*space, "dataset: digits\nvalidation_split: 0\n");
        }).find("dataset 'digits' has no test set") != std::string::npos);
}

TEST_CASE("tandem train: per-epoch lines and final metrics, and one-line errors for bad input") {
  const std::string data = std::string(TANDEM_SOURCE_DIR) + "/data/uci-digits/digits.csv.gz";
  const std::string out =
      train_cli({"--space", "mlp", "--arch", "64:relu", "--dataset", data, "--epochs", "2", "--lr",
                 "0.05", "--threads", "1", "--seed", "3"});
  CHECK(out.find("epoch  train_loss") != std::string::npos);
  CHECK(out.find("\n1      ") != std::string::npos);
  CHECK(out.find("\n2      ") != std::string::npos);
  CHECK(out.find("final: accuracy ") != std::string::npos);
  const double accuracy = std::stod(out.substr(out.find("final: accuracy ") + 16));
  CHECK(accuracy > 80.0);

  CHECK(error_of([] {
          train_cli({"--space", "mlp", "--arch", "64:relu", "--dataset", "mnsit"});
        }).find("unknown dataset 'mnsit' (did you mean 'mnist'?)") == 0);
  CHECK(error_of([&] {
          train_cli({"--workload", "lenet", "--dataset", data});
        }).find("lenet cannot take ") == 0);
  CHECK(error_of([&] {
          train_cli({"--workload", "resnet", "--dataset", data});
        }) == "tandem train: unknown workload 'resnet'; accepted: lenet");

  testing::TempDir dir;
  const std::string corrupt = dir.write("bad.csv", "1,2,3,0\n4,5,x,1\n");
  CHECK(error_of([&] {
          train_cli({"--space", "mlp", "--arch", "16:relu", "--dataset", corrupt});
        }) == corrupt + ":2: column 2 holds 'x', expected a number");
}

TEST_CASE("tandem run with the train evaluator stores the learning curve") {
  testing::TempDir dir;
  const std::string config =
      dir.write("train.yaml",
                std::string("name: train-digits\nseed: 1\n"
                            "space: {name: mlp, options: {max_layers: 1, widths: [16, 32]}}\n"
                            "strategy: random\n"
                            "evaluators:\n  - name: train\n    options: {dataset: digits, path: ") +
                    TANDEM_SOURCE_DIR +
                    "/data/uci-digits/digits.csv.gz, epochs: 2, threads: 1, "
                    "optimizer: {lr: 0.05}}\n"
                    "objectives: [{metric: accuracy, direction: maximize}]\n"
                    "budget: {trials: 2}\n");
  const std::string db = dir.file("train.db");
  const auto run = testing::run_tandem("run '" + config + "' --db '" + db + "' --quiet");
  CAPTURE(run.output);
  REQUIRE(run.exit_code == 0);
  const auto query = testing::run_tandem(
      "query '" + db +
      "' \"SELECT COUNT(*) AS n, MIN(step) AS first, MAX(step) AS last FROM intermediate_values "
      "WHERE name = 'val_accuracy'\" --format csv");
  CAPTURE(query.output);
  CHECK(query.output.find("4,1,2") != std::string::npos);  // 2 trials x 2 epochs
  const auto best =
      testing::run_tandem("query '" + db +
                          "' \"SELECT COUNT(*) FROM trial_values WHERE name = 'accuracy' AND "
                          "value > 50\" --format csv");
  CHECK(best.output.find("\n2") != std::string::npos);
}
