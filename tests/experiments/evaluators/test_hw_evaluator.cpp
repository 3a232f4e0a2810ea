// The `hw` evaluator and the HW-NAS-Bench sanity anchor: metrics of a joint candidate on its own
// accelerator, INFEASIBLE layers, config errors before the run, and the Spearman rank correlation
// of our Eyeriss latency with HW-NAS-Bench's Eyeriss latency over NAS-Bench-201 cells.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

#include "core/csv_reader.hpp"
#include "core/text.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "experiments/runner/experiment.hpp"
#include "hwmodels/cost_model.hpp"

using namespace tandem;

namespace {

std::unique_ptr<Evaluator> make_hw(const SearchSpace& space, const std::string& options) {
  const ConfigNode node = options.empty() ? ConfigNode() : ConfigNode::parse(options, "exp.yaml");
  EvaluatorContext context{space, node, 0, TANDEM_SOURCE_DIR, ""};
  return evaluator_registry().create("hw", context);
}

std::vector<double> ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
  std::vector<double> out(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) out[order[k]] = (double(i) + double(j)) / 2 + 1;
    i = j + 1;
  }
  return out;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  const auto ra = ranks(a), rb = ranks(b);
  const double n = double(a.size()), mean = (n + 1) / 2;
  double num = 0, da = 0, db = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) * (ra[i] - mean);
    db += (rb[i] - mean) * (rb[i] - mean);
  }
  return num / std::sqrt(da * db);
}

}  // namespace

TEST_CASE("hw evaluator: a joint candidate is costed on its own accelerator") {
  auto space = space_registry().create(
      "joint", ConfigNode::parse("network: {space: nb201}\naccelerator: {space: systolic_hw}\n",
                                 "s.yaml"));
  auto evaluator = make_hw(*space, "");
  const std::string arch =
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "nor_conv_3x3~2|";
  const Candidate c = space->parse(arch +
                                   " @ rows=16 cols=16 dataflow=ws ifmap_sram_kb=64 "
                                   "filter_sram_kb=64 ofmap_sram_kb=64 dram_bytes_per_cycle=16");
  NullReporter reporter;
  const TrialResult result = evaluator->evaluate(c, reporter);
  REQUIRE(result.status == TrialStatus::complete);
  // The same numbers as the systolic model evaluated directly on the lowered network.
  auto model = hw::create_cost_model(ConfigNode::parse(
      "{model: systolic, rows: 16, cols: 16, dataflow: ws, ifmap_sram_kb: 64, filter_sram_kb: 64,"
      " ofmap_sram_kb: 64, dram_bytes_per_cycle: 16}",
      "acc"));
  const hw::CostReport report = model->evaluate(space->to_graph(c));
  CHECK(result.metrics.at("latency_ms") == doctest::Approx(report.latency_ms()));
  CHECK(result.metrics.at("energy_mj") == doctest::Approx(report.energy_mj()));
  CHECK(result.metrics.at("area_mm2") == doctest::Approx(report.area_mm2));
  // NB201 graph MACs (the conv and linear layers) are all costed.
  CHECK(result.metrics.at("macs") == double(space->to_graph(c).total_macs()));
  for (const auto& name : evaluator->metric_names()) CHECK(result.metrics.has(name));
}

