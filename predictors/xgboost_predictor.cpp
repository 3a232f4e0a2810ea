// Predictor "xgboost" (see xgboost_predictor.hpp). Source: XGBoost C API (xgboost/c_api.h, 1.7);
// defaults from NASLib naslib/predictors/trees/xgb.py.
#include "predictors/xgboost_predictor.hpp"

#include <xgboost/c_api.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

void xgb_call(int status, const char* what) {
  if (status != 0)
    throw Error(std::string("predictor 'xgboost': ") + what + " failed: " + XGBGetLastError());
}

// A DMatrix of float rows, freed on scope exit.
class DMatrix {
 public:
  explicit DMatrix(const Eigen::MatrixXd& features) {
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows =
        features.cast<float>();
    xgb_call(XGDMatrixCreateFromMat(rows.data(), static_cast<bst_ulong>(rows.rows()),
                                    static_cast<bst_ulong>(rows.cols()),
                                    std::numeric_limits<float>::quiet_NaN(), &handle_),
             "XGDMatrixCreateFromMat");
  }
  ~DMatrix() { XGDMatrixFree(handle_); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

std::string number(double value) { return format_number(value); }

}  // namespace

XgboostOptions XgboostOptions::parse(const ConfigNode& options) {
  options.check_keys({"rounds", "max_depth", "learning_rate", "min_child_weight", "subsample",
                      "colsample_bytree", "colsample_bylevel", "reg_lambda", "reg_alpha",
                      "nthread"});
  XgboostOptions parsed;
  parsed.rounds = static_cast<int>(options.get_int_in("rounds", parsed.rounds, 1, 100000));
  parsed.max_depth = static_cast<int>(options.get_int_in("max_depth", parsed.max_depth, 1, 64));
  parsed.nthread = static_cast<int>(options.get_int_in("nthread", parsed.nthread, 1, 1024));
  auto positive = [&](const char* key, double fallback, double min, double max, bool open_min) {
    const double value = options.get_double(key, fallback);
    const bool ok = std::isfinite(value) && (open_min ? value > min : value >= min) && value <= max;
    if (!ok)
      options.at(key).fail(std::string(key) + " must be in " + (open_min ? "(" : "[") +
                           number(min) + ", " + number(max) + "], got " + number(value));
    return value;
  };
  const double inf = std::numeric_limits<double>::max();
  parsed.learning_rate = positive("learning_rate", parsed.learning_rate, 0.0, 1.0, true);
  parsed.min_child_weight = positive("min_child_weight", parsed.min_child_weight, 0.0, inf, false);
  parsed.subsample = positive("subsample", parsed.subsample, 0.0, 1.0, true);
  parsed.colsample_bytree = positive("colsample_bytree", parsed.colsample_bytree, 0.0, 1.0, true);
  parsed.colsample_bylevel = positive("colsample_bylevel", parsed.colsample_bylevel, 0.0, 1.0, true);
  parsed.reg_lambda = positive("reg_lambda", parsed.reg_lambda, 0.0, inf, false);
  parsed.reg_alpha = positive("reg_alpha", parsed.reg_alpha, 0.0, inf, false);
  return parsed;
}

XgboostPredictor::XgboostPredictor(XgboostOptions options, std::uint64_t seed)
    : options_(options), seed_(seed) {}

XgboostPredictor::~XgboostPredictor() { release(); }

void XgboostPredictor::release() {
  if (booster_ != nullptr) XGBoosterFree(booster_);
  booster_ = nullptr;
}

void XgboostPredictor::fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) {
  check_training_data(name(), features, targets, min_training_points());
  release();
  target_scaler_.fit(targets);
  const Eigen::VectorXf labels = target_scaler_.transform(targets).cast<float>();
  DMatrix train(features);
  xgb_call(XGDMatrixSetFloatInfo(train.get(), "label", labels.data(),
                                 static_cast<bst_ulong>(labels.size())),
           "XGDMatrixSetFloatInfo");
  DMatrixHandle handles[] = {train.get()};
  BoosterHandle booster = nullptr;
  xgb_call(XGBoosterCreate(handles, 1, &booster), "XGBoosterCreate");
  booster_ = booster;
  try {
    train_rounds(train.get());
  } catch (...) {
    release();
    throw;
  }
  width_ = features.cols();
}

void XgboostPredictor::train_rounds(void* train) {
  auto set = [&](const char* key, const std::string& value) {
    xgb_call(XGBoosterSetParam(booster_, key, value.c_str()), "XGBoosterSetParam");
  };
  set("verbosity", "0");
  set("objective", "reg:squarederror");
  set("booster", "gbtree");
  // XGBoost's seed is a 32-bit integer; fold the 64-bit seed.
  set("seed", std::to_string(static_cast<std::uint32_t>(seed_ ^ (seed_ >> 32)) & 0x7fffffffu));
  set("nthread", std::to_string(options_.nthread));
  set("max_depth", std::to_string(options_.max_depth));
  set("eta", number(options_.learning_rate));
  set("min_child_weight", number(options_.min_child_weight));
  set("subsample", number(options_.subsample));
  set("colsample_bytree", number(options_.colsample_bytree));
  set("colsample_bylevel", number(options_.colsample_bylevel));
  set("lambda", number(options_.reg_lambda));
  set("alpha", number(options_.reg_alpha));
  set("base_score", "0");
  for (int round = 0; round < options_.rounds; ++round)
    xgb_call(XGBoosterUpdateOneIter(booster_, round, train), "XGBoosterUpdateOneIter");
}

Eigen::VectorXd XgboostPredictor::predict(const Eigen::MatrixXd& features) const {
  check_prediction_input(name(), fitted(), width_, features);
  DMatrix data(features);
  bst_ulong length = 0;
  const float* result = nullptr;
  xgb_call(XGBoosterPredict(booster_, data.get(), 0, 0, 0, &length, &result), "XGBoosterPredict");
  TANDEM_ASSERT(static_cast<Eigen::Index>(length) == features.rows());
  Eigen::VectorXd scaled(features.rows());
  for (Eigen::Index i = 0; i < scaled.size(); ++i) scaled(i) = result[i];
  return target_scaler_.inverse(scaled);
}

void register_xgboost(PredictorRegistry& registry) {
  registry.add("xgboost", "tree", "gradient-boosted trees (XGBoost C API), NASLib defaults",
               [](const PredictorContext& context) -> std::unique_ptr<Predictor> {
                 return std::make_unique<XgboostPredictor>(XgboostOptions::parse(context.options),
                                                           context.seed);
               });
}

}  // namespace tandem
