// Multi-agent REINFORCE over groups of decisions (see marl.hpp).
#include "search/rl/marl.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"
#include "search/rl/space_controller.hpp"

namespace tandem {
namespace {

std::string bare_name(const std::string& name) {
  return starts_with(name, "hw.") ? name.substr(3) : name;
}

bool mentions(const std::string& name, const std::vector<std::string>& words) {
  return std::any_of(words.begin(), words.end(),
                     [&](const std::string& word) { return name.find(word) != std::string::npos; });
}

std::vector<AgentGroup> parse_groups(const ConfigNode& node, const SearchSpace& space) {
  const auto& decisions = space.decisions();
  std::vector<std::string> names;
  for (const auto& decision : decisions) names.push_back(decision.name);
  std::vector<int> owner(decisions.size(), -1);
  std::vector<AgentGroup> groups;
  for (const auto& group_name : node.keys()) {
    ConfigNode list = node.at(group_name);
    AgentGroup group{group_name, {}};
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string wanted = list.element(i).as_string();
      auto found = std::find_if(names.begin(), names.end(), [&](const std::string& name) {
        return name == wanted || bare_name(name) == wanted;
      });
      if (found == names.end())
        list.element(i).fail("unknown decision '" + wanted + "'" + did_you_mean(wanted, names) +
                             "; the space's decisions: " + join(names, ", "));
      const auto index = static_cast<std::size_t>(found - names.begin());
      if (owner[index] >= 0)
        list.element(i).fail("decision '" + wanted + "' is already in group '" +
                             groups[static_cast<std::size_t>(owner[index])].name + "'");
      owner[index] = static_cast<int>(groups.size());
      group.decisions.push_back(index);
    }
    if (group.decisions.empty()) list.fail("group '" + group_name + "' has no decisions");
    groups.push_back(std::move(group));
  }
  std::vector<std::string> missing;
  for (std::size_t d = 0; d < decisions.size(); ++d)
    if (owner[d] < 0) missing.push_back(names[d]);
  if (!missing.empty())
    node.fail("every decision needs a group; missing: " + join(missing, ", "));
  return groups;
}

}  // namespace

std::vector<AgentGroup> default_agent_groups(const SearchSpace& space) {
  std::vector<AgentGroup> groups = {{"compute", {}}, {"memory", {}}, {"bandwidth", {}},
                                    {"network", {}}};
  const auto& decisions = space.decisions();
  for (std::size_t d = 0; d < decisions.size(); ++d) {
    const std::string name = bare_name(decisions[d].name);
    const bool hardware = starts_with(decisions[d].name, "hw.");
    std::size_t group = 3;
    if (mentions(name, {"dram", "bandwidth", "bytes_per_cycle", "bw_", "noc"}))
      group = 2;
    else if (mentions(name, {"sram", "spad", "glb", "buffer", "cache", "_kb", "words"}))
      group = 1;
    else if (mentions(name, {"rows", "cols", "pe", "dataflow", "template", "array", "count"}))
      group = 0;
    if (hardware && group == 3) group = 0;  // an unrecognised accelerator parameter
    groups[group].decisions.push_back(d);
  }
  std::erase_if(groups, [](const AgentGroup& g) { return g.decisions.empty(); });
  return groups;
}

MultiAgentReinforce::MultiAgentReinforce(const SearchSpace& space,
                                         const PolicyGradientOptions& options,
                                         std::vector<AgentGroup> groups, Objective objective,
                                         std::uint64_t seed)
    : space_(space),
      options_(options),
      groups_(std::move(groups)),
      objective_(std::move(objective)),
      rng_(seed) {
  const auto& decisions = space_.decisions();
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    std::vector<int> cardinalities;
    for (std::size_t d : groups_[g].decisions)
      cardinalities.push_back(static_cast<int>(decisions[d].choices.size()));
    Rng init = rng_.derive(1 + g);
    agents_.emplace_back(cardinalities, options_, init);
  }
}

Candidate MultiAgentReinforce::sample_once() {
  Candidate candidate{std::vector<int>(space_.decisions().size(), 0)};
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const std::vector<int> actions = agents_[g].sample(rng_);
    for (std::size_t k = 0; k < actions.size(); ++k)
      candidate.decisions[groups_[g].decisions[k]] = actions[k];
  }
  return candidate;
}

std::vector<Candidate> MultiAgentReinforce::ask(std::size_t n) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(sample_valid(space_, rng_, [&] { return sample_once(); }));
  }
  asked_ += static_cast<long long>(n);
  return out;
}

void MultiAgentReinforce::tell(const Candidate& candidate, const TrialResult& result) {
  ++told_;
  std::optional<double> reward = oriented_value(result, objective_);
  if (!reward) reward = options_.failure_reward;
  if (!reward) return;
  for (std::size_t g = 0; g < groups_.size(); ++g) {  // one shared reward, independent learners
    std::vector<int> actions;
    for (std::size_t d : groups_[g].decisions) actions.push_back(candidate.decisions[d]);
    agents_[g].learn(actions, *reward);
  }
}

std::string MultiAgentReinforce::state() const {
  std::string text = "marl asked=" + std::to_string(asked_) + " told=" + std::to_string(told_) +
                     " rng=" + rng_.state();
  for (std::size_t g = 0; g < groups_.size(); ++g)
    text += " [" + groups_[g].name + " " + agents_[g].state() + "]";
  return text;
}

void register_marl(StrategyRegistry& registry) {
  registry.add(
      "marl", "rl",
      "multi-agent REINFORCE, one agent per group of decisions sharing the reward: groups, plus "
      "the reinforce options",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        std::vector<std::string> keys = PolicyGradientOptions::keys();
        keys.push_back("groups");
        context.options.check_keys(keys);
        auto options = PolicyGradientOptions::parse(context.options);
        TANDEM_CHECK(!context.objectives.empty(),
                     "marl needs an objective (objectives: [{metric: ..., direction: "
                     "maximize|minimize}])");
        std::vector<AgentGroup> groups = context.options.has("groups")
                                             ? parse_groups(context.options.at("groups"), context.space)
                                             : default_agent_groups(context.space);
        return std::make_unique<MultiAgentReinforce>(context.space, options, std::move(groups),
                                                     context.objectives.front(), context.seed);
      });
}

}  // namespace tandem
