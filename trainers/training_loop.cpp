// The epoch/batch training loop with evaluation, callbacks, divergence detection and checkpoints
// (see training_loop.hpp).
#include "trainers/training_loop.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "core/error.hpp"
#include "core/text.hpp"
#include "trainers/autograd.hpp"
#include "trainers/checkpoint.hpp"

namespace tandem {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Sum of per-sample cross-entropies and the number of correct argmax predictions of logits
// [N, K] (computed in double, log-sum-exp stabilised).
void score_logits(const Tensor& logits, const std::vector<int>& labels, double& loss_sum,
                  std::int64_t& correct) {
  const std::int64_t n = logits.size(0), k = logits.size(1);
  const float* z = logits.data();
  for (std::int64_t i = 0; i < n; ++i) {
    const float* row = z + i * k;
    std::int64_t best = 0;
    for (std::int64_t j = 1; j < k; ++j)
      if (row[j] > row[best]) best = j;
    double sum = 0.0;
    for (std::int64_t j = 0; j < k; ++j) sum += std::exp(static_cast<double>(row[j] - row[best]));
    const int label = labels[static_cast<std::size_t>(i)];
    loss_sum += std::log(sum) - static_cast<double>(row[label] - row[best]);
    if (best == label) ++correct;
  }
}

std::int64_t output_width(const ComputeGraph& graph) {
  const LayerId last = graph.outputs().empty() ? graph.size() - 1 : graph.outputs().front();
  return graph.layer(last).output.elements();
}

}  // namespace

void TrainingOptions::validate() const {
  auto check = [](bool ok, const std::string& message) { TANDEM_CHECK(ok, message); };
  check(epochs >= 1, "training: epochs must be >= 1, got " + std::to_string(epochs));
  check(batch_size >= 1, "training: batch_size must be >= 1, got " + std::to_string(batch_size));
  check(eval_batch_size >= 1,
        "training: eval_batch_size must be >= 1, got " + std::to_string(eval_batch_size));
  const std::vector<std::string> optimizers = {"sgd", "adam", "adamw"};
  check(std::find(optimizers.begin(), optimizers.end(), optimizer.name) != optimizers.end(),
        "training: unknown optimizer '" + optimizer.name + "'" +
            did_you_mean(optimizer.name, optimizers) + "; accepted: sgd, adam, adamw");
  check(optimizer.learning_rate > 0.0 && std::isfinite(optimizer.learning_rate),
        "training: learning rate must be > 0, got " + format_number(optimizer.learning_rate));
  check(optimizer.momentum >= 0.0 && optimizer.momentum < 1.0,
        "training: momentum must be in [0, 1), got " + format_number(optimizer.momentum));
  check(!optimizer.nesterov || optimizer.momentum > 0.0, "training: nesterov needs momentum > 0");
  check(optimizer.weight_decay >= 0.0,
        "training: weight_decay must be >= 0, got " + format_number(optimizer.weight_decay));
  const std::vector<std::string> schedules = {"constant", "cosine", "step"};
  check(std::find(schedules.begin(), schedules.end(), schedule.name) != schedules.end(),
        "training: unknown schedule '" + schedule.name + "'" +
            did_you_mean(schedule.name, schedules) + "; accepted: constant, cosine, step");
  check(schedule.warmup_epochs >= 0.0 && schedule.warmup_epochs < epochs,
        "training: warmup_epochs must be in [0, epochs), got " +
            format_number(schedule.warmup_epochs));
  check(schedule.step_epochs >= 1,
        "training: step_epochs must be >= 1, got " + std::to_string(schedule.step_epochs));
  check(schedule.gamma > 0.0 && schedule.gamma <= 1.0,
        "training: gamma must be in (0, 1], got " + format_number(schedule.gamma));
  check(augment.crop_padding >= 0,
        "training: crop_padding must be >= 0, got " + std::to_string(augment.crop_padding));
  check(label_smoothing >= 0.0 && label_smoothing < 1.0,
        "training: label_smoothing must be in [0, 1), got " + format_number(label_smoothing));
  check(divergence_loss >= 0.0,
        "training: divergence_loss must be >= 0, got " + format_number(divergence_loss));
  check(grad_clip_norm >= 0.0,
        "training: grad_clip_norm must be >= 0, got " + format_number(grad_clip_norm));
  check(threads >= 0, "training: threads must be >= 0, got " + std::to_string(threads));
  check(!resume || !checkpoint_path.empty(), "training: resume needs a checkpoint path");
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSettings& settings,
                                          std::vector<Parameter*> parameters) {
  if (settings.name == "sgd")
    return std::make_unique<Sgd>(std::move(parameters),
                                 SgdOptions{.learning_rate = settings.learning_rate,
                                            .momentum = settings.momentum,
                                            .dampening = 0.0,
                                            .weight_decay = settings.weight_decay,
                                            .nesterov = settings.nesterov});
  AdamOptions adam;
  adam.learning_rate = settings.learning_rate;
  adam.weight_decay = settings.weight_decay;
  if (settings.name == "adam") return std::make_unique<Adam>(std::move(parameters), adam);
  if (settings.name == "adamw") return std::make_unique<AdamW>(std::move(parameters), adam);
  throw ConfigError("unknown optimizer '" + settings.name + "'; accepted: sgd, adam, adamw");
}

