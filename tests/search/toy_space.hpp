// A small separable test space: `count` decisions with `values` choices each; the objective
// "score" is the sum of the chosen indices, so the optimum (all values maximal) is known.
#pragma once

#include "core/error.hpp"
#include "core/text.hpp"
#include "spaces/search_space.hpp"

namespace tandem::testing {

class ToySpace final : public SearchSpace {
 public:
  ToySpace(int count, int values) {
    std::vector<std::string> choices;
    for (int v = 0; v < values; ++v) choices.push_back(std::to_string(v));
    for (int i = 0; i < count; ++i) decisions_.push_back({"d" + std::to_string(i), choices});
  }
  std::string name() const override { return "toy"; }
  std::string summary() const override { return "separable toy space"; }
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string to_string(const Candidate& c) const override {
    std::vector<std::string> parts;
    for (int v : c.decisions) parts.push_back(std::to_string(v));
    return join(parts, "-");
  }
  Candidate parse(const std::string& text) const override {
    Candidate c;
    for (const auto& part : split(text, '-')) c.decisions.push_back(std::stoi(part));
    return c;
  }
  ComputeGraph to_graph(const Candidate&, const GraphOptions&) const override {
    throw Error("toy space has no graph");
  }
  static double score(const Candidate& c) {
    double total = 0;
    for (int v : c.decisions) total += v;
    return total;
  }
  double optimum() const {
    return static_cast<double>(decisions_.size() * (decisions_[0].choices.size() - 1));
  }

 private:
  std::vector<Decision> decisions_;
};

}  // namespace tandem::testing
