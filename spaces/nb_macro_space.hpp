// NAS-Bench-Macro space ("nb_macro"): the macro search space of Su et al., "Prioritized
// Architecture Sampling with Monte-Carlo Tree Search", CVPR 2021 (github.com/xiusu/NAS-Bench-Macro):
// 8 searchable layers, each one of 0 = identity, 1 = MobileNetV2 block kernel 3 expansion 3,
// 2 = MobileNetV2 block kernel 5 expansion 6 — 3^8 = 6,561 networks, every one trained on CIFAR-10
// (table in data/nas-bench-macro, Apache-2.0).
// Candidate text: the 8 digits in layer order, e.g. "22212220" — exactly the table's `arch` key,
// so `evaluators: [{name: table, options: {path: ..., key: arch}}]` looks candidates up directly.
// Not finished: the network's lowering to a compute graph (stem, stage widths and strides of the
// benchmark's network are not pinned down here yet), so to_graph() raises an error; the table's
// `params` and `flops` columns carry the published counts.
#pragma once

#include <memory>

#include "spaces/search_space.hpp"

namespace tandem {

class NbMacroSpace final : public SearchSpace {
 public:
  NbMacroSpace();
  static std::unique_ptr<SearchSpace> create(const ConfigNode& options);

  std::string name() const override { return "nb_macro"; }
  std::string summary() const override;
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string to_string(const Candidate& candidate) const override;
  Candidate parse(const std::string& text) const override;
  using SearchSpace::to_graph;
  ComputeGraph to_graph(const Candidate& candidate, const GraphOptions& options) const override;

 private:
  std::vector<Decision> decisions_;
};

}  // namespace tandem
