// JointSpace: the product of a network space and an accelerator space (see joint_space.hpp).
#include "spaces/joint_space.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

JointSpace::JointSpace(std::unique_ptr<SearchSpace> network,
                       std::unique_ptr<SearchSpace> accelerator)
    : network_(std::move(network)), accelerator_(std::move(accelerator)) {
  decisions_ = network_->decisions();
  for (Decision d : accelerator_->decisions()) {
    d.name = "hw." + d.name;
    decisions_.push_back(std::move(d));
  }
  set_graph_options(network_->graph_options());
}

std::unique_ptr<SearchSpace> JointSpace::create(const ConfigNode& options) {
  options.check_keys({"network", "accelerator"});
  auto part = [&](const char* key) {
    ConfigNode node = options.at(key);
    node.check_keys({"space", "options"});
    ConfigNode space = node.at("space");
    const std::string name = space.as_string();
    if (name == "joint") space.fail("a joint space cannot contain another joint space");
    if (!space_registry().contains(name))
      space.fail("unknown search space '" + name + "'" +
                 did_you_mean(name, space_registry().names()) +
                 "; available: " + join(space_registry().names(), ", "));
    return space_registry().create(name, node.optional("options"));
  };
  auto network = part("network");
  auto accelerator = part("accelerator");
  Rng rng(0);
  if (network->accelerator_description(network->sample(rng)))
    options.at("network").fail("expected a network space, got '" + network->name() + "'");
  if (!accelerator->accelerator_description(accelerator->sample(rng)))
    options.at("accelerator").fail("expected an accelerator space (systolic_hw, eyeriss_hw, "
                                   "heterogeneous_hw), got '" + accelerator->name() + "'");
  return std::make_unique<JointSpace>(std::move(network), std::move(accelerator));
}

std::string JointSpace::summary() const {
  return "joint: " + network_->name() + " x " + accelerator_->name();
}

Candidate JointSpace::network_part(const Candidate& candidate) const {
  const std::size_t n = network_->decisions().size();
  TANDEM_CHECK(candidate.decisions.size() == decisions_.size(),
               "space 'joint': candidate has " + std::to_string(candidate.decisions.size()) +
                   " decisions, expected " + std::to_string(decisions_.size()));
  return Candidate{std::vector<int>(candidate.decisions.begin(),
                                    candidate.decisions.begin() + static_cast<long>(n))};
}

Candidate JointSpace::accelerator_part(const Candidate& candidate) const {
  const std::size_t n = network_->decisions().size();
  TANDEM_CHECK(candidate.decisions.size() == decisions_.size(),
               "space 'joint': candidate has " + std::to_string(candidate.decisions.size()) +
                   " decisions, expected " + std::to_string(decisions_.size()));
  return Candidate{std::vector<int>(candidate.decisions.begin() + static_cast<long>(n),
                                    candidate.decisions.end())};
}

Candidate JointSpace::combine(const Candidate& network, const Candidate& accelerator) const {
  Candidate out = network;
  out.decisions.insert(out.decisions.end(), accelerator.decisions.begin(),
                       accelerator.decisions.end());
  return out;
}

std::string JointSpace::to_string(const Candidate& candidate) const {
  return network_->to_string(network_part(candidate)) + " @ " +
         accelerator_->to_string(accelerator_part(candidate));
}

std::string JointSpace::architecture_string(const Candidate& candidate) const {
  return network_->architecture_string(network_part(candidate));
}

Candidate JointSpace::parse(const std::string& text) const {
  const std::size_t at = text.rfind(" @ ");
  if (at == std::string::npos)
    throw ParseError("space 'joint': at character " + std::to_string(text.size()) +
                     ": expected '<network> @ <accelerator>', found no ' @ '");
  Candidate network = network_->parse(text.substr(0, at));
  Candidate accelerator;
  try {
    accelerator = accelerator_->parse(text.substr(at + 3));
  } catch (const ParseError& error) {
    throw ParseError("space 'joint': in the accelerator part (from character " +
                     std::to_string(at + 3) + "): " + error.what());
  }
  return combine(network, accelerator);
}

ComputeGraph JointSpace::to_graph(const Candidate& candidate, const GraphOptions& options) const {
  return network_->to_graph(network_part(candidate), options);
}

bool JointSpace::is_valid(const Candidate& candidate) const {
  if (candidate.decisions.size() != decisions_.size()) return false;
  return network_->is_valid(network_part(candidate)) &&
         accelerator_->is_valid(accelerator_part(candidate));
}

std::optional<AcceleratorDescription> JointSpace::accelerator_description(
    const Candidate& candidate) const {
  return accelerator_->accelerator_description(accelerator_part(candidate));
}

}  // namespace tandem
