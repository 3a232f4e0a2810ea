// Parsing and validation of the `pruner:` section (see pruner_options.hpp, docs/pruners.md).
#include "experiments/pruners/pruner_options.hpp"

#include <algorithm>
#include <limits>

#include "core/text.hpp"
#include "predictors/curve_extrapolation.hpp"

namespace tandem {
namespace {

constexpr long long kLargest = std::numeric_limits<int>::max();

// `key: auto` (nullopt) or an integer in [low, kLargest]; `fallback` when absent.
std::optional<int> auto_or_int(const ConfigNode& options, const std::string& key,
                               std::optional<int> fallback, long long low) {
  if (!options.has(key)) return fallback;
  const ConfigNode value = options.at(key);
  if (value.is_scalar() && value.scalar_text() == "auto") return std::nullopt;
  long long number = 0;
  try {
    number = value.as_int();
  } catch (const ConfigError&) {
    value.fail(key + " '" + value.scalar_text() +
               "': expected 'auto' or an integer >= " + std::to_string(low));
  }
  if (number < low || number > kLargest)
    value.fail(key + " " + value.scalar_text() +
               ": expected 'auto' or an integer >= " + std::to_string(low));
  return static_cast<int>(number);
}

int int_in(const ConfigNode& options, const std::string& key, int fallback, long long low) {
  return static_cast<int>(options.get_int_in(key, fallback, low, kLargest));
}

// `key` belongs to the other learning-curve predictor.
void reject_keys(const ConfigNode& options, const std::vector<std::string>& keys,
                 const std::string& predictor, const std::string& other) {
  for (const auto& key : keys)
    if (options.has(key))
      options.at(key).fail("option '" + key + "' applies to predictor " + other +
                           ", not to predictor " + predictor);
}

void parse_median(const ConfigNode& options, MedianPrunerOptions& out) {
  out.n_startup_trials = int_in(options, "n_startup_trials", out.n_startup_trials, 0);
  out.n_warmup_steps = int_in(options, "n_warmup_steps", out.n_warmup_steps, 0);
  out.interval_steps = int_in(options, "interval_steps", out.interval_steps, 1);
  out.n_min_trials = int_in(options, "n_min_trials", out.n_min_trials, 1);
}

void parse_successive_halving(const ConfigNode& options, SuccessiveHalvingOptions& out) {
  out.min_resource = auto_or_int(options, "min_resource", out.min_resource, 1);
  out.reduction_factor = int_in(options, "reduction_factor", out.reduction_factor, 2);
  out.min_early_stopping_rate =
      int_in(options, "min_early_stopping_rate", out.min_early_stopping_rate, 0);
  out.bootstrap_count = int_in(options, "bootstrap_count", out.bootstrap_count, 0);
  if (out.bootstrap_count > 0 && !out.min_resource)
    options.at("bootstrap_count")
        .fail("bootstrap_count > 0 needs an integer min_resource, not 'auto' (as in Optuna)");
}

void parse_hyperband(const ConfigNode& options, HyperbandOptions& out) {
  out.min_resource = int_in(options, "min_resource", out.min_resource, 1);
  out.max_resource = auto_or_int(options, "max_resource", out.max_resource, 1);
  out.reduction_factor = int_in(options, "reduction_factor", out.reduction_factor, 2);
  out.bootstrap_count = int_in(options, "bootstrap_count", out.bootstrap_count, 0);
  if (out.max_resource && *out.max_resource < out.min_resource)
    options.at("max_resource")
        .fail("max_resource " + std::to_string(*out.max_resource) +
              ": expected an integer >= min_resource (" + std::to_string(out.min_resource) + ")");
  if (out.bootstrap_count > 0 && !out.max_resource)
    options.at("bootstrap_count")
        .fail("bootstrap_count > 0 needs an integer max_resource, not 'auto' (as in Optuna)");
}

void parse_learning_curve(const ConfigNode& options, LearningCurvePrunerOptions& out) {
  const std::string predictor = options.get_choice("predictor", "svr", {"svr", "curve_fit"});
  const std::vector<std::string> svr_keys = {"architecture_features", "draws", "folds",
                                             "curve_features", "standardize"};
  const std::vector<std::string> fit_keys = {"families", "train_fraction", "recency_weighting"};
  if (predictor == "svr") {
    reject_keys(options, fit_keys, "svr", "curve_fit");
    out.predictor = CurvePredictorKind::svr;
    out.delta = 0.99;  // Baker et al. (UNVERIFIED constant)
    out.min_trials = 100;
    out.min_steps = 1;
  } else {
    reject_keys(options, svr_keys, "curve_fit", "svr");
    out.predictor = CurvePredictorKind::curve_fit;
    out.delta = 0.95;  // Domhan et al.: stop when P(y_T > y_best) < 0.05
    out.min_trials = 1;
    out.min_steps = 5;  // 4 points to fit (train_fraction 0.8) and one held out
  }
  out.delta = options.get_double("delta", out.delta);
  if (!(out.delta > 0.0 && out.delta < 1.0))
    options.at("delta").fail("delta " + options.at("delta").scalar_text() +
                             ": expected a probability in (0, 1)");
  out.folds = int_in(options, "folds", out.folds, 2);
  const int fewest = predictor == "svr" ? std::max(3, out.folds) : 1;
  out.min_trials = int_in(options, "min_trials", out.min_trials, fewest);
  out.final_step = auto_or_int(options, "final_step", out.final_step, 1);
  out.min_steps = int_in(options, "min_steps", out.min_steps, predictor == "svr" ? 1 : 2);
  out.interval_steps = int_in(options, "interval_steps", out.interval_steps, 1);
  out.architecture_features =
      options.get_choice("architecture_features", "one_hot", {"one_hot", "none"}) == "one_hot";
  out.draws = int_in(options, "draws", out.draws, 1);
  out.curve_features =
      options.get_choice("curve_features", out.curve_features, {"full", "summary"});
  out.standardize = options.get_bool("standardize", out.standardize);
  if (options.has("families")) {
    const ConfigNode families = options.at("families");
    out.families = families.as_string_list();
    if (out.families.empty()) families.fail("expected a non-empty list of curve families");
    const auto known = curve_family_names();
    for (const auto& name : out.families)
      if (std::find(known.begin(), known.end(), name) == known.end())
        families.fail("unknown curve family '" + name + "'" + did_you_mean(name, known) +
                      "; accepted: " + join(known, ", "));
  }
  out.train_fraction = options.get_double("train_fraction", out.train_fraction);
  if (!(out.train_fraction > 0.0 && out.train_fraction <= 1.0))
    options.at("train_fraction")
        .fail("train_fraction " + options.at("train_fraction").scalar_text() +
              ": expected a fraction in (0, 1]");
  out.recency_weighting = options.get_bool("recency_weighting", out.recency_weighting);
}

}  // namespace

std::vector<std::string> pruner_names() {
  return {"median", "successive_halving", "hyperband", "learning_curve"};
}

PrunerOptions parse_pruner_options(const ConfigNode& node,
                                   const std::vector<Objective>& objectives) {
  PrunerOptions out;
  out.node = node;
  ConfigNode options;
  ConfigNode name_node = node;
  if (node.is_map()) {
    node.check_keys({"name", "options"});
    name_node = node.at("name");
    options = node.optional("options");
    if (options.present() && !options.is_map() && !options.is_null())
      options.fail("expected a mapping of pruner options");
  } else if (!node.is_scalar()) {
    node.fail("expected a pruner name or {name: NAME, options: {...}}; accepted names: " +
              join(pruner_names(), ", "));
  }
  out.name = name_node.as_string();
  const auto names = pruner_names();
  if (std::find(names.begin(), names.end(), out.name) == names.end())
    name_node.fail("unknown pruner '" + out.name + "'" + did_you_mean(out.name, names) +
                   "; accepted: " + join(names, ", "));

  std::vector<std::string> keys = {"metric", "direction"};
  auto add = [&](std::vector<std::string> more) {
    keys.insert(keys.end(), more.begin(), more.end());
  };
  if (out.name == "median")
    add({"n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"});
  if (out.name == "successive_halving")
    add({"min_resource", "reduction_factor", "min_early_stopping_rate", "bootstrap_count"});
  if (out.name == "hyperband")
    add({"min_resource", "max_resource", "reduction_factor", "bootstrap_count"});
  if (out.name == "learning_curve")
    add({"predictor", "delta", "min_trials", "final_step", "min_steps", "interval_steps",
         "architecture_features", "draws", "folds", "curve_features", "standardize", "families",
         "train_fraction", "recency_weighting"});
  options.check_keys(keys);

  // The judged metric and its direction: an objective's direction, or `direction` for another
  // metric (required then).
  out.metric_from_objective = !options.has("metric");
  out.metric = out.metric_from_objective ? objectives.front().metric : options.get_string("metric");
  if (out.metric.empty()) options.at("metric").fail("the pruner metric must not be empty");
  const Objective* objective = nullptr;
  for (const auto& o : objectives)
    if (o.metric == out.metric) objective = &o;
  if (options.has("direction")) {
    const bool minimize =
        options.get_choice("direction", "", {"maximize", "minimize"}) == "minimize";
    if (objective && objective->minimize != minimize)
      options.at("direction")
          .fail("direction " + options.at("direction").scalar_text() + " contradicts objective " +
                out.metric + " (" + (objective->minimize ? "minimize" : "maximize") +
                "); leave direction out for an objective's metric");
    out.minimize = minimize;
  } else if (objective) {
    out.minimize = objective->minimize;
  } else {
    options.at("metric").fail("pruner metric '" + out.metric +
                              "' is not an objective: give its direction (maximize or minimize)");
  }

  if (out.name == "median") parse_median(options, out.median);
  if (out.name == "successive_halving") parse_successive_halving(options, out.successive_halving);
  if (out.name == "hyperband") parse_hyperband(options, out.hyperband);
  if (out.name == "learning_curve") parse_learning_curve(options, out.learning_curve);
  return out;
}

}  // namespace tandem
