// GDAS (see gdas.hpp). Sources: AutoDL-Projects exps/NAS-Bench-201-algos/GDAS.py,
// configs/nas-benchmark/algos/GDAS.config, xautodl/models/cell_searchs/search_cells.py.
#include "search/oneshot/darts/gdas.hpp"

#include <memory>

#include "core/error.hpp"

namespace tandem {

GdasOptions gdas_defaults(const SearchSpace& space) {
  GdasOptions o;
  o.darts = darts_defaults(space);
  o.darts.step_order = "weights_first";  // GDAS.py search_func: w step, then the α step
  WeightSharingOptions& c = o.darts.common;
  c.epochs = 240;  // GDAS.config (+ warmup 0)
  c.lr = 0.025;
  c.lr_min = 0.001;
  c.momentum = 0.9;
  c.nesterov = true;
  c.weight_decay = 5e-4;
  c.batch_size = 64;
  c.grad_clip = 5.0;
  return o;
}

GdasOptions read_gdas_options(const ConfigNode& node, GdasOptions o) {
  o.darts = read_darts_options(node, o.darts);
  if (!node.present()) return o;
  if (o.darts.second_order)
    node.at("second_order")
        .fail(
            "second_order: true is not a GDAS option (GDAS updates α with "
            "the first-order gradient of the sampled network); use false");
  if (o.darts.sharp.weighting != "softmax")
    node.at("weighting")
        .fail("weighting: " + o.darts.sharp.weighting +
              " cannot be combined with gdas (its op weights are the Gumbel "
              "sample); use softmax");
  o.tau_max = node.get_double("tau_max", o.tau_max);
  o.tau_min = node.get_double("tau_min", o.tau_min);
  if (!(o.tau_min > 0.0))
    node.at("tau_min").fail("tau_min " + node.at("tau_min").scalar_text() + ": expected > 0");
  if (!(o.tau_max >= o.tau_min))
    node.at(node.has("tau_max") ? "tau_max" : "tau_min")
        .fail("tau_max must be >= tau_min (got " + std::to_string(o.tau_max) + " < " +
              std::to_string(o.tau_min) + ")");
  o.unselected_gradient =
      node.get_choice("unselected_gradient", o.unselected_gradient, {"auto", "output_sum", "none"});
  return o;
}

bool gdas_unselected_gradient(const std::string& option, const SupernetDescription& description) {
  if (option != "auto") return option == "output_sum";
  bool decisions = !description.edges.empty();
  for (const MixedEdge& edge : description.edges) decisions = decisions && edge.decision >= 0;
  return decisions;  // NB201-style cells (NAS201SearchCell.forward_gdas)
}

Gdas::Gdas(const StrategyContext& context, GdasOptions options)
    : DifferentiableSearch(context, "gdas", options.darts),
      gdas_(std::move(options)),
      relaxation_(/*hard=*/true, Rng(context.seed).derive(0x67646173).next_u64()) {}

void Gdas::begin_epoch(int epoch, Supernet& supernet) {
  if (epoch == 1) {
    supernet.set_edge_weight_function(resampling_weight_function(relaxation_));
    supernet.set_unselected_gradient(
        gdas_unselected_gradient(gdas_.unselected_gradient, supernet.description()));
  }
  relaxation_.set_temperature(
      gdas_temperature(epoch - 1, options().epochs, gdas_.tau_max, gdas_.tau_min));
}

void Gdas::end_epoch(int, Supernet&, Metrics& values) {
  values.set("search/temperature", relaxation_.temperature());
}

void register_gdas(StrategyRegistry& registry) {
  registry.add(
      "gdas", "weight-sharing",
      "GDAS: Gumbel-softmax sampled single path per edge (hard forward, straight-through α)",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        std::vector<std::string> keys = darts_option_keys();
        for (const char* key : {"tau_max", "tau_min", "unselected_gradient"}) keys.push_back(key);
        check_weight_sharing_keys(context.options, keys);
        GdasOptions options = read_gdas_options(context.options, gdas_defaults(context.space));
        context.space.default_supernet();  // a ConfigError now for spaces without one
        return std::make_unique<Gdas>(context, std::move(options));
      });
}

}  // namespace tandem
