// Tests for learning-curve extrapolation: the Levenberg–Marquardt fit recovers the parameters of a
// noiseless pow3 curve and matches the closed-form weighted least squares of a family that is
// linear in its parameters; the Domhan-style model average extrapolates a pow3 curve to its true
// value; Baker et al.'s nu-SVR, trained on synthetic curves whose final value is a known function
// of the early points, ranks held-out curves better than their last seen value; the early-stopping
// rule on hand-computed normal tail probabilities; the curve features on a hand-made curve.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "predictors/curve_extrapolation.hpp"
#include "predictors/learning_curve_svr.hpp"
#include "predictors/rank_metrics.hpp"

using namespace tandem;

namespace {

double pow3_value(double x, double c, double a, double alpha) {
  return c - a * std::pow(x, -alpha);
}

}  // namespace

TEST_CASE("Levenberg-Marquardt recovers the parameters of a noiseless pow3 curve") {
  // y = 0.9 - 0.5 x^-0.7, started from the official code's pow3 defaults (0.84, 0.52, 0.01).
  std::vector<double> x, y, w;
  for (int t = 1; t <= 30; ++t) {
    x.push_back(t);
    y.push_back(pow3_value(t, 0.9, 0.5, 0.7));
    w.push_back(1.0);
  }
  const CurveFamily& pow3 = curve_family("pow3");
  LeastSquaresFit fit = fit_curve(pow3, x, y, w, pow3.initial);
  REQUIRE(fit.success);
  CHECK(fit.parameters[0] == doctest::Approx(0.9).epsilon(1e-6));
  CHECK(fit.parameters[1] == doctest::Approx(0.5).epsilon(1e-6));
  CHECK(fit.parameters[2] == doctest::Approx(0.7).epsilon(1e-6));
  CHECK(fit.cost < 1e-18);
}

TEST_CASE("Levenberg-Marquardt matches the closed-form weighted least squares of ilog2") {
  // ilog2: y = c - a / ln(x + 1) is linear in (c, a): with u = -1/ln(x+1) the weighted normal
  // equations [S_w S_wu; S_wu S_wuu] (c, a) = (S_wy, S_wuy) give the exact optimum.
  Rng rng(7);
  std::vector<double> x, y, w;
  for (int t = 1; t <= 12; ++t) {
    x.push_back(t);
    y.push_back(0.8 - 0.4 / std::log(t + 1.0) + 0.01 * rng.normal());
    w.push_back(std::pow(10.0, (t - 1) / 12.0));  // recency weights
  }
  double sw = 0, swu = 0, swuu = 0, swy = 0, swuy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double u = -1.0 / std::log(x[i] + 1.0);
    sw += w[i];
    swu += w[i] * u;
    swuu += w[i] * u * u;
    swy += w[i] * y[i];
    swuy += w[i] * u * y[i];
  }
  const double det = sw * swuu - swu * swu;
  const double c = (swy * swuu - swu * swuy) / det;
  const double a = (sw * swuy - swu * swy) / det;
  const CurveFamily& ilog2 = curve_family("ilog2");
  LeastSquaresFit fit = fit_curve(ilog2, x, y, w, ilog2.initial);
  REQUIRE(fit.success);
  CHECK(fit.parameters[0] == doctest::Approx(c).epsilon(1e-6));
  CHECK(fit.parameters[1] == doctest::Approx(a).epsilon(1e-6));
}

TEST_CASE("the model-averaged extrapolation of a pow3 curve reaches its true final value") {
  // 20 epochs of 90 - 50 t^-0.7 (percent); the value at epoch 100 is 90 - 50 * 100^-0.7 = 86.85.
  std::vector<double> curve;
  for (int t = 1; t <= 20; ++t) curve.push_back(pow3_value(t, 90.0, 50.0, 0.7));
  const double truth = 90.0 - 50.0 * std::pow(100.0, -0.7);
  CurveExtrapolator extrapolator;
  REQUIRE(extrapolator.fit(curve));
  double weights = 0.0;
  for (const auto& member : extrapolator.members()) weights += member.weight;
  CHECK(weights == doctest::Approx(1.0));
  CHECK(extrapolator.predict(100) == doctest::Approx(truth).epsilon(0.01));
  CHECK(extrapolator.predict(20) == doctest::Approx(curve.back()).epsilon(0.002));
  // Far above the true final value is (almost) impossible, far below (almost) certain.
  CHECK(extrapolator.probability_at_least(100, truth + 5.0) < 0.01);
  CHECK(extrapolator.probability_at_least(100, truth - 5.0) > 0.99);
  // Too short a curve (or NaN) fits nothing, and an unfitted model never says "stop".
  CurveExtrapolator empty;
  CHECK_FALSE(empty.fit({50.0}));
  CHECK_FALSE(empty.fit({50.0, std::nan("")}));
  CHECK(empty.probability_at_least(100, 1e9) == 1.0);
  CHECK_THROWS_AS(curve_family("pow5"), ConfigError);
}

