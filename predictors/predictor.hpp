// Predictor: the interface of every learned performance predictor (surrogate) — ridge, gp,
// xgboost, mlp_ensemble — and its registry. A predictor maps feature rows (an architecture
// encoding, optionally extended with zero-cost proxies and hardware metrics) to a predicted
// target (accuracy), with a predictive standard deviation where the model has one (ensembles,
// Gaussian processes), which acquisition functions (BANANAS) use.
//
// Contract:
//   * fit() may be called again with more data; it refits from scratch (deterministic for a seed).
//   * fit() with fewer than min_training_points() rows, rows of different widths, or a NaN/inf
//     feature or target throws ConfigError in one line naming the predictor, the row/column and
//     the value.
//   * predict()/predict_stddev() before fit(), or with a feature width different from the one it
//     was fitted on, throw ConfigError in one line naming both widths.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <Eigen/Dense>

#include "core/config_node.hpp"
#include "core/registry.hpp"

namespace tandem {

class Predictor {
 public:
  virtual ~Predictor() = default;
  virtual std::string name() const = 0;
  // Rows of `features` are samples; `targets` has one value per row.
  virtual void fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) = 0;
  virtual Eigen::VectorXd predict(const Eigen::MatrixXd& features) const = 0;
  // Predictive standard deviation per row; zeros for models without uncertainty (ridge, xgboost).
  virtual Eigen::VectorXd predict_stddev(const Eigen::MatrixXd& features) const {
    return Eigen::VectorXd::Zero(features.rows());
  }
  virtual std::size_t min_training_points() const { return 2; }
  virtual bool fitted() const = 0;
};

struct PredictorContext {
  const ConfigNode& options;  // the predictor's `options` mapping (may be absent)
  std::uint64_t seed = 0;
};

// Kinds: linear (ridge), kernel (Gaussian process), tree (gradient-boosted trees), neural (neural
// networks: ensembles, pretrained MLPs).
using PredictorRegistry = Registry<Predictor, const PredictorContext&>;
// Predictors by config name; filled by register_builtin_predictors().
PredictorRegistry& predictor_registry();
void register_builtin_predictors();

}  // namespace tandem
