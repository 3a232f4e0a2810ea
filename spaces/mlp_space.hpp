// Multi-layer perceptron space ("mlp"): up to `max_layers` hidden linear layers, a width per layer
// and one activation, lowered to linear -> activation -> ... -> linear(classes). Small enough to
// train in seconds on the 8x8 digits data, and the worked example of docs/adding-a-space.md.
//
// Candidate text: the hidden widths joined by '-', then ':' and the activation, e.g. "64-32:relu".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

class MlpSpace : public SearchSpace {
 public:
  // `max_layers` >= 1 hidden layers, each one of `widths` (layers after the first may be "none").
  MlpSpace(int max_layers, std::vector<int> widths);

  // Options: input_shape (default [1, 8, 8]), classes (10), max_layers (3),
  // widths ([16, 32, 64, 128]).
  static std::unique_ptr<SearchSpace> create(const ConfigNode& options);

  std::string name() const override { return "mlp"; }
  std::string summary() const override;
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string to_string(const Candidate& candidate) const override;
  Candidate parse(const std::string& text) const override;
  using SearchSpace::to_graph;
  ComputeGraph to_graph(const Candidate& candidate, const GraphOptions& options) const override;

  // A "none" layer may only be followed by "none" layers (so each network has one spelling).
  bool is_valid(const Candidate& candidate) const override;
  // activations * (w + w^2 + ... + w^max_layers) for w widths.
  double size() const override;

 private:
  int max_layers_;
  std::vector<int> widths_;
  std::vector<Decision> decisions_;  // layer 1 width, ..., layer L width, activation
};

}  // namespace tandem
