// PC-DARTS (see pc_darts.hpp). Source: yuhuixu1993/PC-DARTS model_search.py, train_search.py.
#include "search/oneshot/darts/pc_darts.hpp"

#include <cmath>

#include "core/error.hpp"

namespace tandem {
namespace {

int divided(int value, int K, const std::string& what) {
  TANDEM_CHECK(value % K == 0, "pc_darts: partial_channels K = " + std::to_string(K) +
                                   " does not divide " + what + " (" + std::to_string(value) +
                                   "); choose a width divisible by K");
  return value / K;
}

// The same op graph built for C/K channels.
ComputeGraph scale_channels(const ComputeGraph& graph, int K, const std::string& where) {
  ComputeGraph out;
  for (const Layer& layer : graph.layers()) {
    const std::string what = where + " layer '" + layer.name + "'";
    if (layer.kind == OpKind::input) {
      TensorShape shape = layer.output;
      shape.channels = divided(shape.channels, K, what + " channels");
      out.add_input(layer.name, shape);
      continue;
    }
    LayerAttributes a = layer.attributes;
    switch (layer.kind) {
      case OpKind::conv2d:
        a.out_channels = divided(a.out_channels, K, what + " output channels");
        if (a.groups > 1) a.groups = divided(a.groups, K, what + " groups");
        break;
      case OpKind::zero:
        if (a.out_channels > 0) a.out_channels = divided(a.out_channels, K, what + " channels");
        break;
      case OpKind::channel_slice:
        a.slice_begin = divided(a.slice_begin, K, what + " slice");
        a.slice_end = divided(a.slice_end, K, what + " slice");
        break;
      case OpKind::linear:
        throw Error("pc_darts: " + what + " is a linear layer; partial channels apply to "
                    "convolutional edges only");
      default:
        break;
    }
    out.add(layer.kind, layer.name, layer.inputs, a);
  }
  for (LayerId id : graph.outputs()) out.mark_output(id);
  return out;
}

}  // namespace

PcDartsOptions pc_darts_defaults(const SearchSpace& space) {
  PcDartsOptions o;
  o.darts = darts_defaults(space);
  o.darts.step_order = "arch_first";  // train_search.py: architect.step, then the w step
  WeightSharingOptions& c = o.darts.common;
  c.batch_size = 256;
  c.lr = 0.1;
  c.lr_min = 0.0;
  c.momentum = 0.9;
  c.nesterov = false;
  c.weight_decay = 3e-4;
  c.arch_lr = 6e-4;
  return o;
}

PcDartsOptions read_pc_darts_options(const ConfigNode& node, PcDartsOptions o) {
  o.darts = read_darts_options(node, o.darts);
  if (!node.present() || !node.has("warmup_epochs"))  // 15 of 50 epochs, scaled
    o.darts.warmup_epochs = static_cast<int>(std::floor(0.3 * o.darts.common.epochs));
  if (node.present())
    o.partial_channels = static_cast<int>(node.get_int_in("partial_channels", o.partial_channels, 1, 64));
  return o;
}

SupernetDescription partial_channel_description(SupernetDescription description, int K) {
  TANDEM_CHECK(K >= 1, "pc_darts: partial_channels must be >= 1");
  for (MixedEdge& edge : description.edges) {
    const Layer& placeholder = description.skeleton.layer(edge.placeholder);
    const std::string where = "pc_darts: edge '" + placeholder.name + "'";
    const auto arrow = edge.alpha_key.rfind("<-");
    TANDEM_CHECK(arrow != std::string::npos && arrow + 2 < edge.alpha_key.size(),
                 where + ": alpha key '" + edge.alpha_key +
                     "' is not of the form <prefix><node><-<input> (edge normalisation needs the "
                     "node of every edge)");
    edge.beta_key = edge.alpha_key.substr(0, arrow);
    edge.beta_index = std::stoi(edge.alpha_key.substr(arrow + 2));
    if (K == 1) continue;
    edge.partial_channels = K;
    for (CandidateOp& op : edge.candidates) op.graph = scale_channels(op.graph, K, where + " op '" + op.name + "'");
  }
  return description;
}

std::map<std::string, std::vector<double>> edge_normalised_weights(Supernet& supernet) {
  std::map<std::string, std::vector<double>> weights;
  const SupernetDescription& d = supernet.description();
  for (std::size_t e = 0; e < d.edges.size(); ++e) {
    const MixedEdge& edge = d.edges[e];
    if (weights.count(edge.alpha_key)) continue;
    std::vector<double> w = supernet.edge_weights(e);
    if (!edge.beta_key.empty()) {
      const Tensor& beta = supernet.beta(edge.beta_key).value;
      double top = -1e300, sum = 0.0;
      for (float b : beta.values()) top = std::max(top, static_cast<double>(b));
      for (float b : beta.values()) sum += std::exp(static_cast<double>(b) - top);
      const double scale = std::exp(static_cast<double>(beta.data()[edge.beta_index]) - top) / sum;
      for (double& v : w) v *= scale;
    }
    weights[edge.alpha_key] = std::move(w);
  }
  return weights;
}

PcDarts::PcDarts(const StrategyContext& context, PcDartsOptions options)
    : DifferentiableSearch(context, "pc_darts", options.darts),
      partial_channels_(options.partial_channels) {}

void PcDarts::configure_supernet(SupernetDescription& description) {
  description = partial_channel_description(std::move(description), partial_channels_);
}

std::map<std::string, std::vector<double>> PcDarts::derivation_weights(Supernet& supernet) {
  return edge_normalised_weights(supernet);
}

void register_pc_darts(StrategyRegistry& registry) {
  registry.add(
      "pc_darts", "weight-sharing",
      "PC-DARTS: partial channels (K), channel shuffle, edge normalisation, warm-up epochs",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        std::vector<std::string> keys = darts_option_keys();
        keys.push_back("partial_channels");
        check_weight_sharing_keys(context.options, keys);
        PcDartsOptions options =
            read_pc_darts_options(context.options, pc_darts_defaults(context.space));
        context.space.default_supernet();  // a ConfigError now for spaces without one
        return std::make_unique<PcDarts>(context, std::move(options));
      });
}

}  // namespace tandem
