// Predictor "ridge" (see ridge_predictor.hpp). Sources: Hoerl & Kennard, "Ridge Regression: Biased
// Estimation for Nonorthogonal Problems", Technometrics 1970; leave-one-out shortcut as in
// scikit-learn sklearn/linear_model/_ridge.py (_RidgeGCV).
#include "predictors/ridge_predictor.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "core/error.hpp"

namespace tandem {
namespace {

std::vector<double> alpha_grid() {
  std::vector<double> grid;
  for (int i = -6; i <= 6; ++i) grid.push_back(std::pow(10.0, 0.5 * i));
  return grid;
}

// s / (s^2 + alpha), with the pseudo-inverse's zero for negligible singular values.
double shrink(double s, double alpha, double tolerance) {
  if (s <= tolerance) return 0.0;
  return s / (s * s + alpha);
}

}  // namespace

RidgeOptions RidgeOptions::parse(const ConfigNode& options) {
  options.check_keys({"alpha"});
  RidgeOptions parsed;
  if (options.has("alpha")) {
    const double alpha = options.get_double("alpha");
    if (!(alpha >= 0.0) || !std::isfinite(alpha))
      options.at("alpha").fail("alpha must be a number >= 0, got " + std::to_string(alpha));
    parsed.alpha = alpha;
  }
  return parsed;
}

RidgePredictor::RidgePredictor(RidgeOptions options) : options_(options) {}

void RidgePredictor::fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) {
  check_training_data(name(), features, targets, min_training_points());
  scaler_.fit(features);
  const Eigen::MatrixXd scaled = scaler_.transform(features);
  const Eigen::RowVectorXd x_mean = scaled.colwise().mean();
  const double y_mean = targets.mean();
  const Eigen::MatrixXd centred = scaled.rowwise() - x_mean;
  const Eigen::VectorXd y = targets.array() - y_mean;

  // JacobiSVD, not BDCSVD: Eigen 3.4's BDCSVD returned NaN singular vectors for some rank-deficient
  // path-encoding matrices (nb201, 200 rows x 155 columns).
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& s = svd.singularValues();
  const Eigen::MatrixXd& U = svd.matrixU();
  const double tolerance =
      (s.size() > 0 ? s(0) : 0.0) * std::numeric_limits<double>::epsilon() *
      static_cast<double>(std::max(centred.rows(), centred.cols()));
  const Eigen::VectorXd uty = U.transpose() * y;

  auto fitted_values = [&](double alpha) {
    Eigen::VectorXd h(s.size());  // the hat matrix's eigenvalues s^2 / (s^2 + alpha)
    for (Eigen::Index k = 0; k < s.size(); ++k) h(k) = s(k) * shrink(s(k), alpha, tolerance);
    return std::make_pair(Eigen::VectorXd(U * h.cwiseProduct(uty)), h);
  };

  double alpha = 0.0;
  if (options_.alpha) {
    alpha = *options_.alpha;
  } else {
    const double n = static_cast<double>(features.rows());
    double best = std::numeric_limits<double>::infinity();
    for (double candidate : alpha_grid()) {
      auto [fit_centred, h] = fitted_values(candidate);
      // Leverage of row i with the intercept: 1/n + sum_k U_ik^2 h_k.
      const Eigen::VectorXd leverage =
          (U.array().square().matrix() * h).array() + 1.0 / n;
      double error = 0.0;
      for (Eigen::Index i = 0; i < y.size(); ++i) {
        const double denominator = 1.0 - leverage(i);
        const double residual = y(i) - fit_centred(i);
        error += denominator > 1e-10 ? std::pow(residual / denominator, 2)
                                     : std::numeric_limits<double>::infinity();
      }
      if (error < best) {
        best = error;
        alpha = candidate;
      }
    }
    if (!std::isfinite(best)) alpha = alpha_grid().back();  // every row is its own leverage point
  }

  Eigen::VectorXd scaled_uty(s.size());
  for (Eigen::Index k = 0; k < s.size(); ++k) scaled_uty(k) = shrink(s(k), alpha, tolerance) * uty(k);
  weights_ = svd.matrixV() * scaled_uty;
  TANDEM_ASSERT(weights_.allFinite());
  intercept_ = y_mean - x_mean.dot(weights_);
  alpha_used_ = alpha;
  width_ = features.cols();
  fitted_ = true;
}

Eigen::VectorXd RidgePredictor::predict(const Eigen::MatrixXd& features) const {
  check_prediction_input(name(), fitted_, width_, features);
  return (scaler_.transform(features) * weights_).array() + intercept_;
}

Eigen::VectorXd RidgePredictor::coefficients() const {
  TANDEM_CHECK(fitted_, "predictor 'ridge': no coefficients before fit()");
  return weights_.array() / scaler_.scale.transpose().array();
}

double RidgePredictor::intercept() const {
  TANDEM_CHECK(fitted_, "predictor 'ridge': no intercept before fit()");
  return intercept_ - (scaler_.mean.transpose().array() * coefficients().array()).sum();
}

void register_ridge(PredictorRegistry& registry) {
  registry.add("ridge", "linear",
               "ridge regression, closed form; alpha by leave-one-out unless given",
               [](const PredictorContext& context) -> std::unique_ptr<Predictor> {
                 return std::make_unique<RidgePredictor>(RidgeOptions::parse(context.options));
               });
}

}  // namespace tandem
