// `tandem proxy`, the `proxy` evaluator and `tandem bench proxies`: one `proxy value` line per
// proxy (params and flops checked against the NAS-Bench-201 table), the evaluator's metrics equal to
// the scorer's, a `tandem run` that stores proxy metrics, and one-line errors for bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>

#include "tests/experiments/cli_harness.hpp"
#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "experiments/runner/experiment.hpp"
#include "predictors/zero_cost_batch.hpp"
#include "trainers/dataset_reader.hpp"

using namespace tandem;

namespace {

const std::string kArch =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

std::string digits() { return std::string(TANDEM_SOURCE_DIR) + "/data/uci-digits/digits.csv.gz"; }

std::unique_ptr<Evaluator> make_proxy(const SearchSpace& space, const std::string& options) {
  const ConfigNode node = ConfigNode::parse(options, "exp.yaml");
  EvaluatorContext context{space, node, 3, TANDEM_SOURCE_DIR, ""};
  return evaluator_registry().create("proxy", context);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("tandem proxy prints one line per proxy, params and flops as NAS-Bench-201 counts them") {
  const auto run = testing::run_tandem("proxy --space nb201 --arch '" + kArch +
                                       "' --proxies params,flops,synflow");
  CAPTURE(run.output);
  REQUIRE(run.exit_code == 0);
  const auto lines = run.lines();
  REQUIRE(lines.size() == 3);
  // Index 1 of the NB201 table: params_M_c10 0.802426, flops_M_c10 113.95137 (MACs plus one per
  // class for the classifier bias, which `flops` does not count).
  const CsvTable table =
      CsvTable::read(std::string(TANDEM_SOURCE_DIR) + "/data/nas-bench-201/nb201_accuracy_cost.csv");
  REQUIRE(table.row(1)[table.require_column("arch_str")] == kArch);
  const double params = std::stod(table.row(1)[table.require_column("params_M_c10")]) * 1e6;
  const double flops = std::stod(table.row(1)[table.require_column("flops_M_c10")]) * 1e6 - 10;
  CHECK(lines[0] == "params " + std::to_string(static_cast<long long>(std::llround(params))));
  CHECK(lines[1] == "flops " + std::to_string(static_cast<long long>(std::llround(flops))));
  REQUIRE(lines[2].rfind("synflow ", 0) == 0);
  CHECK(std::stod(lines[2].substr(8)) > 1e30);  // e^70..e^90 for NB201 cells
}

TEST_CASE("tandem proxy scores data proxies on a dataset batch, reproducibly") {
  const std::string args = "proxy --space mlp --arch 64:relu --dataset '" + digits() +
                           "' --batch 16 --seed 4 --proxies snip,naswot,jacov,fisher,grasp";
  const auto first = testing::run_tandem(args);
  CAPTURE(first.output);
  REQUIRE(first.exit_code == 0);
  const auto lines = first.lines();
  REQUIRE(lines.size() == 5);
  const char* names[] = {"snip ", "naswot ", "jacov ", "fisher ", "grasp "};
  for (int i = 0; i < 5; ++i) {
    REQUIRE(lines[i].rfind(names[i], 0) == 0);
    CHECK(std::isfinite(std::stod(lines[i].substr(std::string(names[i]).size()))));
  }
  CHECK(testing::run_tandem(args).output == first.output);
  CHECK(testing::run_tandem("proxy --space mlp --arch 64:relu --dataset '" + digits() +
                            "' --batch 16 --seed 5 --proxies snip")
            .output != lines[0] + "\n");
}

TEST_CASE("tandem proxy: bad input is one line naming what is wrong") {
  auto error = [](const std::string& args) {
    const auto run = testing::run_tandem(args);
    CHECK(run.exit_code != 0);
    CHECK(run.lines().size() == 1);
    return run.output;
  };
  CHECK(error("proxy --space nb201 --arch '" + kArch + "' --proxies synflo") ==
        "tandem proxy: error: unknown zero-cost proxy 'synflo' (did you mean 'synflow'?); "
        "accepted: params, flops, grad_norm, snip, grasp, fisher, synflow, jacov, naswot\n");
  CHECK(error("proxy --space nb201 --arch '" + kArch + "' --proxies snip") ==
        "tandem proxy: error: zero-cost proxy 'snip' needs a minibatch of data (give a dataset); "
        "only params, flops and synflow work without data\n");
  CHECK(error("proxy --space mlp --arch 64:relu --dataset '" + digits() +
              "' --batch 1 --proxies naswot") ==
        "tandem proxy: error: zero-cost proxy 'naswot' needs a batch of at least 2 samples (it "
        "compares samples), got 1\n");
  CHECK(error("proxy --space nb201 --arch '" + kArch + "' --proxies params --input-shape 3,32") ==
        "tandem proxy: error: tandem proxy: --input-shape '3,32': expected C,H,W with each in "
        "1..4096, e.g. 3,32,32\n");
  CHECK(error("proxy --space nb201 --proxies params").find("missing --arch") != std::string::npos);
}

TEST_CASE("proxy evaluator: metrics named after the proxies, equal to the scorer's values") {
  auto space = space_registry().create("nb201", ConfigNode::parse("{width: 4, cells_per_stage: 1}",
                                                                  "space.yaml"));
  auto evaluator = make_proxy(*space, "proxies: [naswot, synflow, params]\ndataset: digits\n"
                                      "path: data/uci-digits/digits.csv.gz\nbatch_size: 8\n"
                                      "input_shape: [3, 16, 16]\nthreads: 1\n");
  CHECK(evaluator->metric_names() == std::vector<std::string>{"naswot", "params", "synflow"});
  const Candidate candidate = space->parse(kArch);
  NullReporter reporter;
  const TrialResult result = evaluator->evaluate(candidate, reporter);
  REQUIRE(result.status == TrialStatus::complete);

  // The same network (input 3x16x16, the digits' 10 classes) and batch (seed 3) scored directly.
  GraphOptions options = space->graph_options();
  options.input = {3, 16, 16};
  options.classes = 10;
  const ComputeGraph graph = space->to_graph(candidate, options);
  ZeroCostBatchOptions batching;
  batching.batch_size = 8;
  batching.seed = 3;
  const Dataset data = load_dataset("digits", digits()).train;
  const ZeroCostBatch batch = make_zero_cost_batch(data, {3, 16, 16}, batching);
  ZeroCostScorer scorer(graph, {3, 1});
  const Metrics expected = scorer.score({"naswot", "synflow", "params"}, &batch);
  CHECK(result.metrics == expected);
  CHECK(result.metrics.at("params") == graph.total_params());
}

TEST_CASE("proxy evaluator: configuration errors name the key, the value and what is accepted") {
  auto space = space_registry().create("nb201", ConfigNode());
  CHECK(error_of([&] { make_proxy(*space, "proxies: [snp]\n"); }) ==
        "exp.yaml:1:10: 'proxies': unknown zero-cost proxy 'snp' (did you mean 'snip'?); "
        "accepted: params, flops, grad_norm, snip, grasp, fisher, synflow, jacov, naswot");
  CHECK(error_of([&] { make_proxy(*space, "proxies: [synflow, jacov]\n"); })
            .find("'proxies': proxy 'jacov' needs a minibatch: add `dataset:`") != std::string::npos);
  CHECK(error_of([&] { make_proxy(*space, "proxies: naswot\ndataset: digits\nbatch_size: 1\n"); })
            .find("'batch_size': batch_size 1: proxy 'naswot' compares samples and needs at least 2") !=
        std::string::npos);
  CHECK(error_of([&] { make_proxy(*space, "dataset: digits\n"); })
            .find("missing key 'proxies'") != std::string::npos);
  CHECK(error_of([&] { make_proxy(*space, "proxies: [params]\nfit: crop\n"); })
            .find("'fit'") != std::string::npos);
}

TEST_CASE("tandem run with the proxy evaluator stores proxy metrics, bench proxies prints rho") {
  testing::TempDir dir;
  const std::string config = dir.write(
      "proxy.yaml",
      "name: proxy-nb201\nseed: 2\n"
      "space: {name: nb201, options: {width: 4, cells_per_stage: 1}}\n"
      "strategy: random\n"
      "evaluators:\n  - name: proxy\n    options: {proxies: [synflow, params]}\n"
      "objectives: [{metric: synflow, direction: maximize}]\n"
      "budget: {trials: 3}\n");
  const std::string db = dir.file("proxy.db");
  const auto run = testing::run_tandem("run '" + config + "' --db '" + db + "' --quiet");
  CAPTURE(run.output);
  REQUIRE(run.exit_code == 0);
  const auto query = testing::run_tandem(
      "query '" + db + "' \"SELECT COUNT(*) FROM trial_values WHERE name = 'synflow'\" --format csv");
  CHECK(query.output.find("\n3") != std::string::npos);

  // Every 100th CIFAR-10 row (8 cells): params rank exactly as NASLib's.
  const auto bench = testing::run_tandem("bench proxies --tasks cifar10 --every 100 --proxies params "
                                         "--zc '" + std::string(TANDEM_SOURCE_DIR) +
                                         "/data/nas-bench-suite-zero/zc_nasbench201.csv' --table '" +
                                         TANDEM_SOURCE_DIR +
                                         "/data/nas-bench-201/nb201_accuracy_cost.csv'",
                                         /*stderr_only=*/false);
  CAPTURE(bench.output);
  REQUIRE(bench.exit_code == 0);
  CHECK(bench.output.find("cifar10         params         8             1.000") !=
        std::string::npos);
}
