// Baker et al. 2017 learning-curve nu-SVR and its early-stopping rule (see learning_curve_svr.hpp;
// features and hyper-parameter search as automl/NASLib naslib/predictors/lcsvr.py).
#include "predictors/learning_curve_svr.hpp"

#include <svm.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

void quiet(const char*) {}

void silence_libsvm() {
  static std::once_flag once;
  std::call_once(once, [] { svm_set_print_string_function(&quiet); });
}

svm_parameter nu_svr_parameter(const SvrHyperparameters& h) {
  svm_parameter p{};
  p.svm_type = NU_SVR;
  p.kernel_type = RBF;
  p.degree = 3;
  p.gamma = h.gamma;
  p.coef0 = 0.0;
  p.cache_size = 100;  // MB
  p.eps = 1e-3;        // sklearn NuSVR tol
  p.C = h.c;
  p.nr_weight = 0;
  p.weight_label = nullptr;
  p.weight = nullptr;
  p.nu = h.nu;
  p.p = 0.1;
  p.shrinking = 1;
  p.probability = 0;
  return p;
}

// Dense libsvm rows (1-based indices, terminated by index -1).
std::vector<std::vector<svm_node>> to_nodes(const Eigen::MatrixXd& x) {
  std::vector<std::vector<svm_node>> rows(static_cast<std::size_t>(x.rows()));
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    auto& row = rows[static_cast<std::size_t>(i)];
    row.reserve(static_cast<std::size_t>(x.cols()) + 1);
    for (Eigen::Index j = 0; j < x.cols(); ++j)
      row.push_back(svm_node{static_cast<int>(j + 1), x(i, j)});
    row.push_back(svm_node{-1, 0.0});
  }
  return rows;
}

std::vector<svm_node> to_nodes(const Eigen::RowVectorXd& x) {
  std::vector<svm_node> row;
  for (Eigen::Index j = 0; j < x.size(); ++j)
    row.push_back(svm_node{static_cast<int>(j + 1), x[j]});
  row.push_back(svm_node{-1, 0.0});
  return row;
}

// A trained libsvm model over the rows it was given (the model points into them).
class TrainedSvr {
 public:
  TrainedSvr(std::vector<svm_node*> rows, std::vector<double> targets, const SvrHyperparameters& h)
      : rows_(std::move(rows)), targets_(std::move(targets)), parameter_(nu_svr_parameter(h)) {
    problem_.l = static_cast<int>(rows_.size());
    problem_.y = targets_.data();
    problem_.x = rows_.data();
    const char* error = svm_check_parameter(&problem_, &parameter_);
    TANDEM_CHECK(error == nullptr, std::string("nu-SVR: ") + (error ? error : ""));
    model_ = svm_train(&problem_, &parameter_);
  }
  ~TrainedSvr() { svm_free_and_destroy_model(&model_); }
  TrainedSvr(const TrainedSvr&) = delete;
  TrainedSvr& operator=(const TrainedSvr&) = delete;
  double predict(const svm_node* row) const { return svm_predict(model_, row); }

 private:
  std::vector<svm_node*> rows_;
  std::vector<double> targets_;
  svm_parameter parameter_;
  svm_problem problem_{};
  svm_model* model_ = nullptr;
};

double mean_of(const std::vector<double>& v) {
  if (v.empty()) return 0.0;
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double std_of(const std::vector<double>& v) {  // population std, as numpy's np.std
  if (v.empty()) return 0.0;
  const double m = mean_of(v);
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size()));
}

std::vector<double> differences(const std::vector<double>& v) {
  std::vector<double> d;
  for (std::size_t i = 1; i < v.size(); ++i) d.push_back(v[i] - v[i - 1]);
  return d;
}

// sklearn r2_score for one fold (a constant fold scores 1 if predicted exactly, else 0).
double r_squared(const std::vector<double>& truth, const std::vector<double>& predicted) {
  const double m = mean_of(truth);
  double residual = 0.0, total = 0.0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    residual += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
    total += (truth[i] - m) * (truth[i] - m);
  }
  if (total == 0.0) return residual == 0.0 ? 1.0 : 0.0;
  return 1.0 - residual / total;
}

}  // namespace

struct LearningCurveSvr::Model {
  std::vector<std::vector<svm_node>> rows;
  std::unique_ptr<TrainedSvr> svr;
};

CurveFeatureKind parse_curve_feature_kind(const std::string& text) {
  if (text == "full") return CurveFeatureKind::full;
  if (text == "summary") return CurveFeatureKind::summary;
  throw ConfigError("unknown curve features '" + text + "'" +
                    did_you_mean(text, {"full", "summary"}) + "; accepted: full, summary");
}

