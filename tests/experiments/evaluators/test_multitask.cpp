// Multi-task evaluation (NASAIC-style): the table evaluator's `task:` and `prefix:` options and
// the hw evaluator's multi-network costing on heterogeneous and single accelerators.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/config_node.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "experiments/runner/experiment.hpp"
#include "hwmodels/cost_model.hpp"
#include "hwmodels/heterogeneous_model.hpp"
#include "hwmodels/workload.hpp"

using namespace tandem;

namespace {

std::unique_ptr<Evaluator> make(const std::string& name, const SearchSpace& space,
                                const std::string& options) {
  const ConfigNode node = ConfigNode::parse(options, "exp.yaml");
  EvaluatorContext context{space, node, 0, TANDEM_SOURCE_DIR, ""};
  return evaluator_registry().create(name, context);
}

std::unique_ptr<SearchSpace> two_tasks(const std::string& accelerator) {
  return space_registry().create(
      "multitask", ConfigNode::parse("tasks:\n"
                                     "  - {name: cifar10, space: nb201}\n"
                                     "  - {name: cifar100, space: nb201, options: {classes: 100}}\n"
                                     "accelerator: " + accelerator + "\n",
                                     "s.yaml"));
}

// NB201 row 0 of data/nas-bench-201/nb201_accuracy_cost.csv:
//   0: |avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|
//      c10valid_val_acc_12ep 63.364000, c100_val_acc_12ep 31.840000
const std::string kCell0 =
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|"
    "skip_connect~2|";
const std::string kCellConv =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|"
    "nor_conv_3x3~2|";
const std::string kTable = "path: data/nas-bench-201/nb201_accuracy_cost.csv\n";

}  // namespace

TEST_CASE("table evaluator: task and prefix look up one task's cell") {
  auto space = two_tasks("{space: heterogeneous_hw}");
  Rng rng(0);
  const std::string sample = space->to_string(space->sample(rng));
  const std::string hw_text = sample.substr(sample.rfind(" @ "));
  const Candidate c = space->parse(kCell0 + " ; " + kCellConv + hw_text);
  auto c10 = make("table", *space,
                  kTable + "task: cifar10\nmetrics: [c10valid_val_acc_12ep]\nprefix: cifar10.\n");
  CHECK(c10->metric_names() == std::vector<std::string>{"cifar10.c10valid_val_acc_12ep"});
  NullReporter reporter;
  TrialResult r10 = c10->evaluate(c, reporter);
  REQUIRE(r10.status == TrialStatus::complete);
  CHECK(r10.metrics.at("cifar10.c10valid_val_acc_12ep") == doctest::Approx(63.364));
  // The cifar100 task looks up its own cell: swap the cells and ask for task cifar100.
  auto c100 = make("table", *space,
                   kTable + "task: cifar100\nmetrics: [c100_val_acc_12ep]\nprefix: cifar100.\n");
  const Candidate swapped = space->parse(kCellConv + " ; " + kCell0 + hw_text);
  TrialResult r100 = c100->evaluate(swapped, reporter);
  REQUIRE(r100.status == TrialStatus::complete);
  CHECK(r100.metrics.at("cifar100.c100_val_acc_12ep") == doctest::Approx(31.84));
  CHECK_FALSE(r100.metrics.has("c100_val_acc_12ep"));
}

TEST_CASE("table evaluator: bad task options are one-line errors") {
  auto space = two_tasks("{space: heterogeneous_hw}");
  auto check_one_line = [&](const std::string& options, const std::string& expected) {
    try {
      make("table", *space, options);
      FAIL("expected a ConfigError for " << options);
    } catch (const ConfigError& error) {
      const std::string message = error.what();
      CHECK(message.find(expected) != std::string::npos);
      CHECK(message.find("tasks: cifar10, cifar100") != std::string::npos);
      CHECK(message.find('\n') == std::string::npos);
    }
  };
  check_one_line(kTable + "task: cifar1000\n", "no task 'cifar1000'");
  check_one_line(kTable, "give `task:`");
  auto nb201 = space_registry().create("nb201", ConfigNode());
  CHECK_THROWS_WITH_AS(make("table", *nb201, kTable + "task: cifar10\n"),
                       doctest::Contains("has no tasks"), ConfigError);
  // graph_stats counts one network: a multitask space is refused before the run.
  CHECK_THROWS_WITH_AS(make("graph_stats", *space, "{}"),
                       doctest::Contains("one per task (cifar10, cifar100)"), ConfigError);
}

