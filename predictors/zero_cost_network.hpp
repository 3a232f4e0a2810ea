// ZeroCostNetwork: the network a zero-cost proxy scores. It is a trainers::GraphModule over a
// rewritten copy of the candidate's ComputeGraph, with "probes" (hooked identity layers) that expose
// what the proxies read, the way the reference code does it with PyTorch hooks:
//   * the output of every conv2d / linear layer (before any batch norm) and, after backward(), the
//     gradient of the loss w.r.t. that output (fisher; the reference hooks an nn.Identity placed
//     right after the layer). The probe adds a zero leaf to the output; the tape keeps a leaf's
//     gradient, which equals the gradient w.r.t. the output;
//   * the input of every relu / relu6 (naswot's binary activation codes);
//   * the gradient w.r.t. the network input (jacov).
// Batch norm can be replaced by identity, as the synflow reference does (`bn=False` copies).
// Parameters are created and initialised exactly as trainers::Network(graph, {seed}) creates them
// (same names, same PyTorch-default initialisation from the same seed), so a proxy scores the
// network that `train` would start from.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/compute_graph.hpp"
#include "core/rng.hpp"
#include "trainers/autograd.hpp"
#include "trainers/network.hpp"
#include "trainers/parameters.hpp"
#include "trainers/threading.hpp"

namespace tandem {

struct ZeroCostNetworkOptions {
  std::uint64_t seed = 0;          // weight initialisation (as NetworkOptions::seed)
  int threads = 1;                 // oneTBB arena size; 0 = all hardware threads
  bool remove_batch_norm = false;  // every batch_norm layer becomes identity
};

class ZeroCostNetwork {
 public:
  // One conv2d or linear layer of the original graph, in graph order.
  struct WeightedLayer {
    std::string name;
    Parameter* weight = nullptr;
    Parameter* bias = nullptr;  // nullptr when the layer has none
  };

  ZeroCostNetwork(const ComputeGraph& graph, ZeroCostNetworkOptions options);
  ~ZeroCostNetwork();
  ZeroCostNetwork(const ZeroCostNetwork&) = delete;
  ZeroCostNetwork& operator=(const ZeroCostNetwork&) = delete;

  // Runs the network on `input` [N, C, H, W] (checked against the graph's input shape) and
  // records on the network's tape. training: batch-statistics batch norm (the reference's
  // train mode). input_requires_grad: keep the gradient w.r.t. the input (input_grad()).
  // probe_gradients: keep the gradient w.r.t. every weighted layer's output (output_grad()).
  // Returns the logits (the graph's first output).
  Variable forward(const Tensor& input, bool training, bool input_requires_grad = false,
                   bool probe_gradients = false);
  // Backward from `output` seeded with `seed` (same shape), or from a one-element loss.
  void backward(const Variable& output, const Tensor& seed);
  void backward(const Variable& loss);

  ParameterSet& parameters() { return parameters_; }
  const std::vector<WeightedLayer>& weighted_layers() const { return weighted_; }
  // Copies every parameter value that has a namesake in `source` (layers absent there, e.g.
  // batch norm in a network without it, keep their values).
  void copy_parameters_from(ParameterSet& source);

  // What the last forward()/backward() saw. Index i follows weighted_layers().
  const Tensor& output(std::size_t i) const { return outputs_.at(i); }
  Tensor output_grad(std::size_t i) const;  // needs forward(..., probe_gradients = true)
  const std::vector<Tensor>& relu_inputs() const { return relu_inputs_; }  // graph order
  Tensor input_grad() const;  // needs forward(..., input_requires_grad = true)

  const ComputeGraph& graph() const { return graph_; }  // the rewritten graph

  ThreadArena& arena() { return *arena_; }

 private:
  enum class ProbeKind { none, layer_output, relu_input };
  Variable probe(LayerId id, const Variable& input);

  ComputeGraph graph_;
  ZeroCostNetworkOptions options_;
  TensorShape input_shape_;
  ParameterSet parameters_;
  Rng dropout_rng_;
  std::unique_ptr<ThreadArena> arena_;
  std::unique_ptr<Tape> tape_;
  std::unique_ptr<GraphModule> module_;
  std::vector<ProbeKind> probe_kind_;   // per layer of graph_
  std::vector<int> probe_slot_;         // per layer of graph_: index into weighted_ / -1
  std::vector<WeightedLayer> weighted_;

  // Per-forward state.
  bool probe_gradients_ = false;
  Variable input_;
  std::vector<Tensor> outputs_;
  std::vector<Variable> output_probes_;
  std::vector<Tensor> relu_inputs_;
};

}  // namespace tandem
