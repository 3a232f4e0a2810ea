// Predictor "gp": Gaussian-process regression on feature rows (Rasmussen & Williams, "Gaussian
// Processes for Machine Learning", 2006, ch. 2 and 5), with predictive mean and standard deviation.
// Model: standardised targets y ~ N(0, s2 (K + lambda I)), K_ij = k(|x_i - x_j| / lengthscale),
//   rbf       k(r) = exp(-r^2 / 2)                          (default; NASLib's GPPredictor uses RBF)
//   matern52  k(r) = (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)
// Hyperparameters by type-II maximum likelihood: the signal variance s2 has a closed-form optimum
// for given (lengthscale, lambda), so the profiled log marginal likelihood
//   -n/2 log(y^T (K + lambda I)^-1 y / n) - 1/2 log|K + lambda I|
// is maximised over lambda (noise-to-signal ratio, [1e-6, 10]) on a grid refined by golden-section
// search, for lengthscales on the grid median-distance x 2^(k/2), k = -6..6, refined the same way.
// One eigendecomposition of K per lengthscale makes every lambda O(n).
// Either can be fixed by an option. The reported standard deviation is that of the latent function
// (no observation noise): it vanishes at noise-free training points and tends to the prior std far
// from the data. Non-binary feature columns are z-scored on the training rows (predictor_checks.hpp).
#pragma once

#include <optional>

#include "predictors/predictor.hpp"
#include "predictors/predictor_checks.hpp"

namespace tandem {

enum class GpKernel { rbf, matern52 };

struct GpOptions {
  GpKernel kernel = GpKernel::rbf;
  std::optional<double> lengthscale;  // absent: fitted
  std::optional<double> noise;        // lambda = noise variance / signal variance; absent: fitted
  // Keys: kernel (rbf|matern52), lengthscale (> 0), noise (>= 0).
  static GpOptions parse(const ConfigNode& options);
};

class GpPredictor final : public Predictor {
 public:
  explicit GpPredictor(GpOptions options);

  std::string name() const override { return "gp"; }
  void fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& features) const override;
  Eigen::VectorXd predict_stddev(const Eigen::MatrixXd& features) const override;
  bool fitted() const override { return fitted_; }

  // The hyperparameters of the last fit (in scaled feature / standardised target units).
  double lengthscale() const { return lengthscale_; }
  double noise() const { return noise_; }
  double signal_variance() const { return signal_variance_; }

 private:
  Eigen::MatrixXd cross_kernel(const Eigen::MatrixXd& scaled) const;

  GpOptions options_;
  NumericColumnScaler scaler_;
  TargetScaler target_scaler_;
  Eigen::MatrixXd train_;   // scaled training rows
  Eigen::LLT<Eigen::MatrixXd> cholesky_;  // of K + lambda I
  Eigen::VectorXd weights_;  // (K + lambda I)^-1 y
  double lengthscale_ = 1.0;
  double noise_ = 1e-6;
  double signal_variance_ = 1.0;
  Eigen::Index width_ = 0;
  bool fitted_ = false;
};

void register_gp(PredictorRegistry& registry);

}  // namespace tandem
