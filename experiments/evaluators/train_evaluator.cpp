// Evaluator "train": trains each candidate's network on a real dataset (trainers/training_loop)
// and reports its validation accuracy, loss, training time and parameter count. After every epoch
// it reports train_loss, train_accuracy, val_loss, val_accuracy and seconds through the Reporter
// (the learning curve in the database) and stops early, as PRUNED, when the reporter says so.
// A NaN/inf loss makes the trial FAILED with "loss diverged (nan) at epoch E step S".
//
// Options (docs/training.md has the full table): dataset (name or path, default digits), path,
// validation_split (0.1; 0 = evaluate on the dataset's test set), epochs, batch_size,
// optimizer {name, lr, momentum, nesterov, weight_decay}, schedule {name, warmup_epochs,
// step_epochs, gamma}, augment {crop_padding, horizontal_flip}, label_smoothing, grad_clip,
// divergence_loss, normalize, resolution, width, cells_per_stage, width_multiplier, threads,
// keep_weights (false; true writes each trial's trained network to trials_dir/trial-<number>,
// trainers/kept_network.hpp, for `tandem export`), trials_dir (tandem-trials/<experiment>, relative
// to the experiment file).
//
// Input shape: every candidate is lowered with input_shape = the dataset's sample shape (after
// `resolution`, which resizes the images) and classes = the dataset's classes, whatever the space
// was configured with; width options override the space's. Accuracies are percentages (0..100),
// as NAS-Bench-201 reports them. Each trial's seed mixes the experiment seed with the candidate's
// canonical string, so a trial is reproducible on its own; the train/validation split depends on
// the experiment seed only, so every trial sees the same split.
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/text.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "trainers/dataset_reader.hpp"
#include "trainers/kept_network.hpp"
#include "trainers/threading.hpp"
#include "trainers/training_loop.hpp"

namespace tandem {
namespace {

struct TrainEvaluatorOptions {
  std::string dataset = "digits";
  std::string path;
  int classes = 0;  // declared class count (0: the dataset's own)
  double validation_split = 0.1;
  int resolution = 0;  // 0: the dataset's own
  GraphOptions graph;  // width, cells_per_stage, width_multiplier (0 = the space's)
  TrainingOptions training;
  bool keep_weights = false;  // trained weights to trials_dir/trial-<number> (for tandem export)
  std::string trials_dir;
};

struct PreparedData {
  Dataset train;
  Dataset validation;
};

// Datasets are loaded once per process and shared by every evaluator (and worker thread) that asks
// for the same files, split and resolution; they are read-only afterwards.
std::shared_ptr<const PreparedData> prepare_data(const TrainEvaluatorOptions& options,
                                                 const std::string& config_dir,
                                                 std::uint64_t seed) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<const PreparedData>> cache;
  const std::string key = options.dataset + "\n" + options.path + "\n" + config_dir + "\n" +
                          std::to_string(options.classes) + "\n" +
                          format_number(options.validation_split) + "\n" +
                          std::to_string(options.resolution) + "\n" + std::to_string(seed);
  std::lock_guard lock(mutex);
  if (auto found = cache[key].lock()) return found;
  DatasetSplits splits = load_dataset(options.dataset, options.path, config_dir, options.classes);
  auto data = std::make_shared<PreparedData>();
  if (options.validation_split > 0.0) {
    Rng rng = Rng(seed).derive(0x73706c6974);  // "split"
    auto parts = split_dataset(splits.train, options.validation_split, rng);
    data->train = std::move(parts.first);
    data->validation = std::move(parts.second);
  } else {
    if (!splits.test)
      throw ConfigError("dataset '" + options.dataset +
                        "' has no test set: set validation_split to a fraction in (0, 1)");
    data->train = std::move(splits.train);
    data->validation = std::move(*splits.test);
  }
  if (options.resolution > 0) {
    data->train = resize_dataset(data->train, options.resolution, options.resolution);
    data->validation = resize_dataset(data->validation, options.resolution, options.resolution);
  }
  cache[key] = data;
  return data;
}

// The space's graph options with the dataset's input shape and classes and the width overrides.
GraphOptions training_graph_options(const SearchSpace& space, const TrainEvaluatorOptions& options,
                                    const Dataset& data) {
  GraphOptions graph = space.graph_options();
  graph.input = data.sample_shape;
  graph.classes = data.classes;
  if (options.graph.width > 0) graph.width = options.graph.width;
  if (options.graph.cells_per_stage > 0) graph.cells_per_stage = options.graph.cells_per_stage;
  if (options.graph.width_multiplier > 0.0) graph.width_multiplier = options.graph.width_multiplier;
  return graph;
}

class TrainEvaluator final : public Evaluator {
 public:
  TrainEvaluator(const SearchSpace& space, TrainEvaluatorOptions options,
                 std::shared_ptr<const PreparedData> data, std::uint64_t seed)
      : space_(space), options_(std::move(options)), data_(std::move(data)), seed_(seed) {}

