// Per-decision cost tables for differentiable hardware costs (see edge_cost_table.hpp).
#include "search/oneshot/edge_cost_table.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

CostMetric cost_metric_from_string(const std::string& text) {
  if (text == "latency_ms") return CostMetric::latency_ms;
  if (text == "energy_mj") return CostMetric::energy_mj;
  if (text == "cycles") return CostMetric::cycles;
  const std::vector<std::string> names = {"latency_ms", "energy_mj", "cycles"};
  throw Error("unknown cost metric '" + text + "'" + did_you_mean(text, names) +
              "; accepted: " + join(names, ", "));
}

double cost_of_report(const hw::CostReport& report, CostMetric metric) {
  switch (metric) {
    case CostMetric::latency_ms: return report.latency_ms();
    case CostMetric::energy_mj: return report.energy_mj();
    case CostMetric::cycles: return report.total.total_cycles();
  }
  return 0.0;
}

double EdgeCostTable::cost_of(const Candidate& candidate) const {
  TANDEM_CHECK(candidate.decisions.size() == cost.size(),
               "edge cost table: candidate has " + std::to_string(candidate.decisions.size()) +
                   " decisions, the table " + std::to_string(cost.size()));
  double total = base;
  for (std::size_t d = 0; d < cost.size(); ++d)
    total += cost[d].at(static_cast<std::size_t>(candidate.decisions[d]));
  return total;
}

double EdgeCostTable::expected(const std::vector<std::vector<double>>& alpha,
                               std::vector<std::vector<double>>* gradient) const {
  TANDEM_CHECK(alpha.size() == cost.size(), "edge cost table: alpha has " +
                                                std::to_string(alpha.size()) + " rows, expected " +
                                                std::to_string(cost.size()));
  if (gradient) gradient->assign(cost.size(), {});
  double total = base;
  for (std::size_t d = 0; d < cost.size(); ++d) {
    const auto& a = alpha[d];
    TANDEM_CHECK(a.size() == cost[d].size(), "edge cost table: alpha row " + std::to_string(d) +
                                                 " has " + std::to_string(a.size()) +
                                                 " entries, expected " +
                                                 std::to_string(cost[d].size()));
    const double peak = *std::max_element(a.begin(), a.end());
    std::vector<double> p(a.size());
    double sum = 0;
    for (std::size_t k = 0; k < a.size(); ++k) sum += p[k] = std::exp(a[k] - peak);
    double row = 0;
    for (std::size_t k = 0; k < a.size(); ++k) row += (p[k] /= sum) * cost[d][k];
    total += row;
    if (gradient) {
      // d/dα_j Σ_k p_k c_k = p_j (c_j − Σ_k p_k c_k)
      (*gradient)[d].resize(a.size());
      for (std::size_t j = 0; j < a.size(); ++j) (*gradient)[d][j] = p[j] * (cost[d][j] - row);
    }
  }
  return total;
}

EdgeCostTable build_edge_cost_table(const SearchSpace& space, const hw::CostModel& model,
                                    const Candidate& reference, CostMetric metric) {
  space.check(reference);
  auto evaluate = [&](const Candidate& candidate, std::size_t decision, int value) {
    hw::CostReport report = model.evaluate(space.to_graph(candidate));
    if (!report.feasible) {
      std::string what = decision == static_cast<std::size_t>(-1)
                             ? std::string("the reference candidate")
                             : "decision '" + space.decisions()[decision].name + "' = " +
                                   space.decisions()[decision].choices[value];
      throw Error("edge cost table: " + what + " cannot run on the " + model.name() +
                  " accelerator: " + report.reason);
    }
    return cost_of_report(report, metric);
  };
  EdgeCostTable table;
  table.metric = metric;
  table.base = evaluate(reference, static_cast<std::size_t>(-1), 0);
  const auto& decisions = space.decisions();
  table.cost.resize(decisions.size());
  for (std::size_t d = 0; d < decisions.size(); ++d) {
    table.cost[d].assign(decisions[d].choices.size(), 0.0);
    for (int k = 0; k < static_cast<int>(decisions[d].choices.size()); ++k) {
      if (k == reference.decisions[d]) continue;
      Candidate variant = reference;
      variant.decisions[d] = k;
      if (!space.is_valid(variant))
        throw Error("edge cost table: decision '" + decisions[d].name + "' = " +
                    decisions[d].choices[k] + " is not valid with the reference candidate");
      table.cost[d][k] = evaluate(variant, d, k) - table.base;
    }
  }
  return table;
}

}  // namespace tandem
