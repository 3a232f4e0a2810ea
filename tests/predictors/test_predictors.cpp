// Tests for the learned predictors: each recovers a known function on synthetic data (ridge: exact
// linear coefficients and the hand-computed shrinkage; gp: interpolation and the behaviour of its
// std; xgboost: a step function; pretrained: pretraining on a free statistic helps when the target
// depends on it), the feature builder, and the one-line errors of the Predictor contract.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "predictors/encodings.hpp"
#include "predictors/feature_builder.hpp"
#include "predictors/gp_predictor.hpp"
#include "predictors/predictor.hpp"
#include "predictors/pretrained_predictor.hpp"
#include "predictors/rank_metrics.hpp"
#include "predictors/ridge_predictor.hpp"
#include "predictors/xgboost_predictor.hpp"
#include "spaces/nb201_space.hpp"

using namespace tandem;

namespace {

std::unique_ptr<Predictor> make(const std::string& name, const std::string& options = "{}",
                                 std::uint64_t seed = 0) {
  const ConfigNode node = ConfigNode::parse(options, "<test>");
  return predictor_registry().create(name, PredictorContext{node, seed});
}

std::vector<double> to_vector(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

}  // namespace

TEST_CASE("ridge with alpha 0 recovers linear coefficients exactly") {
  // y = 2 + 3 x0 - x1 + 0.5 x2, x0 binary, x1 and x2 numeric (z-scored inside, reported back in
  // original units).
  Rng rng(1);
  Eigen::MatrixXd x(20, 3);
  Eigen::VectorXd y(20);
  for (int i = 0; i < 20; ++i) {
    x(i, 0) = rng.bernoulli(0.5) ? 1.0 : 0.0;
    x(i, 1) = rng.normal(10.0, 5.0);
    x(i, 2) = rng.uniform() * 100.0;
    y(i) = 2.0 + 3.0 * x(i, 0) - x(i, 1) + 0.5 * x(i, 2);
  }
  RidgePredictor ridge(RidgeOptions::parse(ConfigNode::parse("{alpha: 0}", "<test>")));
  ridge.fit(x, y);
  CHECK(ridge.coefficients()(0) == doctest::Approx(3.0).epsilon(1e-9));
  CHECK(ridge.coefficients()(1) == doctest::Approx(-1.0).epsilon(1e-9));
  CHECK(ridge.coefficients()(2) == doctest::Approx(0.5).epsilon(1e-9));
  CHECK(ridge.intercept() == doctest::Approx(2.0).epsilon(1e-9));
  Eigen::MatrixXd probe(1, 3);
  probe << 1.0, 4.0, 8.0;
  CHECK(ridge.predict(probe)(0) == doctest::Approx(2.0 + 3.0 - 4.0 + 4.0));
}

TEST_CASE("ridge shrinkage matches the hand-computed closed form") {
  // x = [0,0,1,1], y = [1,3,5,7]: centred x +-0.5 (sum of squares 1), centred y [-3,-1,1,3],
  // sum x y = 4: w = 4 / (1 + alpha); alpha 1 -> w = 2, intercept 4 - 0.5 * 2 = 3.
  Eigen::MatrixXd x(4, 1);
  x << 0, 0, 1, 1;
  Eigen::VectorXd y(4);
  y << 1, 3, 5, 7;
  RidgePredictor ridge(RidgeOptions::parse(ConfigNode::parse("{alpha: 1}", "<test>")));
  ridge.fit(x, y);
  CHECK(ridge.coefficients()(0) == doctest::Approx(2.0));
  CHECK(ridge.intercept() == doctest::Approx(3.0));
  RidgePredictor ols(RidgeOptions::parse(ConfigNode::parse("{alpha: 0}", "<test>")));
  ols.fit(x, y);
  CHECK(ols.coefficients()(0) == doctest::Approx(4.0));
}

TEST_CASE("ridge's leave-one-out alpha matches brute-force leave-one-out refits") {
  Rng rng(7);
  const int n = 15;
  Eigen::MatrixXd x(n, 6);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < 6; ++c) x(i, c) = rng.bernoulli(0.4) ? 1.0 : 0.0;
    y(i) = x(i, 0) - 2.0 * x(i, 3) + rng.normal(0.0, 0.8);
  }
  RidgePredictor automatic(RidgeOptions{});
  automatic.fit(x, y);
  double best_alpha = 0.0, best_error = std::numeric_limits<double>::infinity();
  for (int k = -6; k <= 6; ++k) {
    const double alpha = std::pow(10.0, 0.5 * k);
    double error = 0.0;
    for (int out = 0; out < n; ++out) {
      Eigen::MatrixXd xs(n - 1, 6);
      Eigen::VectorXd ys(n - 1);
      for (int i = 0, r = 0; i < n; ++i)
        if (i != out) xs.row(r) = x.row(i), ys(r++) = y(i);
      RidgeOptions options;
      options.alpha = alpha;
      RidgePredictor fold(options);
      fold.fit(xs, ys);
      error += std::pow(fold.predict(x.row(out))(0) - y(out), 2);
    }
    if (error < best_error) best_error = error, best_alpha = alpha;
  }
  CHECK(automatic.alpha() == doctest::Approx(best_alpha));
}