  TrialResult evaluate(const Candidate& candidate, Reporter& reporter) override {
    const ComputeGraph graph =
        space_.to_graph(candidate, training_graph_options(space_, options_, data_->train));

    TrainingOptions training = options_.training;
    training.seed = Rng(seed_).derive(fnv1a(space_.to_string(candidate))).next_u64();
    if (training.threads == 0) training.threads = current_thread_count();
    TrainingLoop loop(graph, data_->train, data_->validation, training);

    Metrics metrics;
    metrics.set("params", static_cast<double>(graph.total_params()));
    const TrainingResult result = loop.run(
        [&](const EpochStats& epoch) {
          Metrics values;
          values.set("train_loss", epoch.train_loss);
          values.set("train_accuracy", 100.0 * epoch.train_accuracy);
          values.set("val_loss", epoch.val_loss);
          values.set("val_accuracy", 100.0 * epoch.val_accuracy);
          values.set("seconds", epoch.seconds);
          reporter.report(epoch.epoch, values);
          return !reporter.should_stop();
        },
        [&] { return reporter.should_stop(); });
    double seconds = 0.0;
    for (const EpochStats& epoch : result.history) seconds += epoch.seconds;
    metrics.set("train_seconds", seconds);
    metrics.set("epochs", static_cast<double>(result.history.size()));
    if (!result.history.empty()) {
      const EpochStats& last = result.history.back();
      metrics.set("accuracy", 100.0 * last.val_accuracy);
      metrics.set("loss", last.val_loss);
      metrics.set("train_accuracy", 100.0 * last.train_accuracy);
      metrics.set("train_loss", last.train_loss);
    }
    if (options_.keep_weights && result.outcome != TrainingOutcome::diverged &&
        reporter.trial().number >= 0) {
      const GraphOptions& built = training_graph_options(space_, options_, data_->train);
      keep_network(options_.trials_dir + "/trial-" + std::to_string(reporter.trial().number),
                   KeptNetworkShape{built.input, built.classes, built.width,
                                    built.cells_per_stage, built.width_multiplier},
                   graph, loop.network().parameters());
    }
    switch (result.outcome) {
      case TrainingOutcome::diverged:
        return TrialResult::failed(result.reason, metrics);
      case TrainingOutcome::stopped:
        return TrialResult::pruned("pruned: " + result.reason, metrics);
      case TrainingOutcome::completed:
        break;
    }
    return TrialResult::complete(metrics);
  }

  std::vector<std::string> metric_names() const override {
    return {"accuracy",       "epochs",     "loss",         "params",
            "train_accuracy", "train_loss", "train_seconds"};
  }

