// Multi-agent reinforcement learning for design-space exploration — after Krishnan, Lu, Yazdanbakhsh
// et al., "Multi-Agent Reinforcement Learning for Microprocessor Design Space Exploration"
// (arXiv 2211.16385, 2022): the decisions are split into groups (e.g. compute array, memory
// sizes, bandwidth), one agent chooses each group's parameters, and the agents learn independently
// from one shared reward (independent learners, no communication).
// Each agent here is a REINFORCE learner (policy_gradient.hpp, same options as `reinforce`,
// applied to every agent) with its own policy, baseline and optimizer. [UNVERIFIED] The paper's
// agents are trained with PPO on a gem5-style simulator; tandem uses the REINFORCE learner of
// `reinforce` so that single- and multi-agent runs differ only in the decomposition (the paper's
// comparison).
// Groups: `groups: {compute: [rows, cols, dataflow], memory: [...], ...}` (decision names, with or
// without the joint space's `hw.` prefix; every decision in exactly one group), or, by default,
// by name: bandwidth (dram, bandwidth, bytes_per_cycle, bw_, noc), memory (sram, spad, glb,
// buffer, cache, _kb, words), compute (rows, cols, pe, dataflow, template, array, count) and
// network (every other decision; in a joint space the network part).
#pragma once

#include "core/rng.hpp"
#include "search/rl/policy_gradient.hpp"
#include "search/strategy.hpp"

namespace tandem {

struct AgentGroup {
  std::string name;
  std::vector<std::size_t> decisions;  // indices into the space's decisions
};

// The default grouping by decision name (see above), in the order compute, memory, bandwidth,
// network; empty groups are dropped.
std::vector<AgentGroup> default_agent_groups(const SearchSpace& space);

class MultiAgentReinforce final : public Strategy {
 public:
  MultiAgentReinforce(const SearchSpace& space, const PolicyGradientOptions& options,
                      std::vector<AgentGroup> groups, Objective objective, std::uint64_t seed);
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  std::string state() const override;
  const std::vector<AgentGroup>& groups() const { return groups_; }

 private:
  Candidate sample_once();
  const SearchSpace& space_;
  PolicyGradientOptions options_;
  std::vector<AgentGroup> groups_;
  Objective objective_;
  Rng rng_;
  std::vector<PolicyGradientLearner> agents_;
  long long asked_ = 0, told_ = 0;
};

void register_marl(StrategyRegistry& registry);

}  // namespace tandem
