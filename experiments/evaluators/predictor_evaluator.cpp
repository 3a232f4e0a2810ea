// Evaluator "predictor": scores candidates with a learned performance predictor (any registered
// one: mlp_ensemble, ridge, gp, xgboost, ...) fitted on the experiment's own measured trials —
// surrogate-assisted evaluation, the setting of the "Neural Predictor for NAS" line of work
// (Wen et al. 2020; White et al. 2021, "How Powerful are Performance Predictors in NAS?").
//
// A predictor cannot score anything before it has seen measured trials, so this evaluator wraps a
// companion evaluator (`measure`, e.g. train or table) that measures the `target` metric:
//   - the first `warmup` trials whose target came back finite are MEASURED: the companion runs and
//     its result (every metric, its status) is the trial's; (encoding, target) joins the training
//     set. Trials whose companion fails do not count towards the warmup;
//   - from then on the trial is PREDICTED: it completes at once with `target` = the predicted mean,
//     so strategies and objectives use it like a measurement; the companion does not run;
//   - every `measure_every`-th trial after the warmup is measured anyway (0 = never), so the
//     training set keeps growing; the predictor is refitted from scratch once `refit_every` new
//     measured points have arrived since the last fit (seeded from the experiment seed and the
//     fit's number, so a run is reproducible).
// Every trial reports `measured` (1 measured, 0 predicted) and, once a predictor is fitted,
// `predicted_<target>` and `predicted_<target>_std` (zero for models without uncertainty) — on
// measured trials too, so the database holds the prediction next to the truth.
// Scope of the training set: the trials this evaluator instance measured in this process. With
// `tandem run --workers N` every worker thread has its own instance (its own warmup and training
// set); on `--resume` the evaluator starts again with an empty training set and warms up anew.
// Predicted trials do not carry the companion's other metrics (objectives or constraints on them
// see the metric missing and treat those trials as failed).
//
// Options: measure (required: NAME or {name, options}), target (required), predictor
// (mlp_ensemble), predictor_options ({}), encoding (auto: path where the space has one, else
// one_hot), warmup (20), measure_every (10), refit_every (1).
#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "core/text.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "predictors/encodings.hpp"
#include "predictors/predictor.hpp"

namespace tandem {
namespace {

struct PredictorEvaluatorOptions {
  std::string measure_name;
  ConfigNode measure_options;
  std::string target;
  std::string predictor = "mlp_ensemble";
  ConfigNode predictor_options;
  std::string encoding = "auto";
  long long warmup = 20;
  long long measure_every = 10;
  long long refit_every = 1;
};

PredictorEvaluatorOptions read_options(const ConfigNode& options) {
  options.check_keys({"measure", "target", "predictor", "predictor_options", "encoding", "warmup",
                      "measure_every", "refit_every"});
  PredictorEvaluatorOptions out;
  if (!options.has("measure"))
    options.fail(
        "missing key 'measure': the predictor evaluator learns from trials measured by a "
        "companion evaluator, e.g. measure: {name: train, options: {...}}");
  const ConfigNode measure = options.at("measure");
  ConfigNode name_node = measure;
  if (measure.is_map()) {
    measure.check_keys({"name", "options"});
    name_node = measure.at("name");
    out.measure_options = measure.optional("options");
  }
  out.measure_name = name_node.as_string();
  if (out.measure_name == "predictor")
    name_node.fail(
        "the predictor evaluator cannot measure with itself; name the evaluator that "
        "measures the target (train, table, ...)");
  try {
    evaluator_registry().require(out.measure_name);
  } catch (const Error& error) {
    name_node.fail(error.what());
  }
  if (!options.has("target"))
    options.fail("missing key 'target': the metric of the `measure` evaluator to predict");
  out.target = options.get_string("target");
  out.predictor = options.get_string("predictor", out.predictor);
  out.predictor_options = options.optional("predictor_options");
  try {
    predictor_registry().require(out.predictor);
  } catch (const Error& error) {
    options.at("predictor").fail(error.what());
  }
  out.encoding =
      options.get_choice("encoding", out.encoding, {"auto", "one_hot", "adjacency", "path"});
  out.warmup = options.get_int_in("warmup", out.warmup, 1, 1000000000);
  out.measure_every = options.get_int_in("measure_every", out.measure_every, 0, 1000000000);
  out.refit_every = options.get_int_in("refit_every", out.refit_every, 1, 1000000000);
  return out;
}

class PredictorEvaluator final : public Evaluator {
 public:
  PredictorEvaluator(const EvaluatorContext& context, PredictorEvaluatorOptions options)
      : options_(std::move(options)),
        seed_(context.seed),
        encoder_(context.space, resolve_encoding_kind(context.space, options_.encoding)) {
    EvaluatorContext inner{context.space, options_.measure_options, context.seed,
                           context.config_dir, context.experiment};
    companion_ = evaluator_registry().create(options_.measure_name, inner);
    PredictorContext probe{options_.predictor_options, seed_};
    const std::size_t needed =
        predictor_registry().create(options_.predictor, probe)->min_training_points();
    if (static_cast<std::size_t>(options_.warmup) < needed)
      (context.options.has("warmup") ? context.options.at("warmup") : context.options)
          .fail("warmup " + std::to_string(options_.warmup) + " is below the " +
                std::to_string(needed) + " measured trials predictor '" + options_.predictor +
                "' needs before it can predict");
    const std::vector<std::string> measured = companion_->metric_names();
    if (!measured.empty() &&
        std::find(measured.begin(), measured.end(), options_.target) == measured.end())
      context.options.at("target").fail(
          "evaluator '" + options_.measure_name + "' does not measure '" + options_.target + "'" +
          did_you_mean(options_.target, measured) + "; it measures: " + join(measured, ", "));
  }

