// mlp_ensemble: recovers known functions on synthetic data, is more uncertain away from its data
// than on it, is deterministic per seed, and rejects bad input with one clear line.
#include <doctest/doctest.h>

#include <cmath>

#include "core/rng.hpp"
#include "predictors/mlp_ensemble.hpp"

using namespace tandem;

namespace {

double smooth(double x, double y) {
  return std::sin(2.0 * x) + y * y;
}

void uniform_points(Rng& rng, Eigen::MatrixXd& x, Eigen::VectorXd& y, int n) {
  x.resize(n, 2);
  y.resize(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = 2.0 * rng.uniform() - 1.0;
    x(i, 1) = 2.0 * rng.uniform() - 1.0;
    y(i) = smooth(x(i, 0), x(i, 1));
  }
}

std::string fit_error(MlpEnsemble& model, const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  try {
    model.fit(x, y);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("mlp_ensemble recovers a smooth function of two inputs") {
  Rng rng(1);
  Eigen::MatrixXd x_train, x_test;
  Eigen::VectorXd y_train, y_test;
  uniform_points(rng, x_train, y_train, 200);
  uniform_points(rng, x_test, y_test, 100);
  MlpEnsembleOptions options;  // the BANANAS defaults, more epochs for a regression this fine
  options.epochs = 300;
  MlpEnsemble model(options, 7);
  model.fit(x_train, y_train);
  const Eigen::VectorXd predicted = model.predict(x_test);
  const double error = (predicted - y_test).cwiseAbs().mean();
  // The target spans about [-0.9, 1.9]; predicting its mean would err by about 0.55 on average.
  const double baseline = (y_test.array() - y_train.mean()).abs().mean();
  CHECK(baseline > 0.4);
  CHECK(error < 0.1);
}

TEST_CASE("mlp_ensemble ranks binary path-like encodings by a known additive score") {
  // 40 binary features, 4 active per row (as a path encoding); target = sum of the active
  // features' weights w_j = j / 40. Rank agreement is checked by counting concordant pairs.
  Rng rng(3);
  auto make = [&](int n, Eigen::MatrixXd& x, Eigen::VectorXd& y) {
    x = Eigen::MatrixXd::Zero(n, 40);
    y = Eigen::VectorXd::Zero(n);
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < 4; ++k) {
        const int j = 10 * k + static_cast<int>(rng.uniform_index(10));
        x(i, j) = 1.0;
        y(i) += j / 40.0;
      }
  };
  Eigen::MatrixXd x_train, x_test;
  Eigen::VectorXd y_train, y_test;
  make(100, x_train, y_train);
  make(60, x_test, y_test);
  MlpEnsemble model(MlpEnsembleOptions{}, 11);
  model.fit(x_train, y_train);
  const Eigen::VectorXd predicted = model.predict(x_test);
  int concordant = 0, pairs = 0;
  for (int i = 0; i < 60; ++i)
    for (int j = i + 1; j < 60; ++j) {
      if (y_test(i) == y_test(j)) continue;
      ++pairs;
      concordant += (y_test(i) - y_test(j)) * (predicted(i) - predicted(j)) > 0;
    }
  CHECK(static_cast<double>(concordant) / pairs > 0.85);  // Kendall tau above 0.7
  CHECK((predicted - y_test).cwiseAbs().mean() < 0.1);    // targets span about [0.9, 3.4]
}

TEST_CASE("mlp_ensemble is more uncertain away from its data than at its training points") {
  Rng rng(5);
  const int n = 60;
  Eigen::MatrixXd x(n, 1);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = 2.0 * rng.uniform() - 1.0;
    y(i) = std::sin(3.0 * x(i, 0));
  }
  MlpEnsemble model(MlpEnsembleOptions{}, 2);
  model.fit(x, y);
  Eigen::MatrixXd far(20, 1);
  for (int i = 0; i < 20; ++i) far(i, 0) = 4.0 + 0.1 * i;  // 3 to 5 units beyond the data
  const double near_std = model.predict_stddev(x).mean();
  const double far_std = model.predict_stddev(far).mean();
  CHECK(far_std > 3.0 * near_std);

  // The std is the population standard deviation of the members' predictions.
  const Eigen::MatrixXd members = model.member_predictions(far.topRows(1));
  REQUIRE(members.rows() == 5);
  double mean = members.col(0).mean(), squares = 0.0;
  for (int m = 0; m < 5; ++m) squares += (members(m, 0) - mean) * (members(m, 0) - mean);
  CHECK(model.predict_stddev(far.topRows(1))(0) == doctest::Approx(std::sqrt(squares / 5.0)));
  CHECK(model.predict(far.topRows(1))(0) == doctest::Approx(mean));
}

TEST_CASE("mlp_ensemble is deterministic per seed and its members differ") {
  Rng rng(9);
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  uniform_points(rng, x, y, 30);
  MlpEnsembleOptions options;
  options.epochs = 20;
  MlpEnsemble a(options, 4), b(options, 4), c(options, 5);
  a.fit(x, y);
  b.fit(x, y);
  c.fit(x, y);
  CHECK(a.member_predictions(x) == b.member_predictions(x));
  CHECK(a.predict(x) != c.predict(x));
  CHECK(a.predict_stddev(x).minCoeff() > 0.0);  // differently seeded members disagree
}

TEST_CASE("mlp_ensemble rejects bad input with one clear line") {
  MlpEnsemble model(MlpEnsembleOptions{}, 0);
  Eigen::MatrixXd one = Eigen::MatrixXd::Ones(1, 3);
  CHECK(fit_error(model, one, Eigen::VectorXd::Ones(1)) ==
        "mlp_ensemble: needs at least 2 training points, got 1");
  Eigen::MatrixXd x = Eigen::MatrixXd::Ones(3, 3);
  x(2, 1) = NAN;
  CHECK(fit_error(model, x, Eigen::VectorXd::Ones(3)) ==
        "mlp_ensemble: feature row 2, column 1 is nan; features must be finite numbers");
  CHECK_THROWS_WITH_AS(model.predict(Eigen::MatrixXd::Ones(2, 3)),
                       "mlp_ensemble: predict() called before fit()", ConfigError);
  Eigen::VectorXd y = Eigen::VectorXd::Ones(3);
  y(1) = INFINITY;
  CHECK(fit_error(model, Eigen::MatrixXd::Ones(3, 3), y) ==
        "mlp_ensemble: target of row 1 is inf; targets must be finite numbers");
  MlpEnsembleOptions quick;
  quick.epochs = 2;
  MlpEnsemble fitted(quick, 0);
  fitted.fit(Eigen::MatrixXd::Identity(3, 3), Eigen::VectorXd::LinSpaced(3, 0, 1));
  CHECK_THROWS_WITH_AS(fitted.predict(Eigen::MatrixXd::Ones(2, 4)),
                       "mlp_ensemble: features have 4 columns but the predictor was fitted on 3",
                       ConfigError);

  auto option_error = [](const std::string& yaml) -> std::string {
    try {
      MlpEnsembleOptions::parse(ConfigNode::parse(yaml, "predictor.yaml"));
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "";
  };
  CHECK(option_error("{learning_rate: 0}") ==
        "predictor.yaml:1:17: 'learning_rate': learning_rate 0 must be a number > 0");
  CHECK(option_error("{loss: huber}").find("accepted: mae, mse") != std::string::npos);
  CHECK(option_error("{members: 0}").find("members") != std::string::npos);
  CHECK(option_error("{widht: 3}").find("did you mean 'width'") != std::string::npos);
}
