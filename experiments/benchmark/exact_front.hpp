// The exact Pareto front of a joint (network x accelerator) space, by exhaustive enumeration made
// fast by decomposition. Supported objectives and constraints, exactly as an experiment's
// evaluators compute them (Experiment::evaluate):
//   `table` metrics depend on the network alone: looked up once per network;
//   `hw` metrics latency_ms, energy_mj, cycles, macs, dram_bytes are sums over the network's
//     layers (CostModel::evaluate runs layers one after another): each distinct layer is costed
//     once per accelerator, and a network's figure is the product of its layer-count vector with
//     the accelerator's per-layer costs (one matrix product per accelerator);
//   `hw` area_mm2 depends on the accelerator alone.
// Constraints on network-only or accelerator-only metrics prune whole networks or accelerators
// before any pair is formed. Each accelerator's own front is taken with a lexicographic sweep
// (front_sweep.hpp) and the union of those fronts is swept once more. Pairs whose evaluation is
// not COMPLETE (a network missing from the table, a layer the accelerator cannot run, a violated
// constraint) are left out, as `tandem bench search` leaves them out of its hypervolume.
// Figures equal the evaluators' up to floating-point summation order (relative 1e-12).
// A space that is not joint is taken as the network part of one (its evaluators' accelerator is
// fixed). Models that are not sequential sums over layers (`heterogeneous`) are refused.
#pragma once

#include <string>
#include <vector>

#include "core/objective.hpp"
#include "core/pareto.hpp"
#include "experiments/runner/experiment.hpp"

namespace tandem {

struct ExactFrontOptions {
  int threads = 0;  // 0 = every core
};

struct ExactFront {
  std::vector<Objective> objectives;   // the experiment's, in order
  std::vector<std::string> constraints;  // canonical texts
  // Distinct front points, minimised (maximised objectives negated), sorted lexicographically;
  // candidates[i] lists every candidate (canonical text) attaining points[i], sorted.
  std::vector<ObjectiveVector> points;
  std::vector<std::vector<std::string>> candidates;
  double networks = 0;        // valid network candidates
  double accelerators = 0;    // valid accelerator candidates (1 for a space that is not joint)
  double pairs = 0;           // networks * accelerators
  double complete_pairs = 0;  // pairs that are COMPLETE (evaluated and every constraint met)
  double seconds = 0;
};

// Throws ConfigError (one line naming the config, the objective or constraint and what is
// supported) for objectives or evaluators outside the supported set above.
ExactFront compute_exact_front(Experiment& experiment, const ExactFrontOptions& options = {});

// Every valid candidate of `space` in mixed-radix order (the last decision fastest). Throws Error
// when the space has more than `limit` candidates.
std::vector<Candidate> enumerate_space(const SearchSpace& space, double limit);

}  // namespace tandem
