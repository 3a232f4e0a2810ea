// Learning-curve sequential regression model of Baker, Gupta, Raskar & Naik 2017 ("Accelerating
// Neural Architecture Search using Performance Prediction", ICLR workshop 2018): a nu-SVR with an
// RBF kernel (libsvm, Debian libsvm-dev) that predicts a configuration's final validation value
// from its architecture features and the first tau points of its learning curve; plus the paper's
// early-stopping rule. Features and hyper-parameter search follow NASLib
// (automl/NASLib naslib/predictors/lcsvr.py, SVR_Estimator):
//   curve features   `full`    (NASLib all_curve=True, the paper's features): the curve
//                              VC = y_1..y_tau, its first differences DVC, second differences DDVC,
//                              mean(VC), std(VC)
//                    `summary` (NASLib all_curve=False): mean and std of VC, DVC and DDVC
//                    (the mean/std of an empty difference series counts as 0)
//   model            NuSVR(kernel=rbf); hyper-parameters by random search, `draws` (1000) draws of
//                    C ~ logU[1e-5, 10], nu ~ U(0, 1], gamma ~ logU[1e-5, 10], scored by the mean
//                    R^2 of `folds`-fold (3) cross-validation with contiguous folds (sklearn
//                    cross_val_score(cv=3) = unshuffled KFold); the best draw is refitted on all
//                    data.
//   uncertainty      sigma = root mean square of the best draw's out-of-fold residuals (the
//                    paper models the prediction as Gaussian with a CV-estimated error).
// A separate model is fitted for every tau (the paper trains one SRM per number of observed
// epochs). Deviation (documented in docs/pruners.md): with `standardize` (default on) features and
// targets are z-scored on the training set before the SVR — NASLib feeds raw FLOPs/params, for
// which an RBF kernel with gamma >= 1e-5 is degenerate.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tandem {

enum class CurveFeatureKind { full, summary };

// "full" | "summary"; anything else throws ConfigError naming both.
CurveFeatureKind parse_curve_feature_kind(const std::string& text);

// The curve's features as described above (`full`: 3 tau - 1 values, `summary`: 6).
Eigen::RowVectorXd learning_curve_features(const std::vector<double>& curve, CurveFeatureKind kind);

struct LearningCurveSvrOptions {
  CurveFeatureKind curve_features = CurveFeatureKind::full;
  int draws = 1000;  // random-search draws (NASLib n_hypers)
  int folds = 3;     // cross-validation folds (NASLib cv=3)
  bool standardize = true;
  std::uint64_t seed = 0;
};

struct SvrHyperparameters {
  double c = 1.0;
  double nu = 0.5;
  double gamma = 1.0;
};

class LearningCurveSvr {
 public:
  explicit LearningCurveSvr(LearningCurveSvrOptions options = {});
  ~LearningCurveSvr();
  LearningCurveSvr(const LearningCurveSvr&) = delete;
  LearningCurveSvr& operator=(const LearningCurveSvr&) = delete;

  // Rows are configurations: `architecture` (may have 0 columns), `curves` (the first tau values
  // of each curve, tau >= 1, the same for every row) and the final value to predict. Needs at least
  // `folds` + 1 rows and finite values; throws ConfigError otherwise (one line naming the problem).
  void fit(const Eigen::MatrixXd& architecture, const Eigen::MatrixXd& curves,
           const Eigen::VectorXd& targets);
  bool fitted() const { return model_ != nullptr; }
  std::size_t tau() const { return tau_; }

  // Predicted final value for one configuration (architecture row, first tau curve values).
  double predict(const Eigen::RowVectorXd& architecture, const std::vector<double>& curve) const;
  // The CV-residual standard deviation of the chosen hyper-parameters (target units).
  double residual_stddev() const { return residual_stddev_; }
  const SvrHyperparameters& hyperparameters() const { return chosen_; }
  double cv_r2() const { return cv_r2_; }  // mean cross-validated R^2 of the chosen draw

 private:
  Eigen::RowVectorXd features(const Eigen::RowVectorXd& architecture,
                              const std::vector<double>& curve) const;

  LearningCurveSvrOptions options_;
  std::size_t tau_ = 0;
  Eigen::Index architecture_width_ = 0;
  Eigen::RowVectorXd feature_mean_, feature_scale_;
  double target_mean_ = 0.0, target_scale_ = 1.0;
  SvrHyperparameters chosen_;
  double cv_r2_ = 0.0;
  double residual_stddev_ = 0.0;
  struct Model;  // the libsvm model and the training rows its support vectors point into
  std::unique_ptr<Model> model_;
};

// Baker et al.'s early-stopping rule: with the prediction y_T ~ N(mean, stddev^2), the probability
// that the configuration reaches at least `best` (at most, when minimising); stop when it is
// <= 1 - delta (delta = 0.99 by default in the pruner; the constant is UNVERIFIED, see
// docs/pruners.md). stddev 0 gives a step function.
double probability_of_reaching(double mean, double stddev, double best, bool minimize);
bool baker_should_stop(double mean, double stddev, double best, double delta, bool minimize);

}  // namespace tandem
