// GraphModule (a ComputeGraph interpreter over the op table) and Network (see network.hpp).
#include "trainers/network.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "trainers/init.hpp"

namespace tandem {

GraphModule::GraphModule(const ComputeGraph& graph, ParameterSet& parameters, Rng& init_rng,
                         const NetworkOptions& options, const std::string& prefix,
                         std::vector<LayerId> hooked_layers)
    : graph_(graph), options_(options) {
  layers_.resize(graph_.size());
  hooked_.assign(graph_.size(), false);
  for (LayerId id : hooked_layers) {
    TANDEM_CHECK(id < graph_.size(), "GraphModule: hooked layer " + std::to_string(id) +
                                         " outside the graph");
    hooked_[id] = true;
  }
  remaining_uses_.assign(graph_.size(), 0);
  for (const Layer& layer : graph_.layers())
    for (LayerId input : layer.inputs) ++remaining_uses_[input];

  relu_fused_.assign(graph_.size(), false);
  conv_relu_input_.assign(graph_.size(), false);
  const std::vector<LayerId>& marked = graph_.outputs();
  for (const Layer& layer : graph_.layers()) {
    if (layer.kind != OpKind::conv2d || hooked_[layer.id] || layer.inputs.size() != 1) continue;
    const Layer& source = graph_.layer(layer.inputs[0]);
    const bool is_output = std::find(marked.begin(), marked.end(), source.id) != marked.end() ||
                           (marked.empty() && source.id + 1 == graph_.size());
    if (source.kind != OpKind::relu || hooked_[source.id] || is_output ||
        remaining_uses_[source.id] != 1)
      continue;
    const LayerAttributes& a = layer.attributes;
    OpAttributes conv;
    conv.stride = a.stride;
    conv.padding = a.padding;
    conv.dilation = a.dilation;
    conv.groups = a.groups;
    const TensorShape in = graph_.input_shape(layer.id);
    if (!conv2d_fuses_relu(conv, a.kernel_h, a.kernel_w, in.height, in.width)) continue;
    relu_fused_[source.id] = true;
    conv_relu_input_[layer.id] = true;
  }

  for (const Layer& layer : graph_.layers()) {
    if (hooked_[layer.id]) continue;
    const LayerAttributes& a = layer.attributes;
    const std::string name = prefix + layer.name;
    LayerState& state = layers_[layer.id];
    if (layer.kind == OpKind::conv2d) {
      const TensorShape in = graph_.input_shape(layer.id);
      const std::int64_t fan_in =
          static_cast<std::int64_t>(in.channels / a.groups) * a.kernel_h * a.kernel_w;
      Tensor w = Tensor::empty({a.out_channels, in.channels / a.groups, a.kernel_h, a.kernel_w});
      fill_uniform(w, default_weight_bound(fan_in), init_rng);
      state.weight = &parameters.add(name + ".weight", w);
      if (a.bias) {
        Tensor b = Tensor::empty({a.out_channels});
        fill_uniform(b, 1.0 / std::sqrt(static_cast<double>(fan_in)), init_rng);
        state.bias = &parameters.add(name + ".bias", b);
      }
    } else if (layer.kind == OpKind::linear) {
      const std::int64_t fan_in = graph_.input_shape(layer.id).elements();
      Tensor w = Tensor::empty({a.out_channels, fan_in});
      fill_uniform(w, default_weight_bound(fan_in), init_rng);
      state.weight = &parameters.add(name + ".weight", w);
      if (a.bias) {
        Tensor b = Tensor::empty({a.out_channels});
        fill_uniform(b, 1.0 / std::sqrt(static_cast<double>(fan_in)), init_rng);
        state.bias = &parameters.add(name + ".bias", b);
      }
    } else if (layer.kind == OpKind::batch_norm) {
      const int channels = layer.output.channels;
      if (a.affine) {
        state.weight = &parameters.add(name + ".weight", Tensor::full({channels}, 1.0f));
        state.bias = &parameters.add(name + ".bias", Tensor::zeros({channels}));
      }
      if (options_.track_running_stats) {
        state.running_mean = &parameters.add_buffer(name + ".running_mean", Tensor::zeros({channels}));
        state.running_var = &parameters.add_buffer(name + ".running_var", Tensor::full({channels}, 1.0f));
      }
    }
  }
}

std::vector<Variable> GraphModule::apply(Tape* tape, const std::vector<Variable>& inputs,
                                         bool training, Rng& dropout_rng,
                                         const Hook& hook) const {
  const std::vector<LayerId> graph_inputs = graph_.inputs();
  TANDEM_CHECK(inputs.size() == graph_inputs.size(),
               "graph has " + std::to_string(graph_inputs.size()) + " inputs, got " +
                   std::to_string(inputs.size()));
  std::vector<Variable> values(graph_.size());
  std::vector<int> remaining = remaining_uses_;
  std::vector<LayerId> outputs = graph_.outputs();
  if (outputs.empty()) outputs.push_back(graph_.size() - 1);
  for (LayerId id : outputs) ++remaining[id];  // keep outputs alive

  auto param = [&](Parameter* p) -> Variable {
    if (!p) return {};
    return tape ? tape->parameter(*p) : Variable(p->value);
  };
  std::size_t next_input = 0;
  for (LayerId id : graph_.topological_order()) {
    const Layer& layer = graph_.layer(id);
    const LayerAttributes& a = layer.attributes;
    const LayerState& state = layers_[id];
    auto in = [&](std::size_t k = 0) -> const Variable& { return values[layer.inputs[k]]; };
    Variable out;
    if (layer.kind == OpKind::input) {
      out = inputs[next_input++];
    } else if (hooked_[id]) {
      TANDEM_CHECK(static_cast<bool>(hook), "layer '" + layer.name + "' needs a hook");
      out = hook(id, in());
    } else {
      OpAttributes oa;
      switch (layer.kind) {
        case OpKind::input:
          break;
        case OpKind::conv2d: {
          oa.stride = a.stride;
          oa.padding = a.padding;
          oa.dilation = a.dilation;
          oa.groups = a.groups;
          oa.relu_input = conv_relu_input_[id];
          std::vector<Variable> args{in(), param(state.weight)};
          if (state.bias) args.push_back(param(state.bias));
          out = tandem::apply(Op::conv2d, args, std::move(oa));
          break;
        }
        case OpKind::linear:
          out = linear(in(), param(state.weight), param(state.bias));
          break;
        case OpKind::batch_norm:
          out = batch_norm(in(), param(state.weight), param(state.bias),
                           state.running_mean ? state.running_mean->value : Tensor(),
                           state.running_var ? state.running_var->value : Tensor(),
                           {training, options_.bn_momentum, options_.bn_epsilon});
          break;
        case OpKind::relu:
          out = relu_fused_[id] ? in() : relu(in());  // a folded ReLU passes its input on
          break;
        case OpKind::relu6:
          out = relu6(in());
          break;
        case OpKind::max_pool:
        case OpKind::avg_pool:
          oa.kernel_h = a.kernel_h;
          oa.kernel_w = a.kernel_w;
          oa.stride = a.stride;
          oa.padding = a.padding;
          oa.count_include_pad = a.count_include_pad;
          oa.ceil_mode = a.ceil_mode;
          out = tandem::apply(layer.kind == OpKind::max_pool ? Op::max_pool : Op::avg_pool,
                              {in()}, std::move(oa));
          break;
        case OpKind::global_avg_pool:
          out = global_avg_pool(in());
          break;
        case OpKind::add:
        case OpKind::concat: {
          std::vector<Variable> args;
          for (LayerId input : layer.inputs) args.push_back(values[input]);
          out = layer.kind == OpKind::add ? add(args) : concat(args);
          break;
        }
        case OpKind::zero:
          out = zero_like(in(), a.out_channels, a.stride);
          break;
        case OpKind::identity:
          out = identity(in());
          break;
        case OpKind::channel_slice:
          out = channel_slice(in(), a.slice_begin, a.slice_end);
          break;
        case OpKind::channel_shuffle:
          out = channel_shuffle(in(), a.groups);
          break;
        case OpKind::dropout:
          out = (training && a.rate > 0.0) ? dropout(in(), a.rate, true, dropout_rng.next_u64())
                                           : in();
          break;
      }
    }
    values[id] = std::move(out);
    if (!tape) {  // inference: free inputs after their last use
      for (LayerId input : layer.inputs)
        if (--remaining[input] == 0) values[input] = Variable();
    }
  }
  std::vector<Variable> result;
  for (LayerId id : outputs) result.push_back(values[id]);
  return result;
}

void check_input_shape(const Tensor& input, const TensorShape& expected, const std::string& who) {
  const bool ok = input.dim() == 4 && input.size(1) == expected.channels &&
                  input.size(2) == expected.height && input.size(3) == expected.width;
  TANDEM_CHECK(ok, who + ": input of shape " + shape_to_string(input.shape()) +
                       " does not match the network input Nx" + expected.to_string());
}

Network::Network(const ComputeGraph& graph, NetworkOptions options)
    : options_(options), rng_(options.seed) {
  const auto inputs = graph.inputs();
  TANDEM_CHECK(inputs.size() == 1, "Network: the graph must have exactly one input, it has " +
                                       std::to_string(inputs.size()));
  input_shape_ = graph.layer(inputs[0]).output;
  Rng init_rng = rng_.derive(1);
  arena_ = std::make_unique<ThreadArena>(options.threads);
  tape_ = std::make_unique<Tape>();
  tape_->set_arena(arena_.get());
  module_ = std::make_unique<GraphModule>(graph, parameters_, init_rng, options_);
}

Network::~Network() = default;

Variable Network::forward(const Tensor& input, bool training) {
  check_input_shape(input, input_shape_, "Network::forward");
  tape_->clear();
  Variable result;
  arena_->execute([&] {
    Variable x = tape_->constant(input);
    result = module_->apply(tape_.get(), {x}, training, rng_).front();
  });
  return result;
}

Tensor Network::predict(const Tensor& input) {
  check_input_shape(input, input_shape_, "Network::predict");
  Tensor result;
  arena_->execute([&] {
    result = module_->apply(nullptr, {Variable(input)}, false, rng_).front().value();
  });
  return result;
}

}  // namespace tandem