TEST_CASE("hw evaluator: two tasks run in parallel on a heterogeneous chip") {
  auto space = two_tasks("{space: heterogeneous_hw}");
  auto hw_eval = make("hw", *space, "{}");
  const std::vector<std::string> names = hw_eval->metric_names();
  CHECK(std::count(names.begin(), names.end(), "latency_ms.cifar10") == 1);
  CHECK(std::count(names.begin(), names.end(), "latency_ms.cifar100") == 1);
  NullReporter reporter;
  Rng rng(11);
  for (int i = 0; i < 5; ++i) {
    const Candidate c = space->sample(rng);
    const TrialResult result = hw_eval->evaluate(c, reporter);
    REQUIRE(result.metrics.has("latency_ms"));
    // Independently: the chip's own multi-network API on the two lowered networks.
    auto model = hw::create_cost_model(
        ConfigNode::parse(space->accelerator_string(c), "accelerator"));
    const auto* chip = dynamic_cast<const hw::HeterogeneousModel*>(model.get());
    REQUIRE(chip != nullptr);
    std::vector<hw::TaskWorkload> tasks;
    for (const char* task : {"cifar10", "cifar100"}) {
      const SearchSpace* network = nullptr;
      const Candidate part = space->task_candidate(c, task, &network);
      tasks.push_back({task, hw::lower_graph(network->to_graph(part), model->lowering())});
    }
    const hw::CostReport expected = chip->evaluate_tasks(tasks);
    CHECK(result.metrics.at("latency_ms") == doctest::Approx(expected.latency_ms()));
    CHECK(result.metrics.at("energy_mj") == doctest::Approx(expected.energy_mj()));
    CHECK(result.metrics.at("area_mm2") == doctest::Approx(chip->area_mm2()));
    // Per-task latency: the sum of the task's layers ("task<i>/" names).
    for (std::size_t t = 0; t < 2; ++t) {
      double seconds = 0;
      for (const auto& layer : expected.layers)
        if (layer.name.rfind("task" + std::to_string(t) + "/", 0) == 0) seconds += layer.latency_s;
      CHECK(result.metrics.at(t == 0 ? "latency_ms.cifar10" : "latency_ms.cifar100") ==
            doctest::Approx(seconds * 1e3));
    }
    // In parallel: no longer than running both, no shorter than the longer one.
    const double a = result.metrics.at("latency_ms.cifar10");
    const double b = result.metrics.at("latency_ms.cifar100");
    CHECK(result.metrics.at("latency_ms") >= std::max(a, b) * (1 - 1e-9));
    CHECK(result.metrics.at("latency_ms") <= (a + b) * (1 + 1e-9));
  }
}

TEST_CASE("hw evaluator: two tasks on one systolic array run one after another") {
  auto space = two_tasks("{space: systolic_hw}");
  auto hw_eval = make("hw", *space, "{}");
  NullReporter reporter;
  Rng rng(5);
  const Candidate c = space->sample(rng);
  const TrialResult result = hw_eval->evaluate(c, reporter);
  REQUIRE(result.metrics.has("latency_ms"));
  auto model = hw::create_cost_model(ConfigNode::parse(space->accelerator_string(c), "acc"));
  double latency = 0, energy = 0;
  for (const char* task : {"cifar10", "cifar100"}) {
    const SearchSpace* network = nullptr;
    const Candidate part = space->task_candidate(c, task, &network);
    const hw::CostReport own = model->evaluate(network->to_graph(part));
    CHECK(result.metrics.at(std::string("latency_ms.") + task) ==
          doctest::Approx(own.latency_ms()));
    latency += own.latency_ms();
    energy += own.energy_mj();
  }
  CHECK(result.metrics.at("latency_ms") == doctest::Approx(latency));
  CHECK(result.metrics.at("energy_mj") == doctest::Approx(energy));
}
