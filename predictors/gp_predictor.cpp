// Predictor "gp" (see gp_predictor.hpp). Sources: Rasmussen & Williams 2006, Algorithm 2.1
// (Cholesky prediction) and eq. 5.8 (log marginal likelihood); NASLib naslib/predictors/gp/gp.py
// (RBF kernel, standardised targets, marginal-likelihood fit).
#include "predictors/gp_predictor.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "core/error.hpp"

namespace tandem {
namespace {

constexpr double kMinNoise = 1e-6;
constexpr double kMaxNoise = 10.0;
constexpr double kJitter = 1e-10;

Eigen::MatrixXd squared_distances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const Eigen::VectorXd a2 = a.rowwise().squaredNorm();
  const Eigen::VectorXd b2 = b.rowwise().squaredNorm();
  Eigen::MatrixXd d = (-2.0 * a * b.transpose()).colwise() + a2;
  d.rowwise() += b2.transpose();
  return d.cwiseMax(0.0);
}

Eigen::MatrixXd kernel_of(const Eigen::MatrixXd& squared, double lengthscale, GpKernel kernel) {
  const double l2 = lengthscale * lengthscale;
  if (kernel == GpKernel::rbf) return (-0.5 * squared.array() / l2).exp().matrix();
  const Eigen::ArrayXXd r = (squared.array() / l2).sqrt() * std::sqrt(5.0);
  return ((1.0 + r + r.square() / 3.0) * (-r).exp()).matrix();
}

// Maximises f over [lo, hi] (log scale handled by the caller): a grid of `points`, then
// golden-section search between the best point's neighbours. Returns the argmax.
double maximise(const std::function<double(double)>& f, double lo, double hi, int points,
                int refinements) {
  double best_x = lo, best = -std::numeric_limits<double>::infinity();
  const double step = (hi - lo) / (points - 1);
  for (int i = 0; i < points; ++i) {
    const double x = lo + step * i;
    const double value = f(x);
    if (value > best) best = value, best_x = x;
  }
  double a = std::max(lo, best_x - step), b = std::min(hi, best_x + step);
  const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
  double c = b - ratio * (b - a), d = a + ratio * (b - a);
  double fc = f(c), fd = f(d);
  for (int i = 0; i < refinements; ++i) {
    if (fc > fd) {
      b = d, d = c, fd = fc;
      c = b - ratio * (b - a), fc = f(c);
    } else {
      a = c, c = d, fc = fd;
      d = a + ratio * (b - a), fd = f(d);
    }
  }
  const double x = fc > fd ? c : d;
  return std::max(fc, fd) > best ? x : best_x;
}

// Profiled log marginal likelihood (constants dropped) for eigenvalues `e` of K and q = Q^T y.
double profiled_likelihood(const Eigen::VectorXd& e, const Eigen::VectorXd& q2, double noise) {
  const Eigen::ArrayXd shifted = e.array().max(0.0) + noise;
  const double n = static_cast<double>(e.size());
  const double quadratic = (q2.array() / shifted).sum() / n;
  return -0.5 * n * std::log(std::max(quadratic, 1e-300)) - 0.5 * shifted.log().sum();
}

}  // namespace

GpOptions GpOptions::parse(const ConfigNode& options) {
  options.check_keys({"kernel", "lengthscale", "noise"});
  GpOptions parsed;
  parsed.kernel = options.get_choice("kernel", "rbf", {"rbf", "matern52"}) == "rbf"
                      ? GpKernel::rbf
                      : GpKernel::matern52;
  if (options.has("lengthscale")) {
    const double value = options.get_double("lengthscale");
    if (!(value > 0.0) || !std::isfinite(value))
      options.at("lengthscale").fail("lengthscale must be a number > 0, got " + std::to_string(value));
    parsed.lengthscale = value;
  }
  if (options.has("noise")) {
    const double value = options.get_double("noise");
    if (!(value >= 0.0) || !std::isfinite(value))
      options.at("noise").fail("noise must be a number >= 0, got " + std::to_string(value));
    parsed.noise = value;
  }
  return parsed;
}

GpPredictor::GpPredictor(GpOptions options) : options_(options) {}

