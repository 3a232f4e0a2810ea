// EdgeCostTable: the hardware cost each choice of each decision adds in context (ProxylessNAS'
// latency lookup table, Cai, Zhu & Han, ICLR 2019, §3.3: E[latency] = Σ_edges Σ_ops p(op)·lat(op)).
//
// For a reference candidate r and a cost model whose network cost is the sum of its layers':
//   cost[d][k] = C(r with decision d set to k) − C(r)      (so cost[d][r_d] = 0)
//   C(c) ≈ C(r) + Σ_d cost[d][c_d]
// This is exact when the layers a decision contributes do not depend on the other decisions —
// true for NAS-Bench-201 cells and ProxylessNAS/MobileNet blocks, whose shapes are fixed by the
// macro skeleton (the tests check it against full evaluations). With architecture parameters α
// and p_d = softmax(α_d), the expected cost Σ_d Σ_k p_dk·cost[d][k] is differentiable in α.
#pragma once

#include <string>
#include <vector>

#include "hwmodels/cost_model.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

enum class CostMetric { latency_ms, energy_mj, cycles };

// "latency_ms", "energy_mj", "cycles" (error listing them otherwise).
CostMetric cost_metric_from_string(const std::string& text);
double cost_of_report(const hw::CostReport& report, CostMetric metric);

struct EdgeCostTable {
  CostMetric metric = CostMetric::latency_ms;
  double base = 0.0;                      // C(reference)
  std::vector<std::vector<double>> cost;  // [decision][value], relative to the reference

  // base + Σ_d cost[d][c_d]
  double cost_of(const Candidate& candidate) const;
  // base + Σ_d Σ_k softmax(alpha_d)_k · cost[d][k]; fills d/dα when gradient is not null.
  double expected(const std::vector<std::vector<double>>& alpha,
                  std::vector<std::vector<double>>* gradient = nullptr) const;
};

// Evaluates Σ_d |choices_d| networks. An infeasible network raises tandem::Error naming the
// decision and value (a table cannot price a choice the accelerator cannot run).
EdgeCostTable build_edge_cost_table(const SearchSpace& space, const hw::CostModel& model,
                                    const Candidate& reference, CostMetric metric);

}  // namespace tandem
