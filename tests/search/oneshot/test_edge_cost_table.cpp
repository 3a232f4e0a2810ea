// Per-decision cost tables: the additive decomposition reproduces full-network evaluations of
// the systolic and eyeriss models on NB201 and MobileNet candidates, and the expected-cost
// gradient matches central finite differences.
#include <doctest/doctest.h>

#include <cmath>

#include "core/rng.hpp"
#include "hwmodels/cost_model.hpp"
#include "search/oneshot/edge_cost_table.hpp"

using namespace tandem;

namespace {

std::unique_ptr<hw::CostModel> model_from(const std::string& yaml) {
  return hw::create_cost_model(ConfigNode::parse(yaml, "accelerator.yaml"));
}

void check_decomposition(const std::string& space_name, const std::string& options_yaml,
                         const hw::CostModel& model, CostMetric metric, int samples) {
  auto space = space_registry().create(space_name, ConfigNode::parse(options_yaml, "o.yaml"));
  Rng rng(5);
  Candidate reference = space->sample(rng);
  EdgeCostTable table = build_edge_cost_table(*space, model, reference, metric);
  CHECK(table.cost_of(reference) == doctest::Approx(table.base));
  for (int i = 0; i < samples; ++i) {
    Candidate c = space->sample(rng);
    // Independent truth: the cost model on the whole lowered network.
    double direct = cost_of_report(model.evaluate(space->to_graph(c)), metric);
    CHECK(table.cost_of(c) == doctest::Approx(direct).epsilon(1e-9));
  }
}

}  // namespace

TEST_CASE("NB201 latency and energy decompose per edge on a systolic array") {
  auto systolic = model_from("{model: systolic, rows: 16, cols: 16, dataflow: ws}");
  check_decomposition("nb201", "{}", *systolic, CostMetric::latency_ms, 40);
  check_decomposition("nb201", "{}", *systolic, CostMetric::energy_mj, 20);
}

TEST_CASE("MobileNet block choices decompose on the eyeriss model") {
  auto eyeriss = model_from("{model: eyeriss}");
  check_decomposition("mobilenet", "{input_shape: [3, 32, 32], width_multiplier: 0.5}", *eyeriss,
                      CostMetric::cycles, 10);
}

TEST_CASE("expected cost equals the cost of the argmax candidate for sharp distributions") {
  EdgeCostTable table;
  table.base = 2.0;
  table.cost = {{0.0, 1.5, -0.5}, {0.25, 0.0}};
  std::vector<std::vector<double>> alpha = {{-60, 60, -60}, {60, -60}};
  CHECK(table.expected(alpha) == doctest::Approx(2.0 + 1.5 + 0.25));
  // Uniform distributions: the mean of each row.
  std::vector<std::vector<double>> uniform = {{0, 0, 0}, {0, 0}};
  CHECK(table.expected(uniform) == doctest::Approx(2.0 + 1.0 / 3.0 + 0.125));
}

TEST_CASE("expected-cost gradient matches central finite differences") {
  EdgeCostTable table;
  table.base = 1.0;
  table.cost = {{0.0, 0.7, 2.1, -0.3, 0.05}, {0.4, -1.2, 0.0}};
  std::vector<std::vector<double>> alpha = {{0.1, -0.4, 0.3, 0.9, -1.1}, {0.5, 0.2, -0.7}};
  std::vector<std::vector<double>> gradient;
  table.expected(alpha, &gradient);
  const double h = 1e-6;
  for (std::size_t d = 0; d < alpha.size(); ++d) {
    for (std::size_t k = 0; k < alpha[d].size(); ++k) {
      auto plus = alpha, minus = alpha;
      plus[d][k] += h;
      minus[d][k] -= h;
      double numeric = (table.expected(plus) - table.expected(minus)) / (2 * h);
      CHECK(gradient[d][k] == doctest::Approx(numeric).epsilon(1e-6));
    }
  }
}

TEST_CASE("a choice the accelerator cannot run is a clear error") {
  auto space = space_registry().create("nb201", ConfigNode());
  // A 1 KB filter SRAM cannot hold a 3x3x16 filter column under weight stationary (see
  // docs/hwmodels.md feasibility rules); every conv choice is infeasible.
  auto tiny = model_from(
      "{model: systolic, rows: 64, cols: 64, dataflow: ws, filter_sram_kb: 0.001}");
  Rng rng(1);
  CHECK_THROWS_WITH_AS(build_edge_cost_table(*space, *tiny, space->sample(rng),
                                             CostMetric::latency_ms),
                       doctest::Contains("cannot run on the systolic accelerator"), Error);
  CHECK_THROWS_WITH_AS(cost_metric_from_string("latency"), doctest::Contains("latency_ms"),
                       Error);
}
