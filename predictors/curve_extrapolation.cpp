// Parametric learning-curve extrapolation by Levenberg–Marquardt fits and Bayesian model averaging
// (Domhan et al. 2015; see curve_extrapolation.hpp for what is followed and where).
#include "predictors/curve_extrapolation.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

// The families as written in pylrpredictor/curvefunctions.py (x >= 1).
double vap(double x, const double* p) {
  return std::exp(p[0] + p[1] / x + p[2] * std::log(x));
}
double ilog2(double x, const double* p) {
  return p[0] - p[1] / std::log(x + 1.0);
}
double weibull(double x, const double* p) {
  return p[0] - (p[0] - p[1]) * std::exp(-std::pow(p[2] * x, p[3]));
}
double pow3(double x, const double* p) {
  return p[0] - p[1] * std::pow(x, -p[2]);
}
double pow4(double x, const double* p) {
  return p[0] - std::pow(p[1] * x + p[2], -p[3]);
}
double loglog_linear(double x, const double* p) {
  return std::log(p[0] * std::log(x) + p[1]);
}
double mmf(double x, const double* p) {
  return p[0] - (p[0] - p[1]) / (1.0 + std::pow(p[2] * x, p[3]));
}
double janoschek(double x, const double* p) {
  return p[0] - (p[0] - p[1]) * std::exp(-p[2] * std::pow(x, p[3]));
}
double dr_hill_zero_background(double x, const double* p) {
  const double xe = std::pow(x, p[1]);
  return p[0] * xe / (std::pow(p[2], p[1]) + xe);
}
double log_power(double x, const double* p) {
  return p[0] / (1.0 + std::pow(x / std::exp(p[1]), p[2]));
}
double exp4(double x, const double* p) {
  return p[0] - std::exp(-p[1] * std::pow(x, p[3]) + p[2]);
}

constexpr double kMinSigma = 1e-4;  // normalised units

bool all_finite(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

// Weighted residuals sqrt(w_i) (f(x_i; p) - y_i); false if any is not finite.
bool residuals(const CurveFamily& family, const std::vector<double>& x,
               const std::vector<double>& y, const std::vector<double>& sqrt_w,
               const std::vector<double>& p, Eigen::VectorXd& out) {
  out.resize(static_cast<Eigen::Index>(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = sqrt_w[i] * (family.value(x[i], p.data()) - y[i]);
    if (!std::isfinite(r)) return false;
    out[static_cast<Eigen::Index>(i)] = r;
  }
  return true;
}

// Recency weights of the official code: w_i = 10^(i/n), i = 0..n-1 (later epochs count more).
std::vector<double> recency_weights(std::size_t n) {
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i)
    w[i] = std::pow(10.0, static_cast<double>(i) / static_cast<double>(n));
  return w;
}

double upper_tail(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}  // 1 - Phi(z)

}  // namespace

const std::vector<CurveFamily>& curve_families() {
  static const std::vector<CurveFamily> families = {
      {"vap", {"a", "b", "c"}, {-0.622028, -0.470050, 0.042322}, vap},
      {"ilog2", {"c", "a"}, {0.78, 0.43}, ilog2},
      {"weibull", {"alpha", "beta", "kappa", "delta"}, {0.7, 0.1, 0.01, 1.0}, weibull},
      {"pow3", {"c", "a", "alpha"}, {0.84, 0.52, 0.01}, pow3},
      {"pow4", {"c", "a", "b", "alpha"}, {0.8, 200.0, 0.0, 0.1}, pow4},
      {"loglog_linear", {"a", "b"}, {1.0, 1.0}, loglog_linear},
      {"mmf", {"alpha", "beta", "kappa", "delta"}, {0.7, 0.1, 0.01, 5.0}, mmf},
      {"janoschek", {"a", "beta", "k", "delta"}, {0.73, 0.07, 0.355, 0.46}, janoschek},
      {"dr_hill_zero_background",
       {"theta", "eta", "kappa"},
       {0.772320, 0.586449, 2.460843},
       dr_hill_zero_background},
      {"log_power", {"a", "b", "c"}, {0.77, 2.98, -0.51}, log_power},
      {"exp4", {"c", "a", "b", "alpha"}, {0.7, 0.8, -0.8, 0.3}, exp4},
  };
  return families;
}

std::vector<std::string> curve_family_names() {
  std::vector<std::string> names;
  for (const auto& family : curve_families()) names.push_back(family.name);
  return names;
}

const CurveFamily& curve_family(const std::string& name) {
  for (const auto& family : curve_families())
    if (family.name == name) return family;
  const auto names = curve_family_names();
  throw ConfigError("unknown curve family '" + name + "'" + did_you_mean(name, names) +
                    "; accepted: " + join(names, ", "));
}

