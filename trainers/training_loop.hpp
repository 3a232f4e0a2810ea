// The training loop: trains a Network built from a ComputeGraph on a Dataset for some epochs
// (seeded shuffling, optional augmentation, per-channel normalisation from the training data),
// evaluates on a held-out Dataset after every epoch and hands each epoch's numbers to a callback
// that may stop training (pruners, early stopping). A NaN or infinite loss ends training with the
// outcome `diverged` and the reason "loss diverged (nan) at epoch E step S" (E, S from 1; S counts
// steps within the epoch); a finite loss above `divergence_loss` gives "loss diverged (1.2e+04 >
// 1000) at epoch E step S". Optional checkpoints after each epoch hold the weights, BN buffers,
// optimizer state and both RNGs (data order + augmentation, dropout), so a resumed run continues
// exactly where it stopped.
//
//   TrainingOptions options;  options.epochs = 2;  options.optimizer.learning_rate = 0.1;
//   TrainingLoop loop(graph, train, validation, options);
//   TrainingResult result = loop.run([](const EpochStats& e) { return e.val_accuracy < 0.99; });
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/compute_graph.hpp"
#include "core/rng.hpp"
#include "trainers/augment.hpp"
#include "trainers/dataset.hpp"
#include "trainers/network.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/schedule.hpp"

namespace tandem {

struct OptimizerSettings {
  std::string name = "sgd";  // sgd | adam | adamw
  double learning_rate = 0.01;
  double momentum = 0.9;      // sgd only
  bool nesterov = false;      // sgd only
  double weight_decay = 0.0;  // sgd/adam: L2 on the gradient; adamw: decoupled
};

struct ScheduleSettings {
  std::string name = "constant";  // constant | cosine | step (the rate changes every step)
  double warmup_epochs = 0.0;     // linear warm-up from 0, then the schedule
  int step_epochs = 30;           // step: multiply by gamma every step_epochs epochs
  double gamma = 0.1;
};

struct TrainingOptions {
  int epochs = 1;
  int batch_size = 128;
  int eval_batch_size = 500;
  OptimizerSettings optimizer;
  ScheduleSettings schedule;
  AugmentOptions augment;
  bool normalize = true;  // per-channel mean/std of the training data
  bool shuffle = true;    // a new seeded order every epoch
  double label_smoothing = 0.0;
  double grad_clip_norm = 0.0;  // 0: no clipping
  // A step loss above this counts as divergence, like NaN/inf (0: only NaN/inf). Cross-entropy
  // starts near ln(classes); a mean batch loss of 1000 means logits off by ~1000 on average.
  double divergence_loss = 1000.0;
  std::uint64_t seed = 0;       // initialisation, data order, augmentation, dropout
  int threads = 0;              // 0: all hardware threads
  std::string checkpoint_path;  // "": none; else written after every epoch
  bool resume = false;          // continue from checkpoint_path when that file exists

  // Throws tandem::Error naming the first bad field and what is accepted.
  void validate() const;
};

struct EpochStats {
  int epoch = 0;  // 1-based
  double train_loss = 0.0;
  double train_accuracy = 0.0;  // fraction in [0, 1], from the training-mode forward passes
  double val_loss = 0.0;
  double val_accuracy = 0.0;   // fraction in [0, 1]
  double learning_rate = 0.0;  // at the epoch's last step
  double seconds = 0.0;        // wall time of the epoch (training + evaluation)
};

enum class TrainingOutcome { completed, stopped, diverged };

struct TrainingResult {
  TrainingOutcome outcome = TrainingOutcome::completed;
  std::string reason;               // why it stopped or diverged
  std::vector<EpochStats> history;  // epochs run by this call
  double seconds = 0.0;             // wall time of this call
};

struct EvaluationResult {
  double loss = 0.0;      // mean cross-entropy
  double accuracy = 0.0;  // fraction in [0, 1]
};

// Returns false to stop training after this epoch.
using EpochCallback = std::function<bool(const EpochStats&)>;
// Polled before every step; true stops training at once (a shutting-down run, a pruner).
using StopRequest = std::function<bool()>;

// Builds the optimizer / schedule that the settings describe (errors name the bad value).
std::unique_ptr<Optimizer> make_optimizer(const OptimizerSettings& settings,
                                          std::vector<Parameter*> parameters);
std::shared_ptr<const LrSchedule> make_schedule(const ScheduleSettings& settings,
                                                double learning_rate, std::int64_t total_steps,
                                                std::int64_t steps_per_epoch);

class TrainingLoop {
 public:
  // The datasets must outlive the loop; their sample shape must equal the graph's input shape
  // and their classes the graph's output width (errors name both).
  TrainingLoop(const ComputeGraph& graph, const Dataset& train, const Dataset& validation,
               TrainingOptions options);
  ~TrainingLoop();

  // Trains the remaining epochs (all of them, or those after a resumed checkpoint).
  // Stopping (callback false, or stop request) gives the outcome `stopped` with the reason
  // "stopped after epoch E of N" or "stopped during epoch E at step S".
  TrainingResult run(const EpochCallback& on_epoch = {}, const StopRequest& stop = {});
  // Loss and accuracy of the current weights on `data` (eval mode, normalised like training).
  EvaluationResult evaluate(const Dataset& data);

  Network& network() { return *network_; }
  Optimizer& optimizer() { return *optimizer_; }
  int epochs_done() const { return epochs_done_; }
  std::int64_t steps_per_epoch() const { return steps_per_epoch_; }
  const Normalization& normalization() const { return normalization_; }

  void save_checkpoint(const std::string& path);
  // Restores weights, buffers, optimizer and RNG states; the epoch count follows from the
  // optimizer's step count.
  void load_checkpoint(const std::string& path);

 private:
  Tensor prepare(const Dataset& data, const std::vector<std::size_t>& order, std::size_t begin,
                 std::size_t end, bool training);

  const Dataset& train_;
  const Dataset& validation_;
  TrainingOptions options_;
  std::unique_ptr<Network> network_;
  std::unique_ptr<Optimizer> optimizer_;
  std::shared_ptr<const LrSchedule> schedule_;
  Normalization normalization_;
  Rng data_rng_;  // shuffling and augmentation
  std::int64_t steps_per_epoch_ = 0;
  int epochs_done_ = 0;
};

}  // namespace tandem
