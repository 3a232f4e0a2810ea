// Pruner "learning_curve": stops a trial whose predicted final value is unlikely to reach the best
// final value of the completed peers.
//   predictor svr        Baker et al. 2017: a nu-SVR per number of observed steps tau, trained once
//                        on the first `min_trials` completed peers (architecture one-hot + their
//                        first tau values -> their value at the final step T;
//                        predictors/learning_curve_svr.hpp);
//                        the prediction is N(svr mean, CV residual sd^2) and the trial stops when
//                        P(final reaches the best) <= 1 - delta (delta 0.99, UNVERIFIED constant).
//   predictor curve_fit  Domhan et al. 2015: the trial's own curve extrapolated to T by the model
//                        average of parametric fits (predictors/curve_extrapolation.hpp); the
//                        "conservative" termination criterion of tdomhan/pylearningcurvepredictor
//                        terminationcriterion.py: skip when the trial already beats the best, stop
//                        when P(y_T >= best) <= 1 - delta (delta 0.95: its threshold 0.05).
// T is `final_step` or "auto": the largest last step of the completed peers. Curves are the
// trial's values in step order (steps 1, 2, ... for the train evaluator's epochs); a minimised
// metric is negated before fitting so that "better" is "larger" for both predictors' shapes.
#include <algorithm>
#include <cmath>
#include <map>

#include "core/rng.hpp"
#include "core/text.hpp"
#include "experiments/pruners/pruner.hpp"
#include "experiments/pruners/pruner_registry.hpp"
#include "predictors/curve_extrapolation.hpp"
#include "predictors/learning_curve_svr.hpp"