 private:
  const SearchSpace& space_;
  TrainEvaluatorOptions options_;
  std::shared_ptr<const PreparedData> data_;
  std::uint64_t seed_;
};

double number_in(const ConfigNode& node, const std::string& key, double fallback, double low,
                 double high, const std::string& range) {
  const double value = node.get_double(key, fallback);
  if (!(value >= low && value <= high))
    node.at(key).fail(key + " " + node.at(key).scalar_text() + ": expected " + range);
  return value;
}

void read_optimizer(const ConfigNode& node, OptimizerSettings& settings) {
  const std::vector<std::string> names = {"sgd", "adam", "adamw"};
  if (!node.present()) return;
  if (node.is_scalar()) {
    settings.name = node.as_string();
    if (std::find(names.begin(), names.end(), settings.name) == names.end())
      node.fail("unknown optimizer '" + settings.name + "'" + did_you_mean(settings.name, names) +
                "; accepted: sgd, adam, adamw");
    return;
  }
  node.check_keys({"name", "lr", "momentum", "nesterov", "weight_decay"});
  settings.name = node.get_choice("name", settings.name, names);
  settings.learning_rate =
      number_in(node, "lr", settings.learning_rate, 1e-12, 1e3, "a learning rate in (0, 1000]");
  settings.momentum =
      number_in(node, "momentum", settings.momentum, 0.0, 0.999999, "a momentum in [0, 1)");
  settings.nesterov = node.get_bool("nesterov", settings.nesterov);
  settings.weight_decay =
      number_in(node, "weight_decay", settings.weight_decay, 0.0, 1.0, "a weight decay in [0, 1]");
  if (settings.nesterov && settings.momentum <= 0.0)
    node.at("nesterov").fail("nesterov needs momentum > 0");
}

void read_schedule(const ConfigNode& node, ScheduleSettings& settings, int epochs) {
  const std::vector<std::string> names = {"constant", "cosine", "step"};
  if (!node.present()) return;
  if (node.is_scalar()) {
    settings.name = node.as_string();
    if (std::find(names.begin(), names.end(), settings.name) == names.end())
      node.fail("unknown schedule '" + settings.name + "'" + did_you_mean(settings.name, names) +
                "; accepted: constant, cosine, step");
    return;
  }
  node.check_keys({"name", "warmup_epochs", "step_epochs", "gamma"});
  settings.name = node.get_choice("name", settings.name, names);
  settings.warmup_epochs = node.get_double("warmup_epochs", 0.0);
  if (!(settings.warmup_epochs >= 0.0 && settings.warmup_epochs < epochs))
    node.at("warmup_epochs")
        .fail("warmup_epochs " + node.at("warmup_epochs").scalar_text() +
              ": expected a number in [0, epochs = " + std::to_string(epochs) + ")");
  settings.step_epochs = static_cast<int>(node.get_int_in("step_epochs", 30, 1, 1000000));
  settings.gamma = number_in(node, "gamma", settings.gamma, 1e-9, 1.0, "a factor in (0, 1]");
}

TrainEvaluatorOptions read_options(const ConfigNode& options, const EvaluatorContext& context) {
  options.check_keys({"dataset", "path", "classes", "validation_split", "epochs", "batch_size", "optimizer",
                      "schedule", "augment", "label_smoothing", "grad_clip", "divergence_loss",
                      "normalize", "resolution", "width", "cells_per_stage", "width_multiplier",
                      "threads", "keep_weights", "trials_dir"});
  TrainEvaluatorOptions parsed;
  parsed.dataset = options.get_string("dataset", parsed.dataset);
  parsed.path = options.get_string("path", "");
  parsed.classes = static_cast<int>(options.get_int_in("classes", 0, 0, 1000000));
  parsed.validation_split = number_in(options, "validation_split", parsed.validation_split, 0.0,
                                      0.9, "a fraction in [0, 0.9] (0 = use the test set)");
  TrainingOptions& training = parsed.training;
  training.epochs = static_cast<int>(options.get_int_in("epochs", 1, 1, 100000));
  training.batch_size = static_cast<int>(options.get_int_in("batch_size", 128, 1, 1000000));
  training.optimizer = OptimizerSettings{};
  read_optimizer(options.optional("optimizer"), training.optimizer);
  read_schedule(options.optional("schedule"), training.schedule, training.epochs);
  if (ConfigNode augment = options.optional("augment"); augment.present()) {
    augment.check_keys({"crop_padding", "horizontal_flip"});
    training.augment.crop_padding = static_cast<int>(augment.get_int_in("crop_padding", 0, 0, 64));
    training.augment.horizontal_flip = augment.get_bool("horizontal_flip", false);
  }
  training.label_smoothing =
      number_in(options, "label_smoothing", 0.0, 0.0, 0.99, "a fraction in [0, 0.99]");
  training.grad_clip_norm =
      number_in(options, "grad_clip", 0.0, 0.0, 1e9, "a gradient norm >= 0 (0 = no clipping)");
  training.divergence_loss = number_in(options, "divergence_loss", training.divergence_loss, 0.0,
                                       1e30, "a loss >= 0 (0 = only NaN/inf count)");
  training.normalize = options.get_bool("normalize", true);
  training.threads = static_cast<int>(options.get_int_in("threads", 0, 0, 1024));
  parsed.resolution = static_cast<int>(options.get_int_in("resolution", 0, 0, 4096));
  parsed.graph.width = static_cast<int>(options.get_int_in("width", 0, 0, 100000));
  parsed.graph.cells_per_stage =
      static_cast<int>(options.get_int_in("cells_per_stage", 0, 0, 1000));
  parsed.graph.width_multiplier =
      number_in(options, "width_multiplier", 0.0, 0.0, 100.0, "a multiplier in (0, 100]");
  parsed.keep_weights = options.get_bool("keep_weights", false);
  // Relative to the experiment file, like the command evaluator's trial folders.
  std::filesystem::path dir(options.get_string(
      "trials_dir", "tandem-trials/" + (context.experiment.empty() ? std::string("adhoc")
                                                                 : context.experiment)));
  if (dir.is_relative() && !context.config_dir.empty()) dir = std::filesystem::path(context.config_dir) / dir;
  parsed.trials_dir = dir.lexically_normal().string();
  training.validate();
  return parsed;
}

}  // namespace

void register_train_evaluator(EvaluatorRegistry& registry) {
  registry.add(
      "train", "training",
      "train each candidate on a dataset: dataset, epochs, batch_size, optimizer, schedule, ...; "
      "metrics accuracy (validation %), loss, train_seconds, params",
      [](const EvaluatorContext& context) -> std::unique_ptr<Evaluator> {
        TrainEvaluatorOptions options = read_options(context.options, context);
        std::shared_ptr<const PreparedData> data;
        try {
          data = prepare_data(options, context.config_dir, context.seed);
        } catch (const ConfigError&) {
          throw;
        } catch (const Error& error) {
          // Name the option that led to the file.
          const ConfigNode& at = context.options.has("path")      ? context.options.at("path")
                                 : context.options.has("dataset") ? context.options.at("dataset")
                                                                  : context.options;
          at.fail(error.what());
        }
        // Lower one candidate now so a space that cannot take the dataset's shape fails at start.
        Rng rng(0);
        const Candidate example = context.space.sample(rng);
        try {
          (void)context.space.to_graph(example,
                                       training_graph_options(context.space, options, data->train));
        } catch (const Error& error) {
          context.options.fail("space " + context.space.name() + " cannot take " +
                               data->train.name + "'s samples of shape " +
                               data->train.sample_shape.to_string() + ": " + error.what());
        }
        return std::make_unique<TrainEvaluator>(context.space, std::move(options), std::move(data),
                                                context.seed);
      });
}

}  // namespace tandem
