// DARTS cell space ("darts"): a normal and a reduction cell, each with 4 intermediate nodes that
// sum two ops applied to two distinct earlier states; lowered to the DARTS CIFAR evaluation
// network (NetworkCIFAR: C=36, 20 cells, stem multiplier 3). The candidate text is the genotype
// exactly as DARTS prints it:
//   Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...], normal_concat=[2, 3, 4, 5],
//            reduce=[...], reduce_concat=[2, 3, 4, 5])
// Source: Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search", ICLR 2019; code
// quark0/darts, cnn/genotypes.py (Genotype, PRIMITIVES), cnn/operations.py (OPS), cnn/model.py
// (Cell, NetworkCIFAR).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

class DartsSpace : public SearchSpace {
 public:
  DartsSpace();

  // The 7 ops a genotype may hold (DARTS PRIMITIVES without 'none'), in PRIMITIVES order:
  // max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3,
  // dil_conv_5x5.
  static const std::vector<std::string>& operations();
  // C=36, N=6 (3N+2 = 20 cells), CIFAR-10 input 3x32x32 and 10 classes (cnn/train.py defaults).
  static GraphOptions published_defaults();
  // Registry factory; accepts input_shape, classes, width, cells_per_stage.
  static std::unique_ptr<SearchSpace> create(const ConfigNode& options);

  std::string name() const override { return "darts"; }
  std::string summary() const override;
  // Per cell (normal, then reduce), per node 2..5, per edge 1..2: the op, then the input state
  // (0 = output of cell k-2, 1 = cell k-1, 2.. = earlier nodes) — the genotype's tuple order.
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string to_string(const Candidate& candidate) const override;
  // Also accepts double quotes, `range(2, 6)` for the concat lists and any whitespace between
  // tokens. Only the concat [2, 3, 4, 5] (all 4 nodes) is part of the space.
  Candidate parse(const std::string& text) const override;
  using SearchSpace::to_graph;
  // NetworkCIFAR without the auxiliary head (a training-time loss branch, not part of the network
  // that is evaluated; DARTS's `param size` also excludes it). Drop-path is a training detail and
  // not represented. 3N+2 cells; cells floor(L/3) and floor(2L/3) are reduction cells.
  ComputeGraph to_graph(const Candidate& candidate, const GraphOptions& options) const override;

  // DARTS PRIMITIVES of the search network (operations() with 'none' first):
  // none, max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3,
  // dil_conv_5x5.
  static const std::vector<std::string>& primitives();
  // The DARTS search network (cnn/model_search.py Network, spaces/darts_supernet.cpp): C=16,
  // 8 cells (cells_per_stage N gives 3N+2; default N=2), 14 mixed edges per cell over the 8
  // primitives (affine=False, pools followed by BN), alpha keys "normal/<i><-<j>" and
  // "reduce/<i><-<j>" (state i = 2..5, input state j < i); edges realise no single decision
  // (MixedEdge::decision = -1): search/oneshot/darts/derivation.hpp darts_genotype() derives the genotype.
  SupernetDescription supernet(const GraphOptions& options) const override;

  // The two inputs of every node are distinct states.
  bool is_valid(const Candidate& candidate) const override;
  // "normal" and "reduce": nodes c_{k-2}, c_{k-1}, 2..5 and c_{k}; each node's two (op, input)
  // edges, and an edge "concat" from every node 2..5 to c_{k}.
  std::vector<CellDiagram> cell_diagrams(const Candidate& candidate) const override;
  // Exact number of valid candidates: (prod over nodes n(n-1) * 7^2)^2 with n = 2..5 inputs,
  // counting the two (op, input) pairs of a node in order, as genotypes print them.
  double size() const override;

 private:
  std::vector<Decision> decisions_;
};

}  // namespace tandem
