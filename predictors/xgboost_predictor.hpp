// Predictor "xgboost": gradient-boosted regression trees through XGBoost's C API (Debian
// libxgboost-dev; Chen & Guestrin, "XGBoost: A Scalable Tree Boosting System", KDD 2016).
// Defaults are NASLib's (automl/NASLib naslib/predictors/trees/xgb.py default_hyperparams and
// train(num_boost_round=500)): reg:squarederror, gbtree, max_depth 6, min_child_weight 1,
// learning_rate 0.3, colsample_bytree 1, colsample_bylevel 1, 500 rounds. Targets are
// standardised before training and predictions mapped back (NASLib computes the mean and std but
// only applies them to the predictions; ranking is the same), so base_score is 0. No predictive uncertainty (zeros).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "predictors/predictor.hpp"
#include "predictors/predictor_checks.hpp"

namespace tandem {

struct XgboostOptions {
  int rounds = 500;
  int max_depth = 6;
  double learning_rate = 0.3;
  double min_child_weight = 1.0;
  double subsample = 1.0;
  double colsample_bytree = 1.0;
  double colsample_bylevel = 1.0;
  double reg_lambda = 1.0;  // XGBoost's `lambda` (L2 on leaf weights)
  double reg_alpha = 0.0;   // XGBoost's `alpha` (L1 on leaf weights)
  int nthread = 1;          // 1 keeps fits reproducible bit for bit
  // Keys: rounds, max_depth, learning_rate, min_child_weight, subsample, colsample_bytree,
  // colsample_bylevel, reg_lambda, reg_alpha, nthread.
  static XgboostOptions parse(const ConfigNode& options);
};

class XgboostPredictor final : public Predictor {
 public:
  XgboostPredictor(XgboostOptions options, std::uint64_t seed);
  ~XgboostPredictor() override;
  XgboostPredictor(const XgboostPredictor&) = delete;
  XgboostPredictor& operator=(const XgboostPredictor&) = delete;

  std::string name() const override { return "xgboost"; }
  void fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& features) const override;
  bool fitted() const override { return booster_ != nullptr; }

 private:
  void release();
  void train_rounds(void* train);  // DMatrixHandle of the labelled training rows

  XgboostOptions options_;
  std::uint64_t seed_;
  void* booster_ = nullptr;  // BoosterHandle
  TargetScaler target_scaler_;
  Eigen::Index width_ = 0;
};

void register_xgboost(PredictorRegistry& registry);

}  // namespace tandem
