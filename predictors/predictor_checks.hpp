// Shared input validation and scaling for the learned predictors (ridge, gp, xgboost, pretrained),
// so every predictor rejects bad input with the same one-line messages the Predictor contract
// promises (predictor.hpp): too few rows, ragged/empty rows, NaN or inf features and targets,
// predict before fit, and a feature width different from the fitted one.
#pragma once

#include <string>

#include <Eigen/Dense>

namespace tandem {

// Throws ConfigError naming `predictor` when the training data cannot be fitted.
void check_training_data(const std::string& predictor, const Eigen::MatrixXd& features,
                         const Eigen::VectorXd& targets, std::size_t min_points);
// Throws ConfigError when the predictor is not fitted, the width differs from `fitted_width`, or a
// feature is NaN/inf.
void check_prediction_input(const std::string& predictor, bool fitted, Eigen::Index fitted_width,
                            const Eigen::MatrixXd& features);

// Standardises targets to mean 0, std 1 on the training rows (std 1 when they are all equal).
struct TargetScaler {
  double mean = 0.0;
  double scale = 1.0;
  void fit(const Eigen::VectorXd& targets);
  Eigen::VectorXd transform(const Eigen::VectorXd& targets) const;
  Eigen::VectorXd inverse(const Eigen::VectorXd& scaled) const;
};

// Z-scores the columns that are not binary (proxies, FLOPs, hardware metrics), so they do not
// swamp 0/1 encoding bits in distances and penalties; binary columns are left as they are.
// Means and scales come from the training rows only.
struct NumericColumnScaler {
  Eigen::RowVectorXd mean;
  Eigen::RowVectorXd scale;
  void fit(const Eigen::MatrixXd& features);
  Eigen::MatrixXd transform(const Eigen::MatrixXd& features) const;
};

}  // namespace tandem
