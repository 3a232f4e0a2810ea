// Shared input validation and scaling for the learned predictors (see predictor_checks.hpp).
#include "predictors/predictor_checks.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

void check_finite_features(const std::string& predictor, const Eigen::MatrixXd& features) {
  for (Eigen::Index r = 0; r < features.rows(); ++r)
    for (Eigen::Index c = 0; c < features.cols(); ++c)
      if (!std::isfinite(features(r, c)))
        throw ConfigError("predictor '" + predictor + "': feature row " + std::to_string(r) +
                          ", column " + std::to_string(c) + " is " + format_number(features(r, c)) +
                          " (features must be finite numbers)");
}

}  // namespace

void check_training_data(const std::string& predictor, const Eigen::MatrixXd& features,
                         const Eigen::VectorXd& targets, std::size_t min_points) {
  if (static_cast<std::size_t>(features.rows()) < min_points)
    throw ConfigError("predictor '" + predictor + "': needs at least " +
                      std::to_string(min_points) + " training points, got " +
                      std::to_string(features.rows()));
  if (features.rows() != targets.size())
    throw ConfigError("predictor '" + predictor + "': " + std::to_string(features.rows()) +
                      " feature rows but " + std::to_string(targets.size()) + " targets");
  if (features.cols() == 0)
    throw ConfigError("predictor '" + predictor + "': feature rows have no columns");
  check_finite_features(predictor, features);
  for (Eigen::Index r = 0; r < targets.size(); ++r)
    if (!std::isfinite(targets(r)))
      throw ConfigError("predictor '" + predictor + "': target of row " + std::to_string(r) +
                        " is " + format_number(targets(r)) + " (targets must be finite numbers)");
}

void check_prediction_input(const std::string& predictor, bool fitted, Eigen::Index fitted_width,
                            const Eigen::MatrixXd& features) {
  if (!fitted)
    throw ConfigError("predictor '" + predictor + "': asked to predict before it was fitted");
  if (features.cols() != fitted_width)
    throw ConfigError("predictor '" + predictor + "': feature rows have " +
                      std::to_string(features.cols()) + " columns but it was fitted on " +
                      std::to_string(fitted_width) + " (mismatched encodings?)");
  check_finite_features(predictor, features);
}

void TargetScaler::fit(const Eigen::VectorXd& targets) {
  mean = targets.mean();
  const double variance = (targets.array() - mean).square().mean();
  scale = variance > 0.0 ? std::sqrt(variance) : 1.0;
}

Eigen::VectorXd TargetScaler::transform(const Eigen::VectorXd& targets) const {
  return (targets.array() - mean) / scale;
}

Eigen::VectorXd TargetScaler::inverse(const Eigen::VectorXd& scaled) const {
  return scaled.array() * scale + mean;
}

void NumericColumnScaler::fit(const Eigen::MatrixXd& features) {
  const Eigen::Index cols = features.cols();
  mean = Eigen::RowVectorXd::Zero(cols);
  scale = Eigen::RowVectorXd::Ones(cols);
  for (Eigen::Index c = 0; c < cols; ++c) {
    const auto column = features.col(c).array();
    const bool binary = ((column == 0.0) || (column == 1.0)).all();
    if (binary) continue;
    mean(c) = column.mean();
    const double variance = (column - mean(c)).square().mean();
    scale(c) = variance > 0.0 ? std::sqrt(variance) : 1.0;
  }
}

Eigen::MatrixXd NumericColumnScaler::transform(const Eigen::MatrixXd& features) const {
  return (features.rowwise() - mean).array().rowwise() / scale.array();
}

}  // namespace tandem