  TrialResult evaluate(const Candidate& candidate, Reporter& reporter) override {
    const std::vector<double> encoding = encoder_.encode(candidate);
    std::optional<std::pair<double, double>> prediction;
    if (predictor_) {
      const Eigen::MatrixXd row = Eigen::Map<const Eigen::RowVectorXd>(
          encoding.data(), static_cast<Eigen::Index>(encoding.size()));
      prediction.emplace(predictor_->predict(row)(0), predictor_->predict_stddev(row)(0));
    }
    const bool warming_up =
        targets_.size() < static_cast<std::size_t>(options_.warmup) || !predictor_;
    bool measure = warming_up;
    if (!warming_up) {
      ++trials_after_warmup_;
      measure = options_.measure_every > 0 && trials_after_warmup_ % options_.measure_every == 0;
    }

    TrialResult result;
    if (measure) {
      result = companion_->evaluate(candidate, reporter);
      const std::optional<double> truth = result.metrics.find(options_.target);
      if (result.status == TrialStatus::complete && truth && std::isfinite(*truth)) {
        features_.push_back(encoding);
        targets_.push_back(*truth);
        ++new_points_;
        refit_if_due();
      }
    } else {
      result = TrialResult::complete(Metrics{});
      result.metrics.set(options_.target, prediction->first);
    }
    result.metrics.set("measured", measure ? 1.0 : 0.0);
    if (prediction) {
      result.metrics.set("predicted_" + options_.target, prediction->first);
      result.metrics.set("predicted_" + options_.target + "_std", prediction->second);
    }
    return result;
  }

  std::vector<std::string> metric_names() const override {
    std::vector<std::string> names = companion_->metric_names();
    if (names.empty()) return {};
    for (const std::string& extra :
         {options_.target, "predicted_" + options_.target, "predicted_" + options_.target + "_std",
          std::string("measured")})
      if (std::find(names.begin(), names.end(), extra) == names.end()) names.push_back(extra);
    return names;
  }

 private:
  void refit_if_due() {
    if (targets_.size() < static_cast<std::size_t>(options_.warmup)) return;
    if (predictor_ && new_points_ < options_.refit_every) return;
    Eigen::MatrixXd features(static_cast<Eigen::Index>(features_.size()),
                             static_cast<Eigen::Index>(encoder_.size()));
    for (std::size_t r = 0; r < features_.size(); ++r)
      for (std::size_t c = 0; c < features_[r].size(); ++c)
        features(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = features_[r][c];
    const Eigen::VectorXd targets = Eigen::Map<const Eigen::VectorXd>(
        targets_.data(), static_cast<Eigen::Index>(targets_.size()));
    PredictorContext context{options_.predictor_options,
                             Rng(seed_).derive(static_cast<std::uint64_t>(fits_)).next_u64()};
    std::unique_ptr<Predictor> predictor = predictor_registry().create(options_.predictor, context);
    predictor->fit(features, targets);
    predictor_ = std::move(predictor);
    ++fits_;
    new_points_ = 0;
  }

  PredictorEvaluatorOptions options_;
  std::uint64_t seed_;
  ArchitectureEncoder encoder_;
  std::unique_ptr<Evaluator> companion_;
  std::unique_ptr<Predictor> predictor_;
  std::vector<std::vector<double>> features_;
  std::vector<double> targets_;
  long long new_points_ = 0;
  long long trials_after_warmup_ = 0;
  long long fits_ = 0;
};

}  // namespace

void register_predictor_evaluator(EvaluatorRegistry& registry) {
  registry.add("predictor", "surrogate",
               "scores candidates with a predictor fitted on the trials a companion evaluator "
               "measured: measure, target, predictor, predictor_options, encoding, warmup, "
               "measure_every, refit_every",
               [](const EvaluatorContext& context) -> std::unique_ptr<Evaluator> {
                 return std::make_unique<PredictorEvaluator>(context,
                                                             read_options(context.options));
               });
}

}  // namespace tandem
