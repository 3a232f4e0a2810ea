// PathCodec: the space's candidates <-> single paths through its weight-sharing supernet (one
// active op per mixed edge), for the single-path methods (spos, few-shot with base spos, the
// proxyless derivation). Two ways an edge follows from a candidate:
//
//   * decision edges (nb201, mobilenet): MixedEdge::decision names the decision; candidate op k
//     realises the decision value choice_of_candidate[k] (or k).
//   * DARTS gene edges (darts; MixedEdge::decision = -1): the edge keyed "<cell>/<i><-<j>" reads
//     state j into node i. Node i holds two genes, decisions "<cell> node <i> edge <s> op" and
//     "... input" (s = 1, 2); the edge's active op is the op of the gene whose input is j, and
//     `none` when neither gene reads j (cnn/model_search.py: a derived cell is the supernet with
//     every unselected edge zero).
//
// Decisions form blocks that constrain one another only inside the block: one block per decision
// for decision edges, one per DARTS node (its four decisions; the two inputs distinct). Under the
// supernet's allowed op subsets (few-shot splits) each block's admitted assignments are
// enumerated, so PathChoices::sample is exactly uniform over the admitted paths, and an empty
// block (a split no valid candidate can meet) is reported instead of looped on.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/supernet_description.hpp"
#include "core/trial.hpp"
#include "spaces/search_space.hpp"
#include "trainers/supernet.hpp"

namespace tandem {

// The candidates a supernet's allowed op subsets admit, block by block.
struct PathChoices {
  std::vector<std::vector<std::size_t>> block_decisions;       // the decisions of each block
  std::vector<std::vector<std::vector<int>>> block_paths;      // per block: one assignment per distinct path
  std::vector<std::vector<int>> decision_values;               // per decision: every admitted value

  // Uniform over the admitted paths (each block's assignment drawn uniformly).
  Candidate sample(Rng& rng) const;
  // The number of admitted distinct paths.
  double size() const;
};

class PathCodec {
 public:
  // Throws ConfigError when an edge is neither a decision edge nor a DARTS gene edge, or a
  // decision has no edge.
  PathCodec(const SearchSpace& space, const SupernetDescription& description);

  // Per edge the active candidate op of `candidate`, -1 where the candidate has no op on that edge
  // (a value the edge does not hold, or both genes of a DARTS node reading one state).
  std::vector<int> path(const Candidate& candidate) const;
  // Sets every edge's active op (single-path forward of `candidate`); the candidate must map to a
  // full path.
  void set_path(Supernet& supernet, const Candidate& candidate) const;
  // Whether the candidate maps to a full path whose every op is in its edge's allowed subset.
  bool admits(const Supernet& supernet, const Candidate& candidate) const;
  // The admitted assignments of every block; throws tandem::Error naming the block when a split
  // leaves it none.
  PathChoices choices(const Supernet& supernet) const;

  // Per block, the edges whose op its decisions set, and their ops under one assignment of the
  // block's decisions (PathChoices::block_paths order); for additive per-path costs.
  const std::vector<std::vector<std::size_t>>& block_edges() const { return block_edges_; }
  std::vector<int> block_ops(std::size_t block, const std::vector<int>& assignment) const;

 private:
  struct EdgeLink {
    std::size_t block = 0;
    int decision = -1;                     // decision edge: the decision
    std::vector<int> candidate_of_value;   // decision edge: value -> candidate op (-1 = none)
    int state = -1;                        // gene edge: the input state j
    std::size_t op_decision[2] = {0, 0};   // gene edge: the node's two genes
    std::size_t input_decision[2] = {0, 0};
    std::vector<int> candidate_of_op;      // gene edge: op value -> candidate op
    int none_candidate = -1;               // gene edge: the `none` candidate
  };
  struct Block {
    std::vector<std::size_t> decisions;
    bool gene_node = false;  // DARTS node: decisions = op 1, input 1, op 2, input 2
    std::string name;
  };

  int active_op(const EdgeLink& link, const std::vector<int>& decisions) const;
  std::size_t gene_block(const std::string& cell, int node, const std::string& key);

  const SearchSpace& space_;
  std::vector<EdgeLink> links_;
  std::vector<Block> blocks_;
  std::vector<std::vector<std::size_t>> block_edges_;
};

}  // namespace tandem