LeastSquaresFit fit_curve(const CurveFamily& family, const std::vector<double>& x,
                          const std::vector<double>& y, const std::vector<double>& weights,
                          std::vector<double> start, const LeastSquaresOptions& options) {
  TANDEM_CHECK(x.size() == y.size() && x.size() == weights.size(),
               "fit_curve: x, y and weights differ in length");
  TANDEM_CHECK(start.size() == family.parameter_names.size(),
               "fit_curve: family " + family.name + " takes " +
                   std::to_string(family.parameter_names.size()) + " parameters, got " +
                   std::to_string(start.size()));
  LeastSquaresFit fit;
  fit.parameters = std::move(start);
  std::vector<double> sqrt_w(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) sqrt_w[i] = std::sqrt(weights[i]);
  const auto m = static_cast<Eigen::Index>(fit.parameters.size());
  Eigen::VectorXd r;
  if (!all_finite(fit.parameters) || !residuals(family, x, y, sqrt_w, fit.parameters, r)) {
    fit.cost = std::numeric_limits<double>::infinity();
    return fit;
  }
  double cost = r.squaredNorm();
  double lambda = 1e-3;
  const double step_scale = std::sqrt(std::numeric_limits<double>::epsilon());
  Eigen::MatrixXd jacobian(r.size(), m);
  Eigen::VectorXd shifted;
  for (fit.iterations = 0; fit.iterations < options.max_iterations; ++fit.iterations) {
    if (cost <= 1e-30) {  // an exact fit
      fit.success = true;
      break;
    }
    for (Eigen::Index j = 0; j < m; ++j) {
      std::vector<double> p = fit.parameters;
      const double h = step_scale * std::max(std::abs(p[j]), 1e-3);
      p[j] += h;
      if (!residuals(family, x, y, sqrt_w, p, shifted)) {  // try the other side
        p[j] -= 2.0 * h;
        if (!residuals(family, x, y, sqrt_w, p, shifted)) {
          fit.cost = cost;
          return fit;  // not differentiable here
        }
        jacobian.col(j) = (r - shifted) / h;
      } else {
        jacobian.col(j) = (shifted - r) / h;
      }
    }
    const Eigen::MatrixXd normal = jacobian.transpose() * jacobian;
    const Eigen::VectorXd gradient = jacobian.transpose() * r;
    bool accepted = false;
    while (!accepted && lambda < 1e16) {
      Eigen::MatrixXd damped = normal;
      for (Eigen::Index j = 0; j < m; ++j) damped(j, j) += lambda * (normal(j, j) + 1e-12);
      const Eigen::VectorXd step = damped.ldlt().solve(-gradient);
      std::vector<double> trial = fit.parameters;
      for (Eigen::Index j = 0; j < m; ++j) trial[j] += step[j];
      Eigen::VectorXd trial_r;
      const bool finite =
          step.allFinite() && all_finite(trial) && residuals(family, x, y, sqrt_w, trial, trial_r);
      const double trial_cost = finite ? trial_r.squaredNorm() : 0.0;
      if (finite && trial_cost < cost) {
        accepted = true;
        const double reduction = (cost - trial_cost) / cost;
        double p_norm = 0.0;
        for (double v : fit.parameters) p_norm += v * v;
        const bool small_step = step.norm() <= options.tolerance * (std::sqrt(p_norm) + 1e-12);
        fit.parameters = std::move(trial);
        r = std::move(trial_r);
        cost = trial_cost;
        lambda = std::max(lambda * 0.1, 1e-15);
        if (reduction <= options.tolerance || small_step) fit.success = true;
      } else {
        lambda *= 10.0;
      }
    }
    if (!accepted) fit.success = true;  // no downhill step at any damping: a local minimum
    if (fit.success) break;
  }
  fit.cost = cost;
  fit.success = fit.success && all_finite(fit.parameters) && std::isfinite(cost);
  return fit;
}

CurveExtrapolator::CurveExtrapolator(CurveExtrapolatorOptions options)
    : options_(std::move(options)) {
  TANDEM_CHECK(options_.train_fraction > 0.0 && options_.train_fraction <= 1.0,
               "curve extrapolation: train_fraction " + format_number(options_.train_fraction) +
                   ": expected a fraction in (0, 1]");
  if (options_.families.empty()) {
    for (const auto& family : curve_families()) families_.push_back(&family);
  } else {
    for (const auto& name : options_.families) families_.push_back(&curve_family(name));
  }
}