namespace tandem {
namespace {

std::vector<double> curve_of(const PrunerTrial& trial, std::size_t length) {
  std::vector<double> curve;
  for (const auto& [step, value] : trial.values) {
    if (curve.size() == length) break;
    curve.push_back(value);
  }
  return curve;
}

bool all_finite(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

enum class CurvePredictorKind { svr, curve_fit };

// `key` belongs to the other learning-curve predictor.
void reject_keys(const ConfigNode& options, const std::vector<std::string>& keys,
                 const std::string& predictor, const std::string& other) {
  for (const auto& key : keys)
    if (options.has(key))
      options.at(key).fail("option '" + key + "' applies to predictor " + other +
                           ", not to predictor " + predictor);
}

// The learning-curve rule of Baker et al. 2017 (predictor svr) or Domhan et al. 2015 (curve_fit).
struct LearningCurvePrunerOptions {
  CurvePredictorKind predictor = CurvePredictorKind::svr;
  double delta = 0.99;                // stop when P(final reaches the best) <= 1 - delta
  int min_trials = 100;               // completed peers needed (svr: training set; curve_fit: 1)
  std::optional<int> final_step;      // T; nullopt = "auto" (largest last step of completed peers)
  int min_steps = 1;                  // the first step (number of observed points) judged
  int interval_steps = 1;             // judge every this many steps from min_steps on
  bool architecture_features = true;  // svr: one-hot encoding of the candidate as features
  // svr (predictors/learning_curve_svr.hpp)
  int draws = 1000;
  int folds = 3;
  std::string curve_features = "full";
  bool standardize = true;
  // curve_fit (predictors/curve_extrapolation.hpp)
  std::vector<std::string> families;  // empty: all 11
  double train_fraction = 0.8;
  bool recency_weighting = true;

  static LearningCurvePrunerOptions parse(const ConfigNode& options);
};

LearningCurvePrunerOptions LearningCurvePrunerOptions::parse(const ConfigNode& options) {
  check_pruner_option_keys(
      options, {"predictor", "delta", "min_trials", "final_step", "min_steps", "interval_steps",
                "architecture_features", "draws", "folds", "curve_features", "standardize",
                "families", "train_fraction", "recency_weighting"});
  LearningCurvePrunerOptions out;
  const std::string predictor = options.get_choice("predictor", "svr", {"svr", "curve_fit"});
  const std::vector<std::string> svr_keys = {"architecture_features", "draws", "folds",
                                             "curve_features", "standardize"};
  const std::vector<std::string> fit_keys = {"families", "train_fraction", "recency_weighting"};
  if (predictor == "svr") {
    reject_keys(options, fit_keys, "svr", "curve_fit");
    out.predictor = CurvePredictorKind::svr;
    out.delta = 0.99;  // Baker et al. (UNVERIFIED constant)
    out.min_trials = 100;
    out.min_steps = 1;
  } else {
    reject_keys(options, svr_keys, "curve_fit", "svr");
    out.predictor = CurvePredictorKind::curve_fit;
    out.delta = 0.95;  // Domhan et al.: stop when P(y_T > y_best) < 0.05
    out.min_trials = 1;
    out.min_steps = 5;  // 4 points to fit (train_fraction 0.8) and one held out
  }
  out.delta = options.get_double("delta", out.delta);
  if (!(out.delta > 0.0 && out.delta < 1.0))
    options.at("delta").fail("delta " + options.at("delta").scalar_text() +
                             ": expected a probability in (0, 1)");
  out.folds = int_option(options, "folds", out.folds, 2);
  const int fewest = predictor == "svr" ? std::max(3, out.folds) : 1;
  out.min_trials = int_option(options, "min_trials", out.min_trials, fewest);
  out.final_step = auto_or_int_option(options, "final_step", out.final_step, 1);
  out.min_steps = int_option(options, "min_steps", out.min_steps, predictor == "svr" ? 1 : 2);
  out.interval_steps = int_option(options, "interval_steps", out.interval_steps, 1);
  out.architecture_features =
      options.get_choice("architecture_features", "one_hot", {"one_hot", "none"}) == "one_hot";
  out.draws = int_option(options, "draws", out.draws, 1);
  out.curve_features =
      options.get_choice("curve_features", out.curve_features, {"full", "summary"});
  out.standardize = options.get_bool("standardize", out.standardize);
  if (options.has("families")) {
    const ConfigNode families = options.at("families");
    out.families = families.as_string_list();
    if (out.families.empty()) families.fail("expected a non-empty list of curve families");
    const auto known = curve_family_names();
    for (const auto& name : out.families)
      if (std::find(known.begin(), known.end(), name) == known.end())
        families.fail("unknown curve family '" + name + "'" + did_you_mean(name, known) +
                      "; accepted: " + join(known, ", "));
  }
  out.train_fraction = options.get_double("train_fraction", out.train_fraction);
  if (!(out.train_fraction > 0.0 && out.train_fraction <= 1.0))
    options.at("train_fraction")
        .fail("train_fraction " + options.at("train_fraction").scalar_text() +
              ": expected a fraction in (0, 1]");
  out.recency_weighting = options.get_bool("recency_weighting", out.recency_weighting);
  return out;
}

class LearningCurvePruner final : public Pruner {
 public:
  LearningCurvePruner(const LearningCurvePrunerOptions& options, bool minimize, std::uint64_t seed)
      : minimize_(minimize), options_(options), seed_(seed) {}

  // The svr predictor's features include the candidate's one-hot encoding unless turned off.
  bool uses_architecture() const override {
    return options_.predictor == CurvePredictorKind::svr && options_.architecture_features;
  }

  std::string name() const override { return "learning_curve"; }

  PruneDecision decide(const PrunerTrial& trial, int step,
                       const std::vector<const PrunerTrial*>& peers) override {
    std::vector<const PrunerTrial*> completed;
    for (const PrunerTrial* peer : peers)
      if (peer->state == TrialStatus::complete) completed.push_back(peer);
    if (static_cast<int>(completed.size()) < options_.min_trials) return {};
    const std::optional<int> final_step =
        options_.final_step ? options_.final_step : largest_completed_step(completed);
    if (!final_step || step >= *final_step) return {};

    const std::vector<double> curve = curve_of(trial, trial.values.size());
    const auto tau = static_cast<int>(curve.size());
    if (tau < options_.min_steps || (tau - options_.min_steps) % options_.interval_steps != 0)
      return {};
    if (!all_finite(curve))
      return {true,
              label() + ": " + trial.metric + " is not finite at step " + std::to_string(step)};

    std::optional<double> best;  // best final value of the completed peers
    for (const PrunerTrial* peer : completed)
      if (auto found = peer->values.find(*final_step); found != peer->values.end())
        if (std::isfinite(found->second) && (!best || better(found->second, *best, minimize_)))
          best = found->second;
    if (!best) return {};
    return options_.predictor == CurvePredictorKind::svr
               ? decide_svr(trial, curve, *final_step, *best, completed)
               : decide_curve_fit(trial, curve, *final_step, *best);
  }

 private:
  std::string label() const {
    return std::string("learning curve pruner (") +
           (options_.predictor == CurvePredictorKind::svr ? "svr" : "curve_fit") + ")";
  }

  PruneDecision verdict(const PrunerTrial& trial, std::size_t tau, int final_step, double mean,
                        double sd, double best, double probability,
                        const std::string& basis) const {
    if (probability > 1.0 - options_.delta) return {};
    return {true, label() + ": predicted final " + trial.metric + " " + format_short(mean) +
                      " +- " + format_short(sd) + " at step " + std::to_string(final_step) +
                      " from " + std::to_string(tau) + " steps; P(reaching the best " +
                      format_short(best) + ") = " + format_short(probability) +
                      " <= " + format_short(1.0 - options_.delta) + " (" + basis + ")"};
  }

  PruneDecision decide_svr(const PrunerTrial& trial, const std::vector<double>& curve,
                           int final_step, double best,
                           const std::vector<const PrunerTrial*>& completed) {
    const std::size_t tau = curve.size();
    std::vector<const PrunerTrial*> training;
    std::string key = std::to_string(tau) + "@" + std::to_string(final_step) + ":";
    for (const PrunerTrial* peer : completed) {
      auto final_value = peer->values.find(final_step);
      if (final_value == peer->values.end() || peer->values.size() < tau) continue;
      if (!std::isfinite(final_value->second) || !all_finite(curve_of(*peer, tau))) continue;
      if (peer->architecture.size() != trial.architecture.size()) continue;
      training.push_back(peer);
      key += std::to_string(peer->ask_index) + ",";  // not number: resume-invariant
      // The paper trains its model once, on the first fully trained configurations: the first
      // min_trials usable peers (in tell order), so a model is fitted once per tau.
      if (static_cast<int>(training.size()) == options_.min_trials) break;
    }
    if (static_cast<int>(training.size()) < options_.min_trials) return {};
    LearningCurveSvr& svr = model_for(key, tau, final_step, training);
    const Eigen::RowVectorXd architecture = Eigen::Map<const Eigen::RowVectorXd>(
        trial.architecture.data(), static_cast<Eigen::Index>(trial.architecture.size()));
    const double mean = svr.predict(architecture, curve);
    const double sd = svr.residual_stddev();
    const double probability = probability_of_reaching(mean, sd, best, minimize_);
    return verdict(trial, tau, final_step, mean, sd, best, probability,
                   "nu-SVR on " + std::to_string(training.size()) + " completed trials");
  }

  // One model per (tau, final step, training set); fitting is deterministic for the key.
  LearningCurveSvr& model_for(const std::string& key, std::size_t tau, int final_step,
                              const std::vector<const PrunerTrial*>& training) {
    auto found = models_.find(key);
    if (found != models_.end()) return *found->second;
    const auto n = static_cast<Eigen::Index>(training.size());
    const auto width = static_cast<Eigen::Index>(training.front()->architecture.size());
    Eigen::MatrixXd architecture(n, width), curves(n, static_cast<Eigen::Index>(tau));
    Eigen::VectorXd targets(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const PrunerTrial& peer = *training[static_cast<std::size_t>(i)];
      for (Eigen::Index j = 0; j < width; ++j)
        architecture(i, j) = peer.architecture[static_cast<std::size_t>(j)];
      const std::vector<double> curve = curve_of(peer, tau);
      for (std::size_t t = 0; t < tau; ++t) curves(i, static_cast<Eigen::Index>(t)) = curve[t];
      targets[i] = peer.values.at(final_step);
    }
    LearningCurveSvrOptions svr_options;
    svr_options.curve_features = parse_curve_feature_kind(options_.curve_features);
    svr_options.draws = options_.draws;
    svr_options.folds = options_.folds;
    svr_options.standardize = options_.standardize;
    std::uint64_t stream = 14695981039346656037ull;  // FNV-1a of the key
    for (unsigned char c : key) stream = (stream ^ c) * 1099511628211ull;
    svr_options.seed = Rng(seed_).derive(stream).next_u64();
    auto svr = std::make_unique<LearningCurveSvr>(svr_options);
    svr->fit(architecture, curves, targets);
    return *models_.emplace(key, std::move(svr)).first->second;
  }

  PruneDecision decide_curve_fit(const PrunerTrial& trial, const std::vector<double>& curve,
                                 int final_step, double best) const {
    for (double value : curve)
      if (better(value, best, minimize_)) return {};  // already better than the best: go on
    const double sign = minimize_ ? -1.0 : 1.0;
    std::vector<double> oriented;
    for (double value : curve) oriented.push_back(sign * value);
    CurveExtrapolatorOptions fit_options;
    fit_options.families = options_.families;
    fit_options.train_fraction = options_.train_fraction;
    fit_options.recency_weighting = options_.recency_weighting;
    CurveExtrapolator extrapolator(fit_options);
    if (!extrapolator.fit(oriented)) return {};  // nothing fits: never a reason to stop
    const double probability = extrapolator.probability_at_least(final_step, sign * best);
    return verdict(trial, curve.size(), final_step, sign * extrapolator.predict(final_step),
                   extrapolator.stddev(final_step), best, probability,
                   std::to_string(extrapolator.members().size()) + " curve families averaged");
  }

  bool minimize_;
  LearningCurvePrunerOptions options_;
  std::uint64_t seed_;
  std::map<std::string, std::unique_ptr<LearningCurveSvr>> models_;
};

}  // namespace

void register_learning_curve_pruner(PrunerRegistry& registry) {
  registry.add(
      "learning_curve", "learning-curve",
      "stop a trial whose predicted final value is unlikely to reach the best: predictor "
      "(svr: Baker et al. 2017 | curve_fit: Domhan et al. 2015), delta, min_trials, "
      "final_step, ...",
      [](const ConfigNode& options, const PrunerContext& context) -> std::unique_ptr<Pruner> {
        return std::make_unique<LearningCurvePruner>(LearningCurvePrunerOptions::parse(options),
                                                     context.minimize, context.seed);
      });
}

}  // namespace tandem