Eigen::RowVectorXd learning_curve_features(const std::vector<double>& curve,
                                           CurveFeatureKind kind) {
  const std::vector<double> first = differences(curve);
  const std::vector<double> second = differences(first);
  std::vector<double> out;
  if (kind == CurveFeatureKind::full) {
    out.insert(out.end(), curve.begin(), curve.end());
    out.insert(out.end(), first.begin(), first.end());
    out.insert(out.end(), second.begin(), second.end());
    out.push_back(mean_of(curve));
    out.push_back(std_of(curve));
  } else {
    for (const auto* series : {&curve, &first, &second}) {
      out.push_back(mean_of(*series));
      out.push_back(std_of(*series));
    }
  }
  return Eigen::Map<const Eigen::RowVectorXd>(out.data(), static_cast<Eigen::Index>(out.size()));
}

LearningCurveSvr::LearningCurveSvr(LearningCurveSvrOptions options) : options_(options) {
  TANDEM_CHECK(options_.draws >= 1, "learning-curve SVR: draws " + std::to_string(options_.draws) +
                                        ": expected an integer >= 1");
  TANDEM_CHECK(options_.folds >= 2, "learning-curve SVR: folds " + std::to_string(options_.folds) +
                                        ": expected an integer >= 2");
  silence_libsvm();
}

LearningCurveSvr::~LearningCurveSvr() = default;

Eigen::RowVectorXd LearningCurveSvr::features(const Eigen::RowVectorXd& architecture,
                                              const std::vector<double>& curve) const {
  const Eigen::RowVectorXd series = learning_curve_features(curve, options_.curve_features);
  if (architecture.size() == 0) return series;
  Eigen::RowVectorXd row(architecture.size() + series.size());
  row << architecture, series;
  return row;
}

