// Predictor "ridge": linear least squares with an L2 penalty on the weights (not on the intercept),
// solved in closed form through the SVD of the centred feature matrix:
//   w = V diag(s / (s^2 + alpha)) U^T (y - mean y),  b = mean y - mean x . w
// (Hoerl & Kennard 1970; the same estimator as scikit-learn's Ridge with fit_intercept=True).
// alpha: a fixed number >= 0 (0 = ordinary least squares, minimum-norm when rank-deficient), or by
// default chosen from the grid 10^-3, 10^-2.5, ..., 10^3 by exact leave-one-out error, computed in
// closed form from the hat matrix (residual_i / (1 - H_ii)), as scikit-learn's RidgeCV does.
// Non-binary feature columns (proxies, FLOPs, hardware metrics) are z-scored on the training rows
// before the penalty applies (see predictor_checks.hpp); coefficients() reports original units.
#pragma once

#include <cstdint>
#include <optional>

#include "predictors/predictor.hpp"
#include "predictors/predictor_checks.hpp"

namespace tandem {

struct RidgeOptions {
  std::optional<double> alpha;  // absent: leave-one-out choice from the grid
  // Keys: alpha (number >= 0).
  static RidgeOptions parse(const ConfigNode& options);
};

class RidgePredictor final : public Predictor {
 public:
  explicit RidgePredictor(RidgeOptions options);

  std::string name() const override { return "ridge"; }
  void fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& features) const override;
  bool fitted() const override { return fitted_; }

  // In the units of the original features.
  Eigen::VectorXd coefficients() const;
  double intercept() const;
  // The penalty used by the last fit (the leave-one-out choice when alpha was not given).
  double alpha() const { return alpha_used_; }

 private:
  RidgeOptions options_;
  NumericColumnScaler scaler_;
  Eigen::VectorXd weights_;  // on scaled features
  double intercept_ = 0.0;   // on scaled features
  double alpha_used_ = 0.0;
  Eigen::Index width_ = 0;
  bool fitted_ = false;
};

void register_ridge(PredictorRegistry& registry);

}  // namespace tandem