bool CurveExtrapolator::fit(const std::vector<double>& curve) {
  members_.clear();
  scale_ = 1.0;
  if (curve.size() < 2 || !all_finite(curve)) return false;
  double largest = 0.0;
  for (double v : curve) largest = std::max(largest, std::abs(v));
  scale_ = largest > 0.0 ? largest : 1.0;

  const std::size_t n = curve.size();
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = static_cast<double>(i + 1);
    y[i] = curve[i] / scale_;
  }
  // Split as ensemblecurvemodel.train_test_split: the first int(fraction * n) points train, the
  // rest test; with fraction > 0.99 both are the whole curve.
  std::size_t n_train =
      options_.train_fraction > 0.99
          ? n
          : static_cast<std::size_t>(options_.train_fraction * static_cast<double>(n));
  if (n_train == 0) return false;
  const std::vector<double> x_train(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n_train));
  const std::vector<double> y_train(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(n_train));
  const bool held_out = n_train < n;
  const std::vector<double> x_test =
      held_out ? std::vector<double>(x.begin() + static_cast<std::ptrdiff_t>(n_train), x.end()) : x;
  const std::vector<double> y_test =
      held_out ? std::vector<double>(y.begin() + static_cast<std::ptrdiff_t>(n_train), y.end()) : y;
  const std::vector<double> weights =
      options_.recency_weighting ? recency_weights(n_train) : std::vector<double>(n_train, 1.0);
  const double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0);

  std::vector<double> log_likelihoods;
  for (const CurveFamily* family : families_) {
    if (n_train < family->parameter_names.size()) continue;
    LeastSquaresFit fitted =
        fit_curve(*family, x_train, y_train, weights, family->initial, options_.least_squares);
    if (!fitted.success) continue;
    Member member;
    member.family = family->name;
    member.parameters = fitted.parameters;
    member.sigma = std::max(std::sqrt(fitted.cost / weight_sum), kMinSigma);
    double log_likelihood = 0.0, held_out_squares = 0.0;
    for (std::size_t i = 0; i < x_test.size(); ++i) {
      const double residual = y_test[i] - family->value(x_test[i], member.parameters.data());
      const double z = residual / member.sigma;
      log_likelihood += -0.5 * z * z - std::log(member.sigma) - 0.5 * std::log(2.0 * M_PI);
      held_out_squares += residual * residual;
    }
    if (!std::isfinite(log_likelihood)) continue;
    // The predictive sigma also covers the error on the held-out tail (an extrapolation error;
    // a short curve is fitted exactly and its training residual says nothing).
    if (held_out)
      member.sigma =
          std::max(member.sigma, std::sqrt(held_out_squares / static_cast<double>(x_test.size())));
    members_.push_back(std::move(member));
    log_likelihoods.push_back(log_likelihood);
  }
  if (members_.empty()) return false;
  // Posterior model probabilities: normalised likelihoods (logsumexp for stability).
  const double top = *std::max_element(log_likelihoods.begin(), log_likelihoods.end());
  double total = 0.0;
  for (double l : log_likelihoods) total += std::exp(l - top);
  for (std::size_t k = 0; k < members_.size(); ++k)
    members_[k].weight = std::exp(log_likelihoods[k] - top) / total;
  return true;
}

namespace {

struct Component {
  double weight, mean, sigma;  // normalised units
};

// The members whose value at x is finite, with renormalised weights.
std::vector<Component> components_at(const std::vector<CurveExtrapolator::Member>& members,
                                     double x) {
  std::vector<Component> out;
  double total = 0.0;
  for (const auto& member : members) {
    const double mean = curve_family(member.family).value(x, member.parameters.data());
    if (!std::isfinite(mean) || member.weight <= 0.0) continue;
    out.push_back({member.weight, mean, member.sigma});
    total += member.weight;
  }
  for (auto& c : out) c.weight /= total;
  return out;
}

}  // namespace

double CurveExtrapolator::predict(double x) const {
  TANDEM_CHECK(fitted(), "curve extrapolation: predict() before a successful fit()");
  double mean = 0.0;
  for (const auto& c : components_at(members_, x)) mean += c.weight * c.mean;
  return mean * scale_;
}

double CurveExtrapolator::stddev(double x) const {
  TANDEM_CHECK(fitted(), "curve extrapolation: stddev() before a successful fit()");
  const auto components = components_at(members_, x);
  double mean = 0.0;
  for (const auto& c : components) mean += c.weight * c.mean;
  double variance = 0.0;
  for (const auto& c : components)
    variance += c.weight * (c.sigma * c.sigma + (c.mean - mean) * (c.mean - mean));
  return std::sqrt(variance) * scale_;
}

double CurveExtrapolator::probability_at_least(double x, double threshold) const {
  if (!fitted()) return 1.0;
  const auto components = components_at(members_, x);
  if (components.empty()) return 1.0;
  double probability = 0.0;
  for (const auto& c : components)
    probability += c.weight * upper_tail((threshold / scale_ - c.mean) / c.sigma);
  return probability;
}

}  // namespace tandem
