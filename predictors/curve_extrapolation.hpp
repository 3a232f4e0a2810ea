// Parametric learning-curve extrapolation (Domhan, Springenberg & Hutter, IJCAI 2015, "Speeding up
// Automatic Hyperparameter Optimization of Deep Neural Networks by Extrapolation of Learning
// Curves"; official code tdomhan/pylearningcurvepredictor, pylrpredictor/curvefunctions.py,
// curvemodels.py MLCurveModel, ensemblecurvemodel.py CurveModelEnsemble).
//
// What we follow: the 11 curve families of the paper's ensemble with the code's starting values
// (curvefunctions.py `curve_ensemble_models`, `model_defaults`); each family is fitted by weighted
// non-linear least squares (Levenberg–Marquardt, as MLCurveModel.fit_leastsq does through
// scipy.optimize.leastsq, here our own implementation in Eigen) with the code's recency weights
// w_i = 10^(i/n); the noise sigma is the maximum-likelihood (recency-weighted RMS) residual; the
// families are combined by Bayesian model averaging as CurveModelEnsemble does: fit on the first
// `train_fraction` (0.8) of the curve, weight each family by the Gaussian likelihood of the
// held-out rest. What we do not do: the paper's MCMC over a weighted linear combination of the
// families (the code's MCMCCurveModelCombination) — the ML-fit ensemble above is the code's other,
// sampling-free model.
//
// Deviations (documented in docs/pruners.md): values are divided by max |y| of the observed curve
// before fitting (the families' starting values assume accuracies in [0, 1]); a family needs at
// least as many training points as it has parameters; sigma is floored at 1e-4 (normalised units)
// so an exact fit still gives a proper likelihood; after weighting, each family's predictive sigma
// is raised to the RMS of its held-out residuals when that is larger (a short curve is fitted
// exactly, and its ML sigma would claim a certainty the extrapolation does not have).
#pragma once

#include <string>
#include <vector>

namespace tandem {

// One parametric family y = f(x; p) of Domhan et al. (x = epoch, from 1).
struct CurveFamily {
  std::string name;
  std::vector<std::string> parameter_names;
  std::vector<double> initial;  // the official code's model_defaults (1.0 where it has none)
  double (*value)(double x, const double* parameters);
};

// The 11 families of the paper's ensemble: vap, ilog2, weibull, pow3, pow4, loglog_linear, mmf,
// janoschek, dr_hill_zero_background, log_power, exp4.
const std::vector<CurveFamily>& curve_families();
std::vector<std::string> curve_family_names();
// Throws ConfigError naming the family and listing the known ones.
const CurveFamily& curve_family(const std::string& name);

struct LeastSquaresOptions {
  int max_iterations = 200;
  // Converged when an accepted step lowers the cost by a relative amount <= tolerance or moves the
  // parameters by <= tolerance * |p| (scipy.optimize.leastsq's default ftol = xtol = 1.49012e-8).
  double tolerance = 1.49012e-8;
};

struct LeastSquaresFit {
  std::vector<double> parameters;
  double cost = 0.0;  // sum_i w_i (f(x_i) - y_i)^2 at `parameters`
  bool success =
      false;  // finite parameters and cost, ended by the tolerance (not the iteration cap)
  int iterations = 0;
};

// Levenberg–Marquardt (Marquardt 1963: damping lambda * diag(J^T J)) on the weighted residuals
// sqrt(w_i) (f(x_i; p) - y_i), forward-difference Jacobian (step sqrt(eps) * max(|p_j|, 1e-3)),
// starting from `start`. Steps giving a non-finite cost are rejected like uphill steps.
LeastSquaresFit fit_curve(const CurveFamily& family, const std::vector<double>& x,
                          const std::vector<double>& y, const std::vector<double>& weights,
                          std::vector<double> start, const LeastSquaresOptions& options = {});

struct CurveExtrapolatorOptions {
  std::vector<std::string> families;  // empty: all of curve_families()
  double train_fraction = 0.8;        // CurveModelEnsemble.fit(train_fraction=0.8)
  bool recency_weighting = true;      // terminationcriterion.py builds the model with True
  LeastSquaresOptions least_squares;
};

// Bayesian model averaging of maximum-likelihood curve fits (see the top of this file).
class CurveExtrapolator {
 public:
  struct Member {
    std::string family;
    std::vector<double> parameters;  // in normalised units (y / scale)
    double sigma = 0.0;              // normalised units
    double weight = 0.0;             // posterior model probability; the weights sum to 1
  };

  explicit CurveExtrapolator(CurveExtrapolatorOptions options = {});

  // Fits the curve y_1..y_n observed at x = 1..n. False when no family could be fitted (fewer
  // than 2 points, non-finite values, or every fit failed); the model is then unusable.
  bool fit(const std::vector<double>& curve);
  bool fitted() const { return !members_.empty(); }

  // Model-averaged mean E[y(x)] and the mixture's standard deviation (sigma of each family plus
  // the spread of the families' means), in the curve's units.
  double predict(double x) const;
  double stddev(double x) const;
  // P(y(x) >= threshold) under the mixture of Gaussians N(f_k(x), sigma_k^2) with the model
  // weights. 1 when nothing is fitted (Domhan's convention: a failed fit never stops a run).
  double probability_at_least(double x, double threshold) const;

  const std::vector<Member>& members() const { return members_; }
  double scale() const { return scale_; }

 private:
  CurveExtrapolatorOptions options_;
  std::vector<const CurveFamily*> families_;
  std::vector<Member> members_;
  double scale_ = 1.0;
};

}  // namespace tandem
