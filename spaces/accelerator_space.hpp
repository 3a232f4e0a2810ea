// AcceleratorParameterSpace: the shared machinery of accelerator design spaces (systolic_hw,
// eyeriss_hw, heterogeneous_hw). Each decision is one accelerator parameter; the candidate text
// is "key=value key=value ..." in decision order; accelerator_description() is the cost-model
// config as a typed core::AcceleratorDescription (the model name, then one scalar parameter per
// decision, then the `fixed` ones), which the `hw` evaluator builds its cost model from and whose
// YAML form is the trial's accelerator text, e.g.
//   {model: systolic, rows: 16, cols: 32, dataflow: ws, ...} Accelerator spaces have no network: to_graph() is an
// error pointing at the joint space. Options override a decision's choices by name
// (`rows: [8, 16]`, or a scalar to fix it) and `fixed: {key: value}` adds constant parameters.
// spaces/ may not include hwmodels/: the parameter names mirror the cost models' by convention
// (docs/hwmodels.md lists both).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

class AcceleratorParameterSpace : public SearchSpace {
 public:
  // `numeric` marks decisions whose values must be positive numbers; others keep their default
  // choices as the accepted set.
  struct Parameter {
    std::string name;
    std::vector<std::string> choices;
    bool numeric = true;
  };
  AcceleratorParameterSpace(std::string name, std::string model, std::string summary,
                            std::vector<Parameter> parameters, const ConfigNode& options);

  std::string name() const override { return name_; }
  std::string summary() const override { return summary_; }
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string to_string(const Candidate& candidate) const override;
  Candidate parse(const std::string& text) const override;
  using SearchSpace::to_graph;
  ComputeGraph to_graph(const Candidate& candidate, const GraphOptions& options) const override;
  std::optional<AcceleratorDescription> accelerator_description(
      const Candidate& candidate) const override;

 protected:
  const std::string& value(const Candidate& candidate, std::size_t decision) const {
    return decisions_[decision].choices[static_cast<std::size_t>(candidate.decisions[decision])];
  }
  // Where the user wrote that value (null for a built-in choice): it goes with the value into
  // the description, so a cost model's error names the user's file:line:column.
  std::shared_ptr<const ConfigNode> origin(const Candidate& candidate, std::size_t decision) const {
    const auto& origins = origins_[decision];
    return origins.empty() ? nullptr : origins[static_cast<std::size_t>(candidate.decisions[decision])];
  }
  const std::string& model() const { return model_; }
  // The `fixed` parameters, in option order (scalars as written, others as YAML text).
  const AcceleratorDescription::Parameters& fixed() const { return fixed_; }

 private:
  std::string name_, model_, summary_;
  std::vector<Decision> decisions_;
  // Per decision, the option node of each choice (empty when the choices are built in).
  std::vector<std::vector<std::shared_ptr<const ConfigNode>>> origins_;
  AcceleratorDescription::Parameters fixed_;
};

}  // namespace tandem