void LearningCurveSvr::fit(const Eigen::MatrixXd& architecture, const Eigen::MatrixXd& curves,
                           const Eigen::VectorXd& targets) {
  const Eigen::Index n = curves.rows();
  if (architecture.rows() != n || targets.size() != n)
    throw ConfigError("learning-curve SVR: " + std::to_string(architecture.rows()) +
                      " architecture rows, " + std::to_string(n) + " curves and " +
                      std::to_string(targets.size()) +
                      " targets; expected one of each per "
                      "configuration");
  const Eigen::Index needed = std::max<Eigen::Index>(3, options_.folds);
  if (n < needed)
    throw ConfigError("learning-curve SVR: " + std::to_string(n) +
                      " training curves; needs at least " + std::to_string(needed));
  if (curves.cols() < 1) throw ConfigError("learning-curve SVR: curves need at least one point");
  // Row i of the architecture features. With no feature columns (a pruner that has only curves)
  // the matrix holds no storage, and Eigen's row() would offset a null pointer.
  auto architecture_row = [&](Eigen::Index i) -> Eigen::RowVectorXd {
    if (architecture.cols() == 0) return Eigen::RowVectorXd();
    return architecture.row(i);
  };
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!curves.row(i).allFinite() || !architecture_row(i).allFinite() ||
        !std::isfinite(targets[i]))
      throw ConfigError("learning-curve SVR: training row " + std::to_string(i) +
                        " holds a NaN or infinite value");
  }
  tau_ = static_cast<std::size_t>(curves.cols());
  architecture_width_ = architecture.cols();

  Eigen::MatrixXd x(n, 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    std::vector<double> curve;
    for (Eigen::Index t = 0; t < curves.cols(); ++t) curve.push_back(curves(i, t));
    const Eigen::RowVectorXd row = features(architecture_row(i), curve);
    if (x.cols() == 0) x.resize(n, row.size());
    x.row(i) = row;
  }
  feature_mean_ = Eigen::RowVectorXd::Zero(x.cols());
  feature_scale_ = Eigen::RowVectorXd::Ones(x.cols());
  target_mean_ = 0.0;
  target_scale_ = 1.0;
  if (options_.standardize) {
    feature_mean_ = x.colwise().mean();
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      const double sd = std::sqrt((x.col(j).array() - feature_mean_[j]).square().mean());
      feature_scale_[j] = sd > 0.0 ? sd : 1.0;
    }
    target_mean_ = targets.mean();
    const double sd = std::sqrt((targets.array() - target_mean_).square().mean());
    target_scale_ = sd > 0.0 ? sd : 1.0;
  }
  for (Eigen::Index i = 0; i < n; ++i)
    x.row(i) = (x.row(i) - feature_mean_).cwiseQuotient(feature_scale_);
  std::vector<double> y(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i)
    y[static_cast<std::size_t>(i)] = (targets[i] - target_mean_) / target_scale_;

  auto model = std::make_unique<Model>();
  model->rows = to_nodes(x);

  // Contiguous folds as sklearn's unshuffled KFold: the first n % k folds hold one extra row.
  const auto rows = static_cast<std::size_t>(n);
  const auto k = static_cast<std::size_t>(options_.folds);
  std::vector<std::size_t> fold_of(rows);
  for (std::size_t fold = 0, start = 0; fold < k; ++fold) {
    const std::size_t size = rows / k + (fold < rows % k ? 1 : 0);
    for (std::size_t i = start; i < start + size; ++i) fold_of[i] = fold;
    start += size;
  }

  Rng rng(options_.seed);
  const double log_c_low = std::log(1e-5), log_c_high = std::log(10.0);
  double best_score = -std::numeric_limits<double>::infinity();
  std::vector<double> best_residuals;
  for (int draw = 0; draw < options_.draws; ++draw) {
    SvrHyperparameters h;
    h.c = std::exp(log_c_low + (log_c_high - log_c_low) * rng.uniform());
    h.nu = 1.0 - rng.uniform();  // U(0, 1]; libsvm rejects nu = 0
    h.gamma = std::exp(log_c_low + (log_c_high - log_c_low) * rng.uniform());
    double score = 0.0;
    std::vector<double> residual(rows, 0.0);
    for (std::size_t fold = 0; fold < k; ++fold) {
      std::vector<svm_node*> train_rows;
      std::vector<double> train_y, truth, predicted;
      for (std::size_t i = 0; i < rows; ++i) {
        if (fold_of[i] == fold) continue;
        train_rows.push_back(model->rows[i].data());
        train_y.push_back(y[i]);
      }
      TrainedSvr svr(std::move(train_rows), std::move(train_y), h);
      for (std::size_t i = 0; i < rows; ++i) {
        if (fold_of[i] != fold) continue;
        const double p = svr.predict(model->rows[i].data());
        truth.push_back(y[i]);
        predicted.push_back(p);
        residual[i] = p - y[i];
      }
      score += r_squared(truth, predicted);
    }
    score /= static_cast<double>(k);
    if (std::isfinite(score) && score > best_score) {
      best_score = score;
      chosen_ = h;
      best_residuals = std::move(residual);
    }
  }
  if (best_residuals.empty()) {  // every draw scored NaN: keep the last draw's parameters
    best_score = std::numeric_limits<double>::quiet_NaN();
    best_residuals.assign(rows, 0.0);
  }
  cv_r2_ = best_score;
  double squared = 0.0;
  for (double r : best_residuals) squared += r * r;
  residual_stddev_ = std::sqrt(squared / static_cast<double>(rows)) * target_scale_;

  std::vector<svm_node*> all_rows;
  for (auto& row : model->rows) all_rows.push_back(row.data());
  model->svr = std::make_unique<TrainedSvr>(std::move(all_rows), y, chosen_);
  model_ = std::move(model);
}

double LearningCurveSvr::predict(const Eigen::RowVectorXd& architecture,
                                 const std::vector<double>& curve) const {
  TANDEM_CHECK(fitted(), "learning-curve SVR: predict() before fit()");
  if (curve.size() != tau_ || architecture.size() != architecture_width_)
    throw ConfigError("learning-curve SVR: fitted on " + std::to_string(architecture_width_) +
                      " architecture features and " + std::to_string(tau_) +
                      " curve points, asked with " + std::to_string(architecture.size()) + " and " +
                      std::to_string(curve.size()));
  Eigen::RowVectorXd x = features(architecture, curve);
  if (!x.allFinite())
    throw ConfigError(
        "learning-curve SVR: the configuration to predict holds a NaN or infinite value");
  x = (x - feature_mean_).cwiseQuotient(feature_scale_);
  const std::vector<svm_node> row = to_nodes(x);
  return model_->svr->predict(row.data()) * target_scale_ + target_mean_;
}

double probability_of_reaching(double mean, double stddev, double best, bool minimize) {
  if (!(stddev > 0.0)) return (minimize ? mean <= best : mean >= best) ? 1.0 : 0.0;
  const double z = (best - mean) / stddev;
  // P(Y >= best) = 1 - Phi(z); P(Y <= best) = Phi(z).
  return minimize ? 0.5 * std::erfc(-z / std::sqrt(2.0)) : 0.5 * std::erfc(z / std::sqrt(2.0));
}

bool baker_should_stop(double mean, double stddev, double best, double delta, bool minimize) {
  return probability_of_reaching(mean, stddev, best, minimize) <= 1.0 - delta;
}

}  // namespace tandem
