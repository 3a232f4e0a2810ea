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
//   two_path          ProxylessNAS "two" (mit-han-lab/proxylessnas search/modules/mix_op.py,
//                     MODE == 'two'): per alpha key a pair {a, b} sampled without replacement
//                     from softmax(alpha) over the allowed subset and the active op c of the pair
//                     from q = softmax(alpha_a, alpha_b) (sample_path_pairs). Forward
//                     y = g_c op_c(x) + g_o detach(op_o(x)), g = one-hot(c), so the value is
//                     op_c(x), only op_c's weights and x get gradients, and
//                     dL/dalpha_i = sum_{j in pair} dL/dg_j q_j (delta_ij - q_i) for i in pair
//                     (0 for the other ops). After the optimizer step rescale_path_pairs() shifts
//                     the pair's alphas by log(sum exp(new) / sum exp(old)) so the unsampled ops
//                     keep their probabilities (mix_op.py rescale_updated_arch_param).
//                     Every edge sharing an alpha key uses the key's pair (one architecture per
//                     forward, as AutoDL's NB201 samplers); a key whose subset has one op runs it
//                     with no alpha gradient.
//   hard_weights      GDAS (AutoDL): w = the edge weight function (or softmax) of alpha;
//                     a = argmax_k w_k over the allowed subset; y = w_a op_a(x), only op_a runs;
//                     with set_unselected_gradient(true) also + sum_{k != a} w_k * ones (value 0
//                     for a one-hot w; passes sum(dL/dy) to w_k, AutoDL NAS201SearchCell
//                     forward_gdas). last_selected(edge) = a of the last forward.
// set_edge_weight_function(f): weighted_sum / partial_channels / hard_weights take the mixing
// weights of an alpha key from f(key, alpha Variable, allowed subset of the key's first edge),
// computed once per key per forward and shared by its edges (SNAS / GDAS Gumbel samples,
// sharpDARTS Max-W). Unset: softmax(alpha) over each edge's subset.
// Restricted subsets (few-shot sub-supernets): MixedEdge::allowed lists the candidate indices the
// edge may use; softmax and sampling run over that subset only, the others are never executed.
// Hooks for one-shot and few-shot searches: sample_paths (one op per alpha key: an architecture of
// the space), drop_zero_path_gradients (ProxylessNAS skips the arch update of an edge whose active
// op is Zero), reset_running_statistics / recalibrate_batch_norm (SPOS BN recalibration),
// shared_weights (GM-NAS: the weights whose gradients are matched when an edge is split) and
// copy_state_from (few-shot children inherit the parent's weights, alphas and BN statistics).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/compute_graph.hpp"
#include "core/supernet_description.hpp"
#include "trainers/network.hpp"

namespace tandem {

enum class SupernetMode {
  weighted_sum,
  partial_channels,
  single_path,
  binary_gates,
  two_path,
  hard_weights
};

// ProxylessNAS two-path sample of one alpha key: the active op and the detached inactive one
// (-1 when the key's allowed subset has a single op).
struct PathPair {
  int active = 0;
  int inactive = -1;
};

class Supernet {
 public:
  explicit Supernet(const SupernetDescription& description, NetworkOptions options = {});
  ~Supernet();

  void set_mode(SupernetMode mode) { mode_ = mode; }
  SupernetMode mode() const { return mode_; }
  using EdgeWeightFunction = std::function<Variable(
      const std::string& alpha_key, const Variable& alpha, const std::vector<int>& allowed)>;
  void set_edge_weight_function(EdgeWeightFunction function) {
    edge_weight_function_ = std::move(function);
  }
  const EdgeWeightFunction& edge_weight_function() const { return edge_weight_function_; }
  void set_unselected_gradient(bool on) { unselected_gradient_ = on; }
  int last_selected(std::size_t edge) const { return last_selected_.at(edge); }

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
  // The candidate subset of an edge (all candidates when unrestricted).
  std::vector<int> allowed(std::size_t edge) const { return allowed_of(edge); }
  // One op per alpha key (uniform over the allowed subset, or from softmax(alpha) over it), set
  // active on every edge of the key: a sampled architecture of the space. Edges of one key must
  // share the allowed subset.
  void sample_paths(Rng& rng, bool from_alpha);
  // two_path mode: samples the pair and the active op of every alpha key (see the header); also
  // sets the active op of every edge to the key's active op.
  void sample_path_pairs(Rng& rng);
  const PathPair& path_pair(const std::string& key) const;
  // ProxylessNAS mix_op.py set_arch_param_grad: the alpha of a key whose edges all have a zero op
  // active (a candidate whose output layer is OpKind::zero) gets no update this step: its
  // gradient is released (undefined), so optimizers skip it as PyTorch skips grad = None.
  // Returns the keys dropped.
  std::vector<std::string> drop_zero_path_gradients();
  // two_path mode, after the alpha optimizer step: alpha_i -= log(sum_pair exp(alpha_new) /
  // sum_pair exp(alpha_old)) for the pair of every key not dropped, where alpha_old are the
  // values of `alpha_before` (a snapshot taken before the step, see alpha_snapshot()).
  void rescale_path_pairs(const std::map<std::string, std::vector<float>>& alpha_before,
                          const std::vector<std::string>& dropped = {});
  std::map<std::string, std::vector<float>> alpha_snapshot() const;
  bool is_zero_candidate(std::size_t edge, int candidate) const;

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

  // SPOS BN recalibration (megvii-model/SinglePathOneShot, "clear bn statics" + "train bn with
  // training set"): every running mean to 0 and variance to 1 ...
  void reset_running_statistics();
  // ... then forward passes in training mode over `batches` (no backward, no weight update) with
  // the active paths. cumulative = false: the network's EMA momentum updates the statistics, as
  // SPOS; cumulative = true: they end as the plain average of the per-batch statistics (running
  // var: of the unbiased batch variances), as PyTorch's momentum=None.
  void recalibrate_batch_norm(const std::vector<Tensor>& batches, bool cumulative);
  // GM-NAS "shared module" of an edge: the candidate-op weights of every edge whose alpha key
  // differs from `excluded_key`, plus the skeleton weights that lie between searched edges (a
  // descendant and an ancestor of some placeholder: NB201's ResNet reduction blocks, DARTS cell
  // preprocessing); the stem before the first edge and the head after the last are excluded.
  std::vector<Parameter*> shared_weights(const std::string& excluded_key);
  // Copies every parameter value and buffer of `other` (same description up to allowed subsets)
  // by name: a few-shot child inherits its parent.
  void copy_state_from(Supernet& other);

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
  std::vector<std::vector<bool>> zero_candidate_;  // [edge][candidate]: output layer is zero
  std::map<std::string, PathPair> pairs_;          // two_path samples per alpha key
  EdgeWeightFunction edge_weight_function_;
  bool unselected_gradient_ = false;
  std::vector<int> last_selected_;  // hard_weights: the op run on each edge in the last forward
  // per forward: the variables of the shared alpha/beta on the current tape
  std::map<std::string, Variable> alpha_vars_, beta_vars_, weight_vars_;
};

}  // namespace tandem