TEST_CASE("gp interpolates training points and its std grows away from them") {
  const int n = 12;
  Eigen::MatrixXd x(n, 1);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) x(i, 0) = i, y(i) = std::sin(i);
  for (const char* kernel : {"rbf", "matern52"}) {
    CAPTURE(kernel);
    auto gp = make("gp", std::string("{kernel: ") + kernel + "}");
    gp->fit(x, y);
    const Eigen::VectorXd at_train = gp->predict(x);
    for (int i = 0; i < n; ++i) CHECK(at_train(i) == doctest::Approx(y(i)).epsilon(1e-3));
    Eigen::MatrixXd mid(3, 1);
    mid << 2.5, 5.5, 8.5;
    const Eigen::VectorXd at_mid = gp->predict(mid);
    for (int i = 0; i < 3; ++i) CHECK(std::abs(at_mid(i) - std::sin(mid(i, 0))) < 0.05);
    // std: ~0 at a training point, larger between points, larger still outside the data, and
    // the prior mean (the targets' mean) far away.
    Eigen::MatrixXd probes(4, 1);
    probes << 5.0, 5.5, 13.0, 1000.0;
    const Eigen::VectorXd std = gp->predict_stddev(probes);
    CHECK(std(0) < 1e-2);
    CHECK(std(1) > std(0));
    CHECK(std(2) > std(1));
    CHECK(std(3) > std(2));
    CHECK(gp->predict(probes.bottomRows(1))(0) == doctest::Approx(y.mean()).epsilon(1e-6));
  }
}

TEST_CASE("xgboost fits a step function and uses its seed") {
  const int n = 100;
  Eigen::MatrixXd x(n, 2);
  Eigen::VectorXd y(n);
  Rng rng(3);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = rng.uniform();
    x(i, 1) = rng.uniform();  // irrelevant
    y(i) = x(i, 0) < 0.5 ? 10.0 : 20.0;
  }
  auto xgb = make("xgboost", "{rounds: 200}");
  xgb->fit(x, y);
  Eigen::MatrixXd probes(4, 2);
  probes << 0.1, 0.5, 0.4, 0.9, 0.6, 0.1, 0.95, 0.5;
  const Eigen::VectorXd predicted = xgb->predict(probes);
  CHECK(predicted(0) == doctest::Approx(10.0).epsilon(0.01));
  CHECK(predicted(1) == doctest::Approx(10.0).epsilon(0.01));
  CHECK(predicted(2) == doctest::Approx(20.0).epsilon(0.01));
  CHECK(predicted(3) == doctest::Approx(20.0).epsilon(0.01));
  CHECK(xgb->predict_stddev(probes).isZero());
  // Row subsampling makes the fit depend on the seed: same seed, same trees; another, different.
  const std::string sampled = "{rounds: 20, subsample: 0.5}";
  auto a = make("xgboost", sampled, 1), b = make("xgboost", sampled, 1), c = make("xgboost", sampled, 2);
  a->fit(x, y), b->fit(x, y), c->fit(x, y);
  Eigen::MatrixXd grid(50, 2);
  for (int i = 0; i < 50; ++i) grid(i, 0) = i / 50.0, grid(i, 1) = 0.5;
  CHECK(a->predict(grid) == b->predict(grid));
  CHECK(a->predict(grid) != c->predict(grid));
}

