// SupernetDescription: how a search space describes its weight-sharing supernet, as plain
// core::ComputeGraph pieces, so spaces/ can produce it and trainers/ can build it without either
// including the other (trainers/supernet.hpp builds a trainable Supernet from it).
//
//   * `skeleton`: the whole network as a ComputeGraph in which every searchable edge is a
//     PLACEHOLDER layer — any single-input layer whose output shape is the edge's output shape
//     (use `zero` with out_channels/stride when the edge changes shape, `identity` otherwise).
//     The placeholder is never executed; the mixed edge replaces it.
//   * `edges`: one MixedEdge per placeholder, holding the candidate ops as small ComputeGraphs
//     (exactly one input, one marked output — or the last layer).
//   * `alpha_key`: edges with the same key share one architecture-parameter vector
//     (NB201: 6 keys shared by all 15 cells; DARTS: "normal/<edge>" and "reduce/<edge>").
//   * `decision`: the index of the space decision this edge realises (-1 when none), and
//     `choice_of_candidate[k]` the value index of that decision chosen by candidate k, so a
//     weight-sharing search can turn per-edge choices back into a Candidate of the space.
#pragma once

#include <string>
#include <vector>

#include "core/compute_graph.hpp"

namespace tandem {

struct CandidateOp {
  std::string name;    // e.g. "nor_conv_3x3"
  ComputeGraph graph;  // one input; output shape = the placeholder's output shape
};

struct MixedEdge {
  LayerId placeholder = 0;  // layer of the skeleton replaced by this edge
  std::vector<CandidateOp> candidates;
  std::string alpha_key;     // edges with equal keys share alpha
  std::vector<int> allowed;  // candidate subset (empty = all)
  int partial_channels = 1;  // PC-DARTS K (used in partial_channels mode)
  std::string beta_key;      // PC-DARTS edge normalisation group ("" = none)
  int beta_index = 0;        // this edge's position in its beta group
  int decision = -1;                    // the space decision this edge realises (-1 = none)
  std::vector<int> choice_of_candidate;  // decision value index per candidate (empty = identity)
};

struct SupernetDescription {
  ComputeGraph skeleton;
  std::vector<MixedEdge> edges;
};

}  // namespace tandem
