// Network: a trainable model built from any core::ComputeGraph, so every search space trains with
// no extra code. Each OpKind maps to op-table entries; conv2d/linear/batch_norm layers own
// parameters named "<layer name>.weight" / ".bias" and buffers ".running_mean" / ".running_var"
//, initialised as PyTorch's defaults (see init.hpp).
//
// A ReLU whose only consumer is a convolution is folded into it when the convolution's kernels
// can apply it for free (conv2d's relu_input): same values and gradients, one pass and one saved
// activation fewer.
//
// forward() records on the network's own tape (cleared at the start of every forward), so
//   Variable logits = net.forward(batch, /*training=*/true);
//   Variable loss = cross_entropy(logits, labels);
//   backward(loss);                // gradients land in net.parameters()
// predict() runs without a tape and frees each activation after its last use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/compute_graph.hpp"
#include "core/rng.hpp"
#include "trainers/autograd.hpp"
#include "trainers/parameters.hpp"
#include "trainers/threading.hpp"

namespace tandem {

struct NetworkOptions {
  std::uint64_t seed = 0;  // initialisation and dropout masks
  int threads = 0;         // size of the network's oneTBB arena; 0 = all hardware threads
  double bn_momentum = 0.1;
  double bn_epsilon = 1e-5;
  bool track_running_stats = true;  // false: BN uses batch statistics in eval mode too
};

// The interpreter shared by Network and Supernet: parameters for one ComputeGraph and a function
// that applies the graph to input Variables. Layers listed as hooks are not executed: `hook`
// computes them (the supernet uses this for mixed edges).
class GraphModule {
 public:
  using Hook = std::function<Variable(LayerId layer, const Variable& input)>;

  // Parameters are added to `parameters` with `prefix` before each layer name.
  GraphModule(const ComputeGraph& graph, ParameterSet& parameters, Rng& init_rng,
              const NetworkOptions& options, const std::string& prefix = "",
              std::vector<LayerId> hooked_layers = {});

  const ComputeGraph& graph() const { return graph_; }
  // Runs the graph; `inputs` in the order of graph.inputs(); returns the marked outputs (or the
  // last layer when none is marked). Records on `tape` when given.
  std::vector<Variable> apply(Tape* tape, const std::vector<Variable>& inputs, bool training,
                              Rng& dropout_rng, const Hook& hook = {}) const;

 private:
  struct LayerState {  // the parameters / buffers a layer reads (nullptr when none)
    Parameter* weight = nullptr;
    Parameter* bias = nullptr;
    Buffer* running_mean = nullptr;
    Buffer* running_var = nullptr;
  };
  ComputeGraph graph_;
  NetworkOptions options_;
  std::vector<LayerState> layers_;
  std::vector<bool> hooked_;
  std::vector<int> remaining_uses_;  // consumers per layer (for freeing in inference)
  // ReLU -> conv fusion: a ReLU whose only consumer is a convolution that applies the ReLU
  // itself (conv2d_fuses_relu) is not run; the convolution reads the ReLU's input instead.
  std::vector<bool> relu_fused_;     // per layer: a ReLU folded into its consumer
  std::vector<bool> conv_relu_input_;  // per layer: a conv2d whose input is a folded ReLU
};

class Network {
 public:
  explicit Network(const ComputeGraph& graph, NetworkOptions options = {});
  ~Network();

  // input: [N, C, H, W] matching the graph's input shape (tandem::Error names both shapes).
  // training: batch statistics + dropout; the result records on tape() for backward().
  Variable forward(const Tensor& input, bool training);
  // Inference: no tape, eval-mode batch norm, activations freed early. Returns logits [N, K].
  Tensor predict(const Tensor& input);

  ParameterSet& parameters() { return parameters_; }
  std::vector<Parameter*> weights() { return parameters_.weights(); }
  void zero_grad() { parameters_.zero_grad(); }
  Tape& tape() { return *tape_; }
  ThreadArena& arena() { return *arena_; }
  Rng& rng() { return rng_; }  // dropout masks; saved in checkpoints
  const ComputeGraph& graph() const { return module_->graph(); }
  TensorShape input_shape() const { return input_shape_; }

 private:
  NetworkOptions options_;
  ParameterSet parameters_;
  Rng rng_;
  std::unique_ptr<ThreadArena> arena_;
  std::unique_ptr<Tape> tape_;
  std::unique_ptr<GraphModule> module_;
  TensorShape input_shape_;
};

// Checks `input` against a per-sample shape; the error names both shapes.
void check_input_shape(const Tensor& input, const TensorShape& expected, const std::string& who);

}  // namespace tandem
