// PrunerOptions: the experiment config's `pruner:` section, parsed and validated in one place
// (parse_pruner_options). Every pruner decides on the intermediate values of ONE designated metric
// in ONE direction, so pruning works for multi-objective experiments too. docs/pruners.md has the
// rules, defaults and sources of each pruner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "core/objective.hpp"

namespace tandem {

// Optuna's MedianPruner (= PercentilePruner(50), optuna/pruners/_percentile.py).
struct MedianPrunerOptions {
  int n_startup_trials = 5;  // no pruning until this many peers have COMPLETED
  int n_warmup_steps = 0;    // no pruning at steps < this
  int interval_steps = 1;    // judge the first reported step of every interval after the warm-up
  int n_min_trials = 1;      // peers with a value at the step needed to judge
};

// Optuna's SuccessiveHalvingPruner (asynchronous successive halving, Li et al. 2020).
struct SuccessiveHalvingOptions {
  std::optional<int> min_resource;  // r; nullopt = "auto"
  int reduction_factor = 4;         // eta
  int min_early_stopping_rate = 0;  // s
  int bootstrap_count = 0;
};

// Optuna's HyperbandPruner (Li et al. 2018), brackets of successive halving.
struct HyperbandOptions {
  int min_resource = 1;
  std::optional<int> max_resource;  // nullopt = "auto"
  int reduction_factor = 3;
  int bootstrap_count = 0;
};

enum class CurvePredictorKind { svr, curve_fit };

// The learning-curve rule of Baker et al. 2017 (predictor svr) or Domhan et al. 2015 (curve_fit).
struct LearningCurvePrunerOptions {
  CurvePredictorKind predictor = CurvePredictorKind::svr;
  double delta = 0.99;                // stop when P(final reaches the best) <= 1 - delta
  int min_trials = 100;               // completed peers needed (svr: training set; curve_fit: 1)
  std::optional<int> final_step;      // T; nullopt = "auto" (largest last step of completed peers)
  int min_steps = 1;                  // the first step (number of observed points) judged
  int interval_steps = 1;             // judge every this many steps from min_steps on
  bool architecture_features = true;  // svr: one-hot encoding of the candidate as features
  // svr (predictors/learning_curve_svr.hpp)
  int draws = 1000;
  int folds = 3;
  std::string curve_features = "full";
  bool standardize = true;
  // curve_fit (predictors/curve_extrapolation.hpp)
  std::vector<std::string> families;  // empty: all 11
  double train_fraction = 0.8;
  bool recency_weighting = true;
};

struct PrunerOptions {
  std::string name;    // median | successive_halving | hyperband | learning_curve
  std::string metric;  // the intermediate value judged
  // True when `metric` was not given: then it is the first objective's metric, and a report that
  // lacks it but has "val_<metric>" is judged on that (the train evaluator reports its final
  // `accuracy`/`loss` per epoch as `val_accuracy`/`val_loss`).
  bool metric_from_objective = false;
  bool minimize = false;  // direction of `metric`
  MedianPrunerOptions median;
  SuccessiveHalvingOptions successive_halving;
  HyperbandOptions hyperband;
  LearningCurvePrunerOptions learning_curve;
  ConfigNode node;  // the `pruner:` node, for error locations
};

std::vector<std::string> pruner_names();

// Parses `pruner: NAME` or `pruner: {name: NAME, options: {...}}`. Unknown names, keys or bad
// values throw ConfigError at file:line:column naming the value and what is accepted.
PrunerOptions parse_pruner_options(const ConfigNode& node,
                                   const std::vector<Objective>& objectives);

}  // namespace tandem