void GpPredictor::fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) {
  check_training_data(name(), features, targets, min_training_points());
  scaler_.fit(features);
  train_ = scaler_.transform(features);
  target_scaler_.fit(targets);
  const Eigen::VectorXd y = target_scaler_.transform(targets);
  const Eigen::MatrixXd squared = squared_distances(train_, train_);
  const Eigen::Index n = train_.rows();

  // Noise choice and likelihood for one lengthscale.
  auto best_noise_for = [&](double lengthscale, double* likelihood) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(kernel_of(squared, lengthscale, options_.kernel));
    const Eigen::VectorXd e = eigen.eigenvalues();
    const Eigen::VectorXd q2 = (eigen.eigenvectors().transpose() * y).array().square();
    double noise = 0.0;
    if (options_.noise) {
      noise = std::max(*options_.noise, kJitter);
    } else {
      const double log_noise = maximise(
          [&](double x) { return profiled_likelihood(e, q2, std::pow(10.0, x)); },
          std::log10(kMinNoise), std::log10(kMaxNoise), 29, 20);
      noise = std::pow(10.0, log_noise);
    }
    if (likelihood != nullptr) *likelihood = profiled_likelihood(e, q2, noise);
    return noise;
  };

  if (options_.lengthscale) {
    lengthscale_ = *options_.lengthscale;
  } else {
    // Grid around the median non-zero pairwise distance.
    std::vector<double> distances;
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = i + 1; j < n; ++j)
        if (squared(i, j) > 0.0) distances.push_back(std::sqrt(squared(i, j)));
    double median = 1.0;
    if (!distances.empty()) {
      std::nth_element(distances.begin(), distances.begin() + static_cast<long>(distances.size() / 2),
                       distances.end());
      median = distances[distances.size() / 2];
    }
    const double log_base = std::log2(median);
    const double log_lengthscale = maximise(
        [&](double x) {
          double likelihood = 0.0;
          best_noise_for(std::exp2(x), &likelihood);
          return likelihood;
        },
        log_base - 3.0, log_base + 3.0, 13, 8);
    lengthscale_ = std::exp2(log_lengthscale);
  }
  noise_ = best_noise_for(lengthscale_, nullptr);

  Eigen::MatrixXd K = kernel_of(squared, lengthscale_, options_.kernel);
  K.diagonal().array() += noise_;
  cholesky_.compute(K);
  if (cholesky_.info() != Eigen::Success)
    throw ConfigError("predictor 'gp': the kernel matrix is not positive definite (noise " +
                      std::to_string(noise_) + "); set a larger 'noise' option");
  weights_ = cholesky_.solve(y);
  signal_variance_ = std::max(y.dot(weights_) / static_cast<double>(n), 1e-12);
  width_ = features.cols();
  fitted_ = true;
}

Eigen::MatrixXd GpPredictor::cross_kernel(const Eigen::MatrixXd& scaled) const {
  return kernel_of(squared_distances(scaled, train_), lengthscale_, options_.kernel);
}

Eigen::VectorXd GpPredictor::predict(const Eigen::MatrixXd& features) const {
  check_prediction_input(name(), fitted_, width_, features);
  return target_scaler_.inverse(cross_kernel(scaler_.transform(features)) * weights_);
}

Eigen::VectorXd GpPredictor::predict_stddev(const Eigen::MatrixXd& features) const {
  check_prediction_input(name(), fitted_, width_, features);
  const Eigen::MatrixXd cross = cross_kernel(scaler_.transform(features));  // m x n
  const Eigen::MatrixXd v = cholesky_.matrixL().solve(cross.transpose());    // n x m
  const Eigen::ArrayXd reduction = v.colwise().squaredNorm().transpose().array();
  const Eigen::ArrayXd variance = (signal_variance_ * (1.0 - reduction)).max(0.0);
  return (variance.sqrt() * target_scaler_.scale).matrix();
}

void register_gp(PredictorRegistry& registry) {
  registry.add("gp", "kernel",
               "Gaussian process (rbf or matern52 kernel), marginal-likelihood hyperparameters",
               [](const PredictorContext& context) -> std::unique_ptr<Predictor> {
                 return std::make_unique<GpPredictor>(GpOptions::parse(context.options));
               });
}

}  // namespace tandem