std::shared_ptr<const LrSchedule> make_schedule(const ScheduleSettings& settings,
                                                double learning_rate, std::int64_t total_steps,
                                                std::int64_t steps_per_epoch) {
  const auto warmup = static_cast<std::int64_t>(
      std::llround(settings.warmup_epochs * static_cast<double>(steps_per_epoch)));
  const std::int64_t after = std::max<std::int64_t>(1, total_steps - warmup);
  std::shared_ptr<const LrSchedule> schedule;
  if (settings.name == "constant")
    schedule = std::make_shared<ConstantSchedule>(learning_rate);
  else if (settings.name == "cosine")
    schedule = std::make_shared<CosineSchedule>(learning_rate, after);
  else if (settings.name == "step")
    schedule = std::make_shared<StepSchedule>(
        learning_rate, static_cast<std::int64_t>(settings.step_epochs) * steps_per_epoch,
        settings.gamma);
  else
    throw ConfigError("unknown schedule '" + settings.name + "'; accepted: constant, cosine, step");
  if (warmup > 0) schedule = std::make_shared<LinearWarmup>(schedule, warmup);
  return schedule;
}

TrainingLoop::TrainingLoop(const ComputeGraph& graph, const Dataset& train,
                           const Dataset& validation, TrainingOptions options)
    : train_(train),
      validation_(validation),
      options_(std::move(options)),
      data_rng_(Rng(options_.seed).derive(0x64617461)) {  // "data"
  options_.validate();
  train_.check();
  validation_.check();
  TANDEM_CHECK(train_.size() > 0, train_.name + ": no training samples");
  TANDEM_CHECK(validation_.size() > 0, validation_.name + ": no samples to evaluate on");
  TANDEM_CHECK(validation_.sample_shape == train_.sample_shape,
               validation_.name + ": samples of shape " + validation_.sample_shape.to_string() +
                   " but the training samples are " + train_.sample_shape.to_string());
  const auto inputs = graph.inputs();
  TANDEM_CHECK(inputs.size() == 1, "training: the network must have one input, it has " +
                                       std::to_string(inputs.size()));
  const TensorShape expected = graph.layer(inputs[0]).output;
  TANDEM_CHECK(expected == train_.sample_shape,
               "the network expects inputs of shape " + expected.to_string() + " but " +
                   train_.name + " has samples of shape " + train_.sample_shape.to_string() +
                   " (set the space's input_shape to " + train_.sample_shape.to_string() + ")");
  const std::int64_t classes = output_width(graph);
  TANDEM_CHECK(classes == train_.classes,
               "the network has " + std::to_string(classes) + " outputs but " + train_.name +
                   " has " + std::to_string(train_.classes) +
                   " classes (set classes: " + std::to_string(train_.classes) + ")");
  network_ = std::make_unique<Network>(
      graph, NetworkOptions{.seed = options_.seed, .threads = options_.threads});
  optimizer_ = make_optimizer(options_.optimizer, network_->weights());
  steps_per_epoch_ = static_cast<std::int64_t>(
      (train_.size() + static_cast<std::size_t>(options_.batch_size) - 1) /
      static_cast<std::size_t>(options_.batch_size));
  schedule_ = make_schedule(options_.schedule, options_.optimizer.learning_rate,
                            steps_per_epoch_ * options_.epochs, steps_per_epoch_);
  if (options_.normalize) normalization_ = channel_statistics(train_);
  if (options_.resume && std::filesystem::exists(options_.checkpoint_path))
    load_checkpoint(options_.checkpoint_path);
}

TrainingLoop::~TrainingLoop() = default;

Tensor TrainingLoop::prepare(const Dataset& data, const std::vector<std::size_t>& order,
                             std::size_t begin, std::size_t end, bool training) {
  Tensor batch = make_batch(data, order, begin, end);
  if (training) augment_batch(batch, options_.augment, data_rng_);
  if (options_.normalize) normalize_batch(batch, normalization_);
  return batch;
}

EvaluationResult TrainingLoop::evaluate(const Dataset& data) {
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  const auto step = static_cast<std::size_t>(options_.eval_batch_size);
  for (std::size_t begin = 0; begin < data.size(); begin += step) {
    const std::size_t end = std::min(data.size(), begin + step);
    Tensor logits = network_->predict(prepare(data, order, begin, end, false));
    score_logits(logits, batch_labels(data, order, begin, end), loss_sum, correct);
  }
  const double n = static_cast<double>(data.size());
  return {loss_sum / n, static_cast<double>(correct) / n};
}

