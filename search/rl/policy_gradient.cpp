// The REINFORCE learner: baseline, entropy bonus, batching, clipping and Adam (see
// policy_gradient.hpp).
#include "search/rl/policy_gradient.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

double non_negative(const ConfigNode& options, const std::string& key, double fallback) {
  if (!options.has(key)) return fallback;
  const double value = options.get_double(key);
  if (!(value >= 0.0) || !std::isfinite(value))
    options.at(key).fail(key + " " + format_number(value) + " must be a number >= 0");
  return value;
}

double positive(const ConfigNode& options, const std::string& key, double fallback) {
  if (!options.has(key)) return fallback;
  const double value = options.get_double(key);
  if (!(value > 0.0) || !std::isfinite(value))
    options.at(key).fail(key + " " + format_number(value) + " must be a number > 0");
  return value;
}

double below_one(const ConfigNode& options, const std::string& key, double fallback) {
  if (!options.has(key)) return fallback;
  const double value = options.get_double(key);
  if (!(value >= 0.0 && value < 1.0))
    options.at(key).fail(key + " " + format_number(value) + " is out of range; accepted: 0 <= " +
                         key + " < 1");
  return value;
}

}  // namespace

const std::vector<std::string>& PolicyGradientOptions::keys() {
  static const std::vector<std::string> keys = {
      "policy",       "learning_rate", "adam_beta1",  "adam_beta2",     "adam_epsilon",
      "grad_clip",    "baseline",      "baseline_decay", "entropy_weight", "reward_scale",
      "batch_size",   "init_scale",    "hidden_size", "layers",         "temperature",
      "tanh_constant", "failure_reward"};
  return keys;
}

PolicyGradientOptions PolicyGradientOptions::parse(const ConfigNode& options,
                                                   const std::string& default_policy) {
  PolicyGradientOptions out;
  out.policy = options.get_choice("policy", default_policy, {"categorical", "lstm"});
  const bool lstm = out.policy == "lstm";
  out.learning_rate = positive(options, "learning_rate", lstm ? 0.001 : 0.01);
  out.beta1 = below_one(options, "adam_beta1", lstm ? 0.0 : 0.9);
  out.beta2 = below_one(options, "adam_beta2", 0.999);
  out.epsilon = positive(options, "adam_epsilon", lstm ? 1e-3 : 1e-8);
  out.grad_clip = non_negative(options, "grad_clip", lstm ? 5.0 : 0.0);
  out.baseline = options.get_choice("baseline", lstm ? "plain" : "corrected", {"corrected", "plain"});
  out.baseline_decay = below_one(options, "baseline_decay", lstm ? 0.99 : 0.9);
  out.entropy_weight = non_negative(options, "entropy_weight", lstm ? 1e-4 : 0.0);
  out.reward_scale = positive(options, "reward_scale", 1.0);
  out.batch_size = static_cast<int>(options.get_int_in("batch_size", 1, 1, 1000000));
  out.init_scale = non_negative(options, "init_scale", lstm ? 0.1 : 1e-3);
  for (const char* key : {"hidden_size", "layers", "temperature", "tanh_constant"})
    if (!lstm && options.has(key))
      options.at(key).fail(std::string(key) + " applies to `policy: lstm` only");
  out.lstm.hidden_size = static_cast<int>(options.get_int_in("hidden_size", 32, 1, 4096));
  out.lstm.layers = static_cast<int>(options.get_int_in("layers", 2, 1, 16));
  out.lstm.temperature = non_negative(options, "temperature", 5.0);
  out.lstm.tanh_constant = non_negative(options, "tanh_constant", 2.5);
  if (options.has("failure_reward")) out.failure_reward = options.get_double("failure_reward");
  return out;
}

std::string PolicyGradientOptions::to_string() const {
  return "policy=" + policy + " lr=" + format_number(learning_rate) + " batch=" +
         std::to_string(batch_size) + " baseline=" + baseline + ":" + format_number(baseline_decay) +
         " entropy=" + format_number(entropy_weight);
}

void VectorAdam::step(Eigen::VectorXd& theta, const Eigen::VectorXd& gradient) {
  if (first.size() != theta.size()) {
    first = Eigen::VectorXd::Zero(theta.size());
    second = Eigen::VectorXd::Zero(theta.size());
  }
  ++steps;
  first = beta1 * first + (1.0 - beta1) * gradient;
  second = beta2 * second + (1.0 - beta2) * gradient.cwiseProduct(gradient);
  const double correction1 = 1.0 - std::pow(beta1, static_cast<double>(steps));
  const double correction2 = 1.0 - std::pow(beta2, static_cast<double>(steps));
  theta.array() -= learning_rate * (first.array() / correction1) /
                   ((second.array() / correction2).sqrt() + epsilon);
}

PolicyGradientLearner::PolicyGradientLearner(std::vector<int> cardinalities,
                                             const PolicyGradientOptions& options, Rng& init_rng)
    : options_(options) {
  if (options_.policy == "lstm")
    policy_ = std::make_unique<LstmPolicy>(std::move(cardinalities), options_.lstm,
                                           options_.init_scale, init_rng);
  else
    policy_ = std::make_unique<CategoricalPolicy>(std::move(cardinalities), options_.init_scale,
                                                  init_rng);
  adam_.learning_rate = options_.learning_rate;
  adam_.beta1 = options_.beta1;
  adam_.beta2 = options_.beta2;
  adam_.epsilon = options_.epsilon;
  gradient_ = Eigen::VectorXd::Zero(policy_->parameters().size());
}

void PolicyGradientLearner::learn(const std::vector<int>& actions, double reward) {
  double entropy = 0.0;
  policy_->log_prob(actions, &entropy, nullptr, 0.0);
  reward = reward * options_.reward_scale + options_.entropy_weight * entropy;
  const double m = options_.baseline_decay;
  if (options_.baseline == "corrected") {
    baseline_numerator_ = m * baseline_numerator_ + (1.0 - m) * reward;
    baseline_denominator_ = m * baseline_denominator_ + (1.0 - m);
    baseline_ = baseline_numerator_ / baseline_denominator_;
  } else {
    baseline_ = samples_ == 0 ? reward : baseline_ - (1.0 - m) * (baseline_ - reward);
  }
  ++samples_;
  // Loss gradient: -(R - b) d log pi(a) / batch_size.
  const double advantage = reward - baseline_;
  policy_->log_prob(actions, nullptr, &gradient_, -advantage / options_.batch_size);
  if (++in_batch_ < options_.batch_size) return;
  if (options_.grad_clip > 0) {
    const double norm = gradient_.norm();
    if (norm > options_.grad_clip) gradient_ *= options_.grad_clip / (norm + 1e-6);
  }
  adam_.step(policy_->parameters(), gradient_);
  gradient_.setZero();
  in_batch_ = 0;
}

std::string PolicyGradientLearner::state() const {
  return "samples=" + std::to_string(samples_) + " updates=" + std::to_string(adam_.steps) +
         " baseline=" + format_number(baseline_) + "/" + format_number(baseline_numerator_) + "/" +
         format_number(baseline_denominator_) + " batch=" + std::to_string(in_batch_) +
         " theta=" + digest(policy_->parameters()) + " grad=" + digest(gradient_) +
         " adam=" + (adam_.first.size() ? digest(adam_.first) + "/" + digest(adam_.second) : "-");
}

}  // namespace tandem
