// sharpDARTS search pieces (CPA learning rate, Max-W weighting) and the `sharp_darts` strategy;
// see sharp_darts.hpp. Sources: ahundt/sharpDARTS cnn/train_search.py (defaults: --learning_rate
// 0.025, --learning_rate_min 1e-4, --lr_power_annealing_exponent_order 2, --warmup_epochs 5,
// --weighting_algorithm max_w), cnn/model_search.py (MixedOp), cnn/cosine_power_annealing.py.
#include "search/oneshot/darts/sharp_darts.hpp"

#include <algorithm>

#include "search/oneshot/darts/cosine_power_annealing.hpp"
#include "search/oneshot/darts/darts.hpp"
#include "search/oneshot/darts/max_w_regularization.hpp"

namespace tandem {

const std::vector<std::string>& sharp_darts_piece_keys() {
  static const std::vector<std::string> keys = {"lr_schedule", "lr_power", "lr_warmup_epochs",
                                                "weighting", "max_w_detach"};
  return keys;
}

SharpDartsPieces read_sharp_darts_pieces(const ConfigNode& node, SharpDartsPieces p,
                                         const WeightSharingOptions& common) {
  // the default warm-up scales with shorter runs: sharpDARTS warms up 5 of its 50+ epochs, so
  // at most epochs / 10 unless lr_warmup_epochs is given
  if (!node.present() || !node.has("lr_warmup_epochs"))
    p.lr_warmup_epochs = std::min(p.lr_warmup_epochs, common.epochs / 10);
  if (!node.present()) return p;
  p.lr_schedule = node.get_choice("lr_schedule", p.lr_schedule, {"cosine", "cosine_power"});
  p.lr_power = node.get_double("lr_power", p.lr_power);
  if (!(p.lr_power >= 1.0 && p.lr_power <= 1e6))
    node.at("lr_power")
        .fail("lr_power " + node.at("lr_power").scalar_text() +
              ": expected a number in [1, 1e6] (1 = plain cosine)");
  p.lr_warmup_epochs = static_cast<int>(
      node.get_int_in("lr_warmup_epochs", p.lr_warmup_epochs, 0, std::max(common.epochs - 1, 0)));
  p.weighting = node.get_choice("weighting", p.weighting, {"softmax", "max_w"});
  p.max_w_detach = node.get_bool("max_w_detach", p.max_w_detach);
  return p;
}

std::unique_ptr<LrSchedule> weight_lr_schedule(const WeightSharingOptions& common,
                                               const SharpDartsPieces& pieces) {
  if (pieces.lr_schedule == "cosine")  // CosineAnnealingLR(T_max = epochs, eta_min = lr_min)
    return std::make_unique<CosineSchedule>(common.lr, common.epochs, common.lr_min);
  CosinePowerAnnealingOptions o;
  o.max_lr = common.lr;
  o.min_lr = common.lr_min;
  o.power = pieces.lr_power;
  o.epochs = common.epochs;
  o.warmup_epochs = pieces.lr_warmup_epochs;
  return std::make_unique<CosinePowerAnnealing>(o);
}

void apply_weighting(Supernet& supernet, const SharpDartsPieces& pieces) {
  if (pieces.weighting != "max_w") return;
  const bool detach = pieces.max_w_detach;
  supernet.set_edge_weight_function(
      [detach](const std::string&, const Variable& alpha, const std::vector<int>& allowed) {
        return max_w_weights(alpha, allowed, detach);
      });
}

namespace {

class SharpDarts final : public DifferentiableSearch {
 public:
  SharpDarts(const StrategyContext& context, DartsOptions options)
      : DifferentiableSearch(context, "sharp_darts", std::move(options)) {}
};

DartsOptions sharp_darts_defaults(const SearchSpace& space) {
  DartsOptions o = darts_defaults(space);
  o.common.lr = 0.025;
  o.common.lr_min = 1e-4;
  o.sharp.lr_schedule = "cosine_power";
  o.sharp.lr_power = 2.0;
  o.sharp.lr_warmup_epochs = 5;
  o.sharp.weighting = "max_w";
  return o;
}

}  // namespace

void register_sharp_darts(StrategyRegistry& registry) {
  registry.add(
      "sharp_darts", "weight-sharing",
      "sharpDARTS: DARTS with Cosine Power Annealing of the w lr and Max-W op weighting",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        check_weight_sharing_keys(context.options, darts_option_keys());
        DartsOptions options =
            read_darts_options(context.options, sharp_darts_defaults(context.space));
        context.space.default_supernet();  // a ConfigError now for spaces without one
        return std::make_unique<SharpDarts>(context, std::move(options));
      });
}

}  // namespace tandem