TrainingResult TrainingLoop::run(const EpochCallback& on_epoch, const StopRequest& stop) {
  const auto start = std::chrono::steady_clock::now();
  TrainingResult result;
  std::vector<std::size_t> order(train_.size());
  const auto batch = static_cast<std::size_t>(options_.batch_size);
  for (int epoch = epochs_done_ + 1; epoch <= options_.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (options_.shuffle) data_rng_.shuffle(order);
    double loss_sum = 0.0;
    std::int64_t correct = 0;
    double learning_rate = 0.0;
    std::int64_t step_in_epoch = 0;
    for (std::size_t begin = 0; begin < order.size(); begin += batch) {
      ++step_in_epoch;
      if (stop && stop()) {
        result.outcome = TrainingOutcome::stopped;
        result.reason = "stopped during epoch " + std::to_string(epoch) + " at step " +
                        std::to_string(step_in_epoch);
        result.seconds = seconds_since(start);
        return result;
      }
      const std::size_t end = std::min(order.size(), begin + batch);
      Tensor images = prepare(train_, order, begin, end, true);
      std::vector<int> labels = batch_labels(train_, order, begin, end);
      learning_rate = schedule_->learning_rate(optimizer_->steps());
      optimizer_->set_learning_rate(learning_rate);
      optimizer_->zero_grad();
      Variable logits = network_->forward(images, /*training=*/true);
      Variable loss = cross_entropy(logits, labels, options_.label_smoothing);
      const double value = loss.value().item();
      const bool too_large = options_.divergence_loss > 0.0 && value > options_.divergence_loss;
      if (!std::isfinite(value) || too_large) {
        char what[64];
        if (std::isfinite(value))
          std::snprintf(what, sizeof what, "%.3g > %s", value,
                        format_number(options_.divergence_loss).c_str());
        else
          std::snprintf(what, sizeof what, "%s", std::isnan(value) ? "nan" : "inf");
        result.outcome = TrainingOutcome::diverged;
        result.reason = std::string("loss diverged (") + what + ") at epoch " +
                        std::to_string(epoch) + " step " + std::to_string(step_in_epoch);
        result.seconds = seconds_since(start);
        return result;
      }
      backward(loss);
      if (options_.grad_clip_norm > 0.0)
        clip_grad_norm(network_->weights(), options_.grad_clip_norm);
      optimizer_->step();
      loss_sum += value * static_cast<double>(end - begin);
      double ignored = 0.0;
      score_logits(logits.value(), labels, ignored, correct);
    }
    EpochStats stats;
    stats.epoch = epoch;
    stats.train_loss = loss_sum / static_cast<double>(order.size());
    stats.train_accuracy = static_cast<double>(correct) / static_cast<double>(order.size());
    const EvaluationResult held_out = evaluate(validation_);
    stats.val_loss = held_out.loss;
    stats.val_accuracy = held_out.accuracy;
    stats.learning_rate = learning_rate;
    stats.seconds = seconds_since(epoch_start);
    epochs_done_ = epoch;
    result.history.push_back(stats);
    if (!std::isfinite(held_out.loss)) {
      result.outcome = TrainingOutcome::diverged;
      result.reason = "validation loss diverged (" +
                      std::string(std::isnan(held_out.loss) ? "nan" : "inf") + ") at epoch " +
                      std::to_string(epoch);
      break;
    }
    if (!options_.checkpoint_path.empty()) save_checkpoint(options_.checkpoint_path);
    if (on_epoch && !on_epoch(stats)) {
      if (epoch < options_.epochs) {
        result.outcome = TrainingOutcome::stopped;
        result.reason = "stopped after epoch " + std::to_string(epoch) + " of " +
                        std::to_string(options_.epochs);
      }
      break;
    }
  }
  result.seconds = seconds_since(start);
  return result;
}

void TrainingLoop::save_checkpoint(const std::string& path) {
  save_checkpoint_file(
      path, {&network_->parameters(), {optimizer_.get()}, {&data_rng_, &network_->rng()}});
}

void TrainingLoop::load_checkpoint(const std::string& path) {
  load_checkpoint_file(
      path, {&network_->parameters(), {optimizer_.get()}, {&data_rng_, &network_->rng()}});
  const std::int64_t steps = optimizer_->steps();
  TANDEM_CHECK(steps % steps_per_epoch_ == 0,
               path + ": the checkpoint was taken after " + std::to_string(steps) +
                   " steps, not at the end of an epoch of " + std::to_string(steps_per_epoch_) +
                   " steps (different dataset or batch size?)");
  epochs_done_ = static_cast<int>(steps / steps_per_epoch_);
  TANDEM_CHECK(epochs_done_ <= options_.epochs,
               path + ": the checkpoint is after epoch " + std::to_string(epochs_done_) +
                   ", beyond the " + std::to_string(options_.epochs) + " epochs asked for");
}

}  // namespace tandem