TEST_CASE("learning-curve features of a hand-made curve") {
  // VC = (1, 3, 4): DVC = (2, 1), DDVC = (-1), mean 8/3, std sqrt(14/9) (population).
  const Eigen::RowVectorXd full = learning_curve_features({1, 3, 4}, CurveFeatureKind::full);
  REQUIRE(full.size() == 8);
  const std::vector<double> expected = {1, 3, 4, 2, 1, -1, 8.0 / 3.0, std::sqrt(14.0 / 9.0)};
  for (int i = 0; i < 8; ++i) CHECK(full[i] == doctest::Approx(expected[i]));
  // summary: mean/std of VC (8/3, sqrt(14/9)), of DVC (1.5, 0.5), of DDVC (-1, 0).
  const Eigen::RowVectorXd summary = learning_curve_features({1, 3, 4}, CurveFeatureKind::summary);
  const std::vector<double> expected_summary = {8.0 / 3.0, std::sqrt(14.0 / 9.0), 1.5, 0.5, -1, 0};
  REQUIRE(summary.size() == 6);
  for (int i = 0; i < 6; ++i) CHECK(summary[i] == doctest::Approx(expected_summary[i]));
  CHECK_THROWS_AS(parse_curve_feature_kind("partial"), ConfigError);
}

TEST_CASE("the nu-SVR ranks final values better than the last seen value") {
  // Curves y_t = c - a t^-alpha observed for tau = 4 epochs; the final value at T = 50 is a known
  // function of the early points (it depends on the curvature that the last value hides).
  Rng rng(11);
  auto make = [&](int n, Eigen::MatrixXd& arch, Eigen::MatrixXd& curves,
                  Eigen::VectorXd& final_value) {
    arch.resize(n, 1);
    curves.resize(n, 4);
    final_value.resize(n);
    for (int i = 0; i < n; ++i) {
      const double c = 60.0 + 35.0 * rng.uniform();
      const double a = 20.0 + 40.0 * rng.uniform();
      const double alpha = 0.1 + 1.4 * rng.uniform();
      arch(i, 0) = alpha > 0.8 ? 1.0 : 0.0;  // a coarse architecture feature
      for (int t = 1; t <= 4; ++t) curves(i, t - 1) = pow3_value(t, c, a, alpha);
      final_value[i] = pow3_value(50, c, a, alpha);
    }
  };
  Eigen::MatrixXd train_arch, train_curves, test_arch, test_curves;
  Eigen::VectorXd train_final, test_final;
  make(80, train_arch, train_curves, train_final);
  make(60, test_arch, test_curves, test_final);

  LearningCurveSvrOptions options;
  options.draws = 60;
  options.seed = 3;
  LearningCurveSvr svr(options);
  svr.fit(train_arch, train_curves, train_final);
  CHECK(svr.tau() == 4);
  std::vector<double> predicted, last_seen, truth;
  for (int i = 0; i < test_curves.rows(); ++i) {
    std::vector<double> curve(4);
    for (int t = 0; t < 4; ++t) curve[t] = test_curves(i, t);
    predicted.push_back(svr.predict(test_arch.row(i), curve));
    last_seen.push_back(curve.back());
    truth.push_back(test_final[i]);
  }
  const double svr_tau = kendall_tau(predicted, truth);
  const double last_tau = kendall_tau(last_seen, truth);
  MESSAGE("Kendall tau: svr " << svr_tau << ", last seen " << last_tau << ", cv R^2 " << svr.cv_r2()
                              << ", residual sd " << svr.residual_stddev());
  CHECK(svr_tau > last_tau + 0.1);
  CHECK(svr.residual_stddev() > 0.0);

  // Bad input: too few rows, NaN, wrong widths.
  LearningCurveSvr small(options);
  CHECK_THROWS_AS(small.fit(train_arch.topRows(2), train_curves.topRows(2), train_final.head(2)),
                  ConfigError);
  Eigen::MatrixXd with_nan = train_curves;
  with_nan(5, 2) = std::nan("");
  CHECK_THROWS_AS(small.fit(train_arch, with_nan, train_final), ConfigError);
  CHECK_THROWS_AS(svr.predict(test_arch.row(0), {1.0, 2.0}), ConfigError);
}

TEST_CASE("the early-stopping rule on hand-computed normal tails") {
  // N(50, 5^2): P(Y >= 60) = 1 - Phi(2) = 0.02275 > 0.01: keep going with delta 0.99;
  // P(Y >= 62) = 1 - Phi(2.4) = 0.00820 <= 0.01: stop.
  CHECK(probability_of_reaching(50, 5, 60, false) == doctest::Approx(0.0227501).epsilon(1e-5));
  CHECK_FALSE(baker_should_stop(50, 5, 60, 0.99, false));
  CHECK(probability_of_reaching(50, 5, 62, false) == doctest::Approx(0.0081975).epsilon(1e-5));
  CHECK(baker_should_stop(50, 5, 62, 0.99, false));
  // Minimising a loss: N(0.5, 0.1^2), best 0.3: P(Y <= 0.3) = Phi(-2) = 0.02275.
  CHECK(probability_of_reaching(0.5, 0.1, 0.3, true) == doctest::Approx(0.0227501).epsilon(1e-5));
  CHECK(baker_should_stop(0.5, 0.1, 0.3, 0.95, true));  // 0.02275 <= 0.05
  CHECK_FALSE(baker_should_stop(0.5, 0.1, 0.3, 0.99, true));
  // No uncertainty: a step function.
  CHECK(baker_should_stop(59.9, 0.0, 60, 0.99, false));
  CHECK_FALSE(baker_should_stop(60.0, 0.0, 60, 0.99, false));
}