TEST_CASE("pretraining on a free statistic helps when accuracy depends on it") {
  // 16 binary features; the free statistic s = w . x is known for 1000 unlabelled rows, the target
  // tanh(s / 2) for only 12. The pretrained encoder already represents s (and the accuracy head
  // starts from the proxy head), so its ranking of 300 held-out rows beats the same MLP trained from
  // scratch by far.
  Rng rng(11);
  Eigen::VectorXd w(16);
  for (int c = 0; c < 16; ++c) w(c) = rng.normal();
  auto rows = [&](int count) {
    Eigen::MatrixXd x(count, 16);
    for (int i = 0; i < count; ++i)
      for (int c = 0; c < 16; ++c) x(i, c) = rng.bernoulli(0.5) ? 1.0 : 0.0;
    return x;
  };
  const Eigen::MatrixXd pool = rows(1000), train = rows(12), test = rows(300);
  auto target = [&](const Eigen::MatrixXd& x) {
    return Eigen::VectorXd((x * w / 2.0).array().tanh());
  };
  const std::string options = "{pretrain_epochs: 60, finetune_epochs: 50}";
  PretrainedMlpPredictor pretrained(PretrainedMlpOptions::parse(ConfigNode::parse(options, "<t>")), 5);
  pretrained.pretrain(pool, pool * w);
  pretrained.fit(train, target(train));
  PretrainedMlpPredictor scratch(PretrainedMlpOptions::parse(ConfigNode::parse(options, "<t>")), 5);
  scratch.fit(train, target(train));
  const double tau_pretrained =
      kendall_tau(to_vector(pretrained.predict(test)), to_vector(target(test)));
  const double tau_scratch = kendall_tau(to_vector(scratch.predict(test)), to_vector(target(test)));
  CAPTURE(tau_pretrained);
  CAPTURE(tau_scratch);
  CHECK(pretrained.pretraining_loss() < 0.05);
  CHECK(tau_pretrained > 0.8);
  CHECK(tau_pretrained > tau_scratch + 0.3);
}

TEST_CASE("feature builder appends extra columns to the encoding") {
  Nb201Space space;
  ArchitectureEncoder encoder(space, EncodingKind::one_hot);
  FeatureBuilder builder(encoder, {"flops", "params"});
  CHECK(builder.size() == 32);
  const Candidate cell{std::vector<int>(6, 3)};
  const std::vector<double> row = builder.row(cell, {184.0, 1.5}, "cell");
  CHECK(row.size() == 32);
  CHECK(row[3] == 1.0);
  CHECK(row[30] == 184.0);
  CHECK(row[31] == 1.5);
  CHECK_THROWS_WITH_AS(builder.row(cell, {std::nan(""), 1.0}, "trial 4"),
                       doctest::Contains("trial 4: column 'flops' is nan"), ConfigError);
  CHECK_THROWS_WITH_AS(builder.row(cell, {1.0}, "trial 4"),
                       doctest::Contains("1 extra values for 2 extra columns"), ConfigError);
}

TEST_CASE("predictors reject bad input in one line") {
  Eigen::MatrixXd x(3, 2);
  x << 0, 1, 1, 0, 1, 1;
  Eigen::VectorXd y(3);
  y << 1, 2, 3;
  for (const char* name : {"ridge", "gp", "xgboost", "pretrained"}) {
    CAPTURE(name);
    auto predictor = make(name, "{}");
    CHECK_FALSE(predictor->fitted());
    CHECK_THROWS_WITH_AS(predictor->predict(x), doctest::Contains("before it was fitted"),
                         ConfigError);
    CHECK_THROWS_WITH_AS(predictor->fit(x.topRows(1), y.head(1)),
                         doctest::Contains("needs at least 2 training points, got 1"), ConfigError);
    Eigen::MatrixXd bad = x;
    bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(predictor->fit(bad, y), doctest::Contains("row 2, column 1 is nan"),
                         ConfigError);
    Eigen::VectorXd bad_y = y;
    bad_y(0) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH_AS(predictor->fit(x, bad_y), doctest::Contains("target of row 0 is inf"),
                         ConfigError);
    predictor->fit(x, y);
    CHECK(predictor->fitted());
    CHECK_THROWS_WITH_AS(predictor->predict(Eigen::MatrixXd::Zero(2, 5)),
                         doctest::Contains("have 5 columns but it was fitted on 2"), ConfigError);
  }
  CHECK_THROWS_WITH_AS(make("ridg"), doctest::Contains("did you mean 'ridge'"), Error);
  CHECK_THROWS_WITH_AS(make("ridge", "{alpha: -1}"), doctest::Contains("alpha must be a number >= 0"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(make("gp", "{kernel: linear}"), doctest::Contains("linear"), ConfigError);
  CHECK_THROWS_WITH_AS(make("xgboost", "{rounds: 0}"), doctest::Contains("rounds"), ConfigError);
}
