// Derivation: turning trained architecture weights back into a Candidate of the space.
//
//   * candidate_from_edge_choices — spaces whose decisions are realised by supernet edges
//     (MixedEdge::decision / choice_of_candidate: nb201, mobilenet): one chosen candidate per
//     edge -> the Candidate. Edges of one decision (NB201: the same edge position in all 15
//     cells, sharing one alpha) must agree.
//   * argmax_choices — AutoDL's NB201 genotype(): per edge the argmax of its weights over ALL
//     candidates, `none` included (AutoDL xautodl/models/cell_searchs/search_model_darts.py);
//     ties go to the first candidate, as torch.argmax.
//   * darts_genotype — the exact DARTS rule (quark0/darts cnn/model_search.py, genotype()._parse):
//     per node, keep the 2 incoming edges with the largest max non-none weight (stable order on
//     ties), each with its argmax non-none op (first on ties); genes in kept-edge order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/supernet_description.hpp"
#include "core/trial.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

// Throws tandem::Error when an edge has no decision, a decision has no edge or two edges of one
// decision disagree.
Candidate candidate_from_edge_choices(const SearchSpace& space,
                                      const SupernetDescription& description,
                                      const std::vector<int>& choice_per_edge);

// Per edge the index of the largest weight (the first on ties).
std::vector<int> argmax_choices(const std::vector<std::vector<double>>& weights_per_edge);

// One kept input of a DARTS node: the op (index into op_names) and the input state j.
struct DartsGene {
  int op = 0;
  int input = 0;
  bool operator==(const DartsGene&) const = default;
};

// The DARTS rule on one node's incoming edge weights W[j][k] (j = input state 0..n-1, k over
// op_names). `none_index` = the position of "none" in op_names (-1 when absent). Returns the two
// genes in kept order (highest edge score first).
std::vector<DartsGene> darts_node_genes(const std::vector<std::vector<double>>& weights,
                                        int none_index);

// The DARTS genotype of the `darts` space from weights keyed as in its supernet:
// "<normal|reduce>/<i><-<j>" for node state i = 2..5 and input state j < i, each a vector over
// op_names (DARTS PRIMITIVES: none, max_pool_3x3, ..., dil_conv_5x5). Ops are mapped to the space's
// decisions by name ("<cell> node <i> edge <e> op" / "... input").
Candidate darts_genotype(const SearchSpace& space,
                         const std::map<std::string, std::vector<double>>& weights_by_key,
                         const std::vector<std::string>& op_names);

}  // namespace tandem
