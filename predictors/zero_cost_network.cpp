// ZeroCostNetwork (see zero_cost_network.hpp): the graph rewrite that inserts probes, and the
// forward/backward that records what the probes see.
#include "predictors/zero_cost_network.hpp"

#include "core/error.hpp"

namespace tandem {
namespace {

bool weighted(OpKind kind) { return kind == OpKind::conv2d || kind == OpKind::linear; }
bool rectifier(OpKind kind) { return kind == OpKind::relu || kind == OpKind::relu6; }

}  // namespace

ZeroCostNetwork::ZeroCostNetwork(const ComputeGraph& original, ZeroCostNetworkOptions options)
    : options_(options), dropout_rng_(options.seed) {
  const auto inputs = original.inputs();
  TANDEM_CHECK(inputs.size() == 1, "zero-cost proxies: the graph must have exactly one input, it has " +
                                       std::to_string(inputs.size()));
  input_shape_ = original.layer(inputs[0]).output;

  // Copy the graph layer by layer (ids are a construction order), inserting identity probes
  // before every rectifier and after every conv2d/linear; consumers read the probes.
  std::vector<LayerId> mapped(original.size());
  std::vector<std::string> weighted_names;
  auto mark = [&](LayerId id, ProbeKind kind, int slot) {
    probe_kind_.resize(graph_.size(), ProbeKind::none);
    probe_slot_.resize(graph_.size(), -1);
    probe_kind_[id] = kind;
    probe_slot_[id] = slot;
  };
  for (const Layer& layer : original.layers()) {
    std::vector<LayerId> args;
    for (LayerId input : layer.inputs) args.push_back(mapped[input]);
    LayerId id = 0;
    if (layer.kind == OpKind::input) {
      id = graph_.add_input(layer.name, layer.output);
    } else if (layer.kind == OpKind::batch_norm && options_.remove_batch_norm) {
      id = graph_.add(OpKind::identity, layer.name, args);
    } else if (rectifier(layer.kind)) {
      const LayerId probe = graph_.add(OpKind::identity, layer.name + "#input", args);
      mark(probe, ProbeKind::relu_input, -1);
      id = graph_.add(layer.kind, layer.name, {probe}, layer.attributes);
    } else {
      id = graph_.add(layer.kind, layer.name, args, layer.attributes);
    }
    if (weighted(layer.kind)) {
      const LayerId probe = graph_.add(OpKind::identity, layer.name + "#output", {id});
      mark(probe, ProbeKind::layer_output, static_cast<int>(weighted_names.size()));
      weighted_names.push_back(layer.name);
      id = probe;
    }
    mapped[layer.id] = id;
  }
  std::vector<LayerId> outputs = original.outputs();
  if (outputs.empty()) outputs.push_back(original.size() - 1);
  for (LayerId id : outputs) graph_.mark_output(mapped[id]);
  probe_kind_.resize(graph_.size(), ProbeKind::none);
  probe_slot_.resize(graph_.size(), -1);

  std::vector<LayerId> hooked;
  for (LayerId id = 0; id < graph_.size(); ++id)
    if (probe_kind_[id] != ProbeKind::none) hooked.push_back(id);

  // As trainers::Network: the initialisation stream is derive(1) of the seed's generator.
  Rng init_rng = Rng(options_.seed).derive(1);
  NetworkOptions network_options;
  network_options.seed = options_.seed;
  network_options.threads = options_.threads;
  arena_ = std::make_unique<ThreadArena>(options_.threads);
  tape_ = std::make_unique<Tape>();
  tape_->set_arena(arena_.get());
  module_ = std::make_unique<GraphModule>(graph_, parameters_, init_rng, network_options, "",
                                          hooked);
  for (const std::string& name : weighted_names) {
    WeightedLayer layer;
    layer.name = name;
    layer.weight = parameters_.find(name + ".weight");
    layer.bias = parameters_.find(name + ".bias");
    TANDEM_ASSERT(layer.weight != nullptr);
    weighted_.push_back(layer);
  }
}

ZeroCostNetwork::~ZeroCostNetwork() = default;

Variable ZeroCostNetwork::probe(LayerId id, const Variable& input) {
  switch (probe_kind_[id]) {
    case ProbeKind::relu_input:
      relu_inputs_.push_back(input.value());
      return input;
    case ProbeKind::layer_output: {
      const auto slot = static_cast<std::size_t>(probe_slot_[id]);
      outputs_[slot] = input.value();
      if (!probe_gradients_) return input;
      Variable zero = tape_->leaf(Tensor::zeros(input.shape()), /*requires_grad=*/true);
      output_probes_[slot] = zero;
      return add({input, zero});
    }
    case ProbeKind::none:
      break;
  }
  TANDEM_ASSERT(false);
  return input;
}

Variable ZeroCostNetwork::forward(const Tensor& input, bool training, bool input_requires_grad,
                                  bool probe_gradients) {
  check_input_shape(input, input_shape_, "zero-cost proxy");
  tape_->clear();
  probe_gradients_ = probe_gradients;
  outputs_.assign(weighted_.size(), Tensor());
  output_probes_.assign(weighted_.size(), Variable());
  relu_inputs_.clear();
  Variable result;
  arena_->execute([&] {
    input_ = input_requires_grad ? tape_->leaf(input, true) : tape_->constant(input);
    result = module_
                 ->apply(tape_.get(), {input_}, training, dropout_rng_,
                         [this](LayerId id, const Variable& x) { return probe(id, x); })
                 .front();
  });
  return result;
}

void ZeroCostNetwork::backward(const Variable& output, const Tensor& seed) {
  tape_->backward(output, seed);
}

void ZeroCostNetwork::backward(const Variable& loss) { tape_->backward(loss); }

void ZeroCostNetwork::copy_parameters_from(ParameterSet& source) {
  for (Parameter* parameter : parameters_.all())
    if (Parameter* from = source.find(parameter->name)) parameter->value.copy_from(from->value);
}

Tensor ZeroCostNetwork::output_grad(std::size_t i) const {
  TANDEM_ASSERT(i < outputs_.size() && outputs_[i].defined());
  const Variable& probe = output_probes_.at(i);
  TANDEM_ASSERT(probe.defined());  // forward(..., probe_gradients = true) first
  Tensor grad = probe.grad();
  return grad.defined() ? grad : Tensor::zeros(outputs_[i].shape());
}

Tensor ZeroCostNetwork::input_grad() const {
  TANDEM_ASSERT(input_.defined() && input_.requires_grad());
  Tensor grad = input_.grad();
  return grad.defined() ? grad : Tensor::zeros(input_.shape());
}

}  // namespace tandem
