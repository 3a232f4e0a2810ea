// Infers, from evaluated candidates only, that an accelerator neighbour will violate a constraint,
// so decomposed_codesign's climb (decomposed_codesign.hpp) does not spend an evaluation on it.
// Resource limits of accelerators (area, power, on-chip memory) are monotone in the sizes that
// spend them: a larger array or buffer never takes less area. The climb stands at the edge of the
// limit most of the time, so about a third of its neighbours cross it. This class learns, per
// constraint, what the observations show and infers nothing else:
//   - an ordered numeric parameter is non-decreasing for a constraint once a pair of candidates
//     differing in that parameter alone (same network, or any network once the constraint is known
//     to ignore the network) shows the usage (Constraint::usage) growing with it, and no pair ever
//     shows it shrinking (then never again);
//   - a non-numeric parameter (a dataflow) is irrelevant once such a pair shows equal usage, and
//     no pair ever shows a difference;
//   - the constraint ignores the network once the same accelerator gave equal usage under two
//     networks, and never a different one.
// A candidate N is predicted to violate constraint c when some evaluated X violated c, X and N have
// the same network part (or c ignores the network), every numeric parameter where they differ is
// non-decreasing for c with N's value above X's, and every other parameter where they differ is
// irrelevant to c. This is the dominance pruning of design-space exploration ("a design that
// contains an infeasible one is infeasible"), restricted to the monotonicity the data has shown.
#pragma once

#include <cstddef>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

class MonotoneConstraints {
 public:
  // Decisions [first_decision, end) are the accelerator part; `ordered[k]` lists accelerator
  // decision k's choice indices in ascending numeric order (empty: not numeric), as
  // AcceleratorMoves::ordered(). `constraints` is how many constraints each observation reports.
  MonotoneConstraints(std::size_t first_decision, std::vector<std::vector<int>> ordered,
                      std::size_t constraints);

  // One evaluated candidate: its usage per constraint (NaN: unknown) and which it violated.
  void observe(const Candidate& candidate, const std::vector<double>& usage,
               const std::vector<bool>& violated);
  // True when the observations imply that `candidate` violates some constraint.
  bool predicts_violation(const Candidate& candidate) const;

  // What has been learned, for tests and the strategy's state: +1 non-decreasing, 0 unknown,
  // -1 shown not to be (numeric parameter k of constraint c); for a non-numeric parameter +1
  // means irrelevant.
  int parameter_effect(std::size_t constraint, std::size_t accelerator_decision) const {
    return effect_[constraint][accelerator_decision];
  }
  int network_effect(std::size_t constraint) const { return network_free_[constraint]; }
  std::size_t observations() const { return seen_.size(); }

 private:
  struct Observation {
    Candidate candidate;
    std::vector<double> usage;
    std::vector<bool> violated;
  };
  bool same_network(const Candidate& a, const Candidate& b) const;
  int position(std::size_t k, int choice) const;  // rank of `choice` in ordered_[k]
  void learn(const Observation& a, const Observation& b);

  std::size_t first_;
  std::vector<std::vector<int>> ordered_;
  std::vector<std::vector<int>> effect_;  // [constraint][accelerator decision]
  std::vector<int> network_free_;         // [constraint]: +1 ignores the network, -1 does not
  std::vector<Observation> seen_;
};

}  // namespace tandem