TEST_CASE("hw evaluator: infeasible accelerators and configuration errors") {
  auto nb201 = space_registry().create("nb201", ConfigNode());
  // A fixed accelerator whose stationary tile cannot fit: INFEASIBLE with the reason.
  auto evaluator = make_hw(*nb201,
                           "accelerator: {model: systolic, rows: 128, cols: 128, dataflow: ws, "
                           "filter_sram_kb: 8}\n");
  NullReporter reporter;
  Rng rng(1);
  const TrialResult result = evaluator->evaluate(nb201->sample(rng), reporter);
  CHECK(result.status == TrialStatus::infeasible);
  CHECK(result.reason.find("filter SRAM") != std::string::npos);
  // A network-only space without an accelerator: error when the evaluator is built.
  CHECK_THROWS_WITH_AS(make_hw(*nb201, ""), doctest::Contains("has no accelerator part"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(make_hw(*nb201, "accelerator: {model: systolic, rows: 0}\n"),
                       doctest::Contains("exp.yaml:1:38: 'accelerator.rows': got 0"), ConfigError);
  CHECK_THROWS_WITH_AS(make_hw(*nb201, "acelerator: {model: systolic}\n"),
                       doctest::Contains("accelerator"), ConfigError);
  CHECK(make_hw(*nb201, "accelerator_file: data/hwmodels/eyeriss_v1.yaml\n") != nullptr);
}

TEST_CASE("hw: Eyeriss latency ranks NB201 cells like HW-NAS-Bench (every 5th cell)") {
  // HW-NAS-Bench (Li et al., ICLR 2021) reports Eyeriss 3.646 ms for cell 0 on CIFAR-10;
  // nb201_latency_ms.csv holds its Eyeriss latency of all 15,625 cells. Goal: Spearman >= 0.9.
  const std::string dir = std::string(TANDEM_SOURCE_DIR) + "/data/nas-bench-201/";
  CsvTable latency = CsvTable::read(dir + "nb201_latency_ms.csv");
  CsvTable cells = CsvTable::read(dir + "nb201_accuracy_cost.csv");
  const std::size_t eyeriss = latency.require_column("eyeriss");
  const std::size_t arch = cells.require_column("arch_str");
  auto space = space_registry().create("nb201", ConfigNode());
  auto model = hw::load_cost_model(std::string(TANDEM_SOURCE_DIR) +
                                   "/data/hwmodels/eyeriss_v1.yaml");
  std::vector<double> ours, theirs;
  for (std::size_t r = 0; r < cells.rows(); r += 5) {
    const hw::CostReport report = model->evaluate(space->to_graph(space->parse(cells.row(r)[arch])));
    ours.push_back(report.latency_ms());
    theirs.push_back(std::stod(latency.row(r)[eyeriss]));
  }
  const double rho = spearman(ours, theirs);
  MESSAGE("Spearman(our Eyeriss latency, HW-NAS-Bench Eyeriss) over ", ours.size(),
          " cells = ", rho, "; cell 0: ", ours[0], " ms (HW-NAS-Bench 3.646 ms)");
  CHECK(rho >= 0.9);
  // Same order of magnitude as the published anchor for cell 0.
  CHECK(ours[0] > 3.646 / 3);
  CHECK(ours[0] < 3.646 * 3);
}

TEST_CASE("hw evaluator: typed accelerators with defaults give exactly the model of their text") {
  // Expected: the cost model built from the trial's stored accelerator text, with the defaults
  // written in by hand, evaluated directly; the evaluator must agree bit for bit.
  auto space = space_registry().create(
      "joint", ConfigNode::parse("network: {space: nb201}\naccelerator: {space: heterogeneous_hw,"
                                 " options: {fixed: {frequency_mhz: 400}}}\n",
                                 "s.yaml"));
  auto evaluator = make_hw(*space, "defaults: {frequency_mhz: 700, pooling: dense}\n");
  NullReporter reporter;
  Rng rng(21);
  for (int i = 0; i < 12; ++i) {
    const Candidate c = space->sample(rng);
    std::string text = space->accelerator_string(c);
    const std::string tail = ", frequency_mhz: 400}";
    REQUIRE(text.size() > tail.size());
    REQUIRE(text.compare(text.size() - tail.size(), tail.size(), tail) == 0);
    text.insert(text.size() - 1, ", pooling: dense");  // frequency_mhz is the space's own
    auto model = hw::create_cost_model(ConfigNode::parse(text, "acc"));
    const hw::CostReport report = model->evaluate(space->to_graph(c));
    const TrialResult result = evaluator->evaluate(c, reporter);
    CHECK(result.metrics.at("latency_ms") == report.latency_ms());
    CHECK(result.metrics.at("energy_mj") == report.energy_mj());
    CHECK(result.metrics.at("area_mm2") == report.area_mm2);
    CHECK(result.metrics.at("cycles") == report.total.total_cycles());
    CHECK(result.metrics.at("utilization") == report.total.utilization);
    CHECK(result.status == (report.feasible ? TrialStatus::complete : TrialStatus::infeasible));
    CHECK(result.reason == report.reason);
    CHECK(evaluator->evaluate(c, reporter) == result);  // the cached model: the same result
  }
}
