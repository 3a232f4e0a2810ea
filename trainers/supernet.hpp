// Supernet: the weight-sharing network that DARTS, PC-DARTS, SPOS, ProxylessNAS and few-shot
// (GM-NAS) searches train. A space describes its supernet with SupernetDescription, made only of
// core::ComputeGraph pieces (trainers/ may not include spaces/):
//
//   * `skeleton`: the whole network as a ComputeGraph in which every searchable edge is a
//     PLACEHOLDER layer — any single-input layer whose output shape is the edge's output shape
//     (use `zero` with out_channels/stride when the edge changes shape, `identity` otherwise).
//     The placeholder is never executed; the mixed edge replaces it.
//   * `edges`: one MixedEdge per placeholder, holding the candidate ops as small ComputeGraphs
//     (exactly one input, one marked output — or the last layer). Each edge instance owns its own
//     candidate weights (named "<placeholder name>/<op name>/<layer name>.weight").
//   * architecture parameters are keyed by strings: edges with the same `alpha_key` share one
//     alpha vector of length = number of candidates (NB201: 6 keys shared by all 15 cells; DARTS:
//     "normal/<edge>" and "reduce/<edge>"). Initialised 1e-3 * N(0, 1) as DARTS/AutoDL.
//   * PC-DARTS edge normalisation (optional): edges with the same `beta_key` form one node; the
//     edge's output is multiplied by softmax(beta[beta_key])[beta_index].
//
// Modes (Supernet::set_mode):
//   weighted_sum      y = sum_k softmax(alpha)_k op_k(x)                         (DARTS)
//   partial_channels  the same weighting as weighted_sum (an alias that documents intent).
// PC-DARTS partial channels are a property of the EDGE, because its candidates are built for
// C/K input channels: an edge with MixedEdge::partial_channels = K > 1 always computes
// x1 = first C/K channels, x2 = the rest; y1 = the mode's mix of ops on x1;
// y = channel_shuffle(concat(y1, x2, or maxpool2x2(x2) when the edge halves H and W), K).
//   single_path       only the active op of each edge runs, y = op_a(x), no alpha gradient
//                     (SPOS uniform sampling; ProxylessNAS weight step sampling from softmax)
//   binary_gates      ProxylessNAS full_v2: y = sum_k g_k op_k(x) with g = one-hot(active);
//                     every op is evaluated so dL/dg_k = <op_k(x), dL/dy>, and
//                     dL/dalpha_i = sum_j dL/dg_j p_j (delta_ij - p_i), p = softmax(alpha)
// Restricted subsets (few-shot sub-supernets): MixedEdge::allowed lists the candidate indices the
// edge may use; softmax and sampling run over that subset only, the others are never executed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/compute_graph.hpp"
#include "trainers/network.hpp"

namespace tandem {

struct CandidateOp {
  std::string name;    // e.g. "nor_conv_3x3"
  ComputeGraph graph;  // one input; output shape = the placeholder's output shape
};

struct MixedEdge {
  LayerId placeholder = 0;  // layer of the skeleton replaced by this edge
  std::vector<CandidateOp> candidates;
  std::string alpha_key;       // edges with equal keys share alpha
  std::vector<int> allowed;    // candidate subset (empty = all)
  int partial_channels = 1;    // PC-DARTS K (used in partial_channels mode)
  std::string beta_key;        // PC-DARTS edge normalisation group ("" = none)
  int beta_index = 0;          // this edge's position in its beta group
};

struct SupernetDescription {
  ComputeGraph skeleton;
  std::vector<MixedEdge> edges;
};

enum class SupernetMode { weighted_sum, partial_channels, single_path, binary_gates };

class Supernet {
 public:
  explicit Supernet(const SupernetDescription& description, NetworkOptions options = {});
  ~Supernet();

  void set_mode(SupernetMode mode) { mode_ = mode; }
  SupernetMode mode() const { return mode_; }

  // Records on tape(); architecture parameters get gradients in weighted_sum,
  // partial_channels and binary_gates modes.
  Variable forward(const Tensor& input, bool training);

  // Active op per edge (single_path / binary_gates). Defaults to the first allowed op.
  void set_active(std::size_t edge, int candidate);
  int active(std::size_t edge) const { return active_.at(edge); }
  // Samples the active op of every edge: uniformly over the allowed subset (SPOS) or from
  // softmax(alpha) restricted to the subset (ProxylessNAS). Edges that share an alpha key are
  // sampled independently.
  void sample_active(Rng& rng, bool from_alpha);
  // Restrict an edge to a candidate subset (few-shot split); empty = all.
  void set_allowed(std::size_t edge, std::vector<int> allowed);

  ParameterSet& parameters() { return parameters_; }
  std::vector<Parameter*> weights() { return parameters_.weights(); }
  std::vector<Parameter*> architecture() { return parameters_.architecture(); }
  // The alpha vector of a key ("alpha/<key>") and beta of a group ("beta/<key>").
  Parameter& alpha(const std::string& key);
  Parameter& beta(const std::string& key);
  std::vector<std::string> alpha_keys() const;
  // softmax(alpha) over the edge's allowed subset (0 elsewhere), as doubles.
  std::vector<double> edge_weights(std::size_t edge);
  // The argmax candidate of each edge over its allowed subset (derivation).
  std::vector<int> derive() const;

  const SupernetDescription& description() const { return description_; }
  std::size_t edge_count() const { return description_.edges.size(); }
  Tape& tape() { return *tape_; }
  ThreadArena& arena() { return *arena_; }
  Rng& rng() { return rng_; }
  void zero_grad() { parameters_.zero_grad(); }

 private:
  Variable apply_edge(std::size_t edge, const Variable& input, bool training);
  std::vector<int> allowed_of(std::size_t edge) const;

  SupernetDescription description_;
  NetworkOptions options_;
  SupernetMode mode_ = SupernetMode::weighted_sum;
  ParameterSet parameters_;
  Rng rng_;
  std::unique_ptr<ThreadArena> arena_;
  std::unique_ptr<Tape> tape_;
  std::unique_ptr<GraphModule> skeleton_;
  std::vector<std::vector<std::unique_ptr<GraphModule>>> candidates_;  // [edge][candidate]
  std::map<LayerId, std::size_t> edge_of_placeholder_;
  std::map<std::string, Parameter*> alphas_;
  std::map<std::string, Parameter*> betas_;
  std::vector<int> active_;
  // per forward: the variables of the shared alpha/beta on the current tape
  std::map<std::string, Variable> alpha_vars_, beta_vars_;
};

}  // namespace tandem
