// "joint": any NN space x any accelerator space. A candidate holds the network's decisions
// followed by the accelerator's (accelerator decision names get an "hw." prefix); its text is
//   "<network text> @ <accelerator text>"
// to_graph() lowers the network part, accelerator_description() describes the accelerator part.
// Options: {network: {space: NAME, options: {...}}, accelerator: {space: NAME, options: {...}}}.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

class JointSpace final : public SearchSpace {
 public:
  JointSpace(std::unique_ptr<SearchSpace> network, std::unique_ptr<SearchSpace> accelerator);
  static std::unique_ptr<SearchSpace> create(const ConfigNode& options);

  std::string name() const override { return "joint"; }
  std::string summary() const override;
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string to_string(const Candidate& candidate) const override;
  Candidate parse(const std::string& text) const override;
  using SearchSpace::to_graph;
  ComputeGraph to_graph(const Candidate& candidate, const GraphOptions& options) const override;
  bool is_valid(const Candidate& candidate) const override;
  std::optional<AcceleratorDescription> accelerator_description(
      const Candidate& candidate) const override;
  std::string architecture_string(const Candidate& candidate) const override;
  std::vector<CellDiagram> cell_diagrams(const Candidate& candidate) const override {
    return network_->cell_diagrams(network_part(candidate));
  }

  const SearchSpace& network() const { return *network_; }
  const SearchSpace& accelerator() const { return *accelerator_; }
  Candidate network_part(const Candidate& candidate) const;
  Candidate accelerator_part(const Candidate& candidate) const;
  Candidate combine(const Candidate& network, const Candidate& accelerator) const;

 private:
  std::unique_ptr<SearchSpace> network_;
  std::unique_ptr<SearchSpace> accelerator_;
  std::vector<Decision> decisions_;
};

}  // namespace tandem
