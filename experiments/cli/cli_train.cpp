// `tandem train`: trains one network on a dataset and prints the learning curve and final metrics.
//   tandem train (--space NAME --arch STRING [--space-options YAML] | --workload lenet)
//                --dataset NAME|PATH [--data-path PATH] [--classes K] [--epochs E] [--batch B] [--lr L]
//                [--momentum M] [--nesterov] [--weight-decay W] [--optimizer sgd|adam|adamw]
//                [--schedule constant|cosine|step] [--warmup E] [--validation F] [--crop-padding P]
//                [--flip] [--seed S] [--threads T] [--checkpoint PATH [--resume]]
// The network's input shape and classes are taken from the dataset. `--workload lenet` is the
// fixed LeNet-5 of bench/torch_ref.py (conv 6@5x5, pool, conv 16@5x5, pool, fc 120, 84, classes),
// for the accuracy comparison with PyTorch in docs/training.md. Evaluation uses the dataset's test
// set unless --validation F holds out a fraction F of the training data (datasets without a test
// set, like digits, hold out 20% by default).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/space_argument.hpp"
#include "experiments/cli/table_output.hpp"
#include "experiments/runner/experiment.hpp"
#include "trainers/dataset_reader.hpp"
#include "trainers/training_loop.hpp"

namespace tandem {
namespace {

// LeNet-5 as in bench/torch_ref.py's lenet_mnist(), for any input size it fits.
ComputeGraph lenet(TensorShape input, int classes) {
  ComputeGraph graph;
  LayerId x = graph.add_input("input", input);
  x = graph.conv2d("conv1", x, 6, 5, 1, 0, 1, 1, /*bias=*/true);
  x = graph.max_pool("pool1", graph.relu("conv1.relu", x), 2, 2, 0);
  x = graph.conv2d("conv2", x, 16, 5, 1, 0, 1, 1, /*bias=*/true);
  x = graph.max_pool("pool2", graph.relu("conv2.relu", x), 2, 2, 0);
  x = graph.relu("fc1.relu", graph.linear("fc1", x, 120));
  x = graph.relu("fc2.relu", graph.linear("fc2", x, 84));
  graph.mark_output(graph.linear("fc3", x, classes));
  return graph;
}

}  // namespace

int cli_train(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Train one network on a dataset and print its learning curve.");
  options.add_options()("space", "search space of --arch", cxxopts::value<std::string>())(
      "arch", "candidate string of --space", cxxopts::value<std::string>())(
      "space-options", "YAML mapping of space options, e.g. '{max_layers: 2}'",
      cxxopts::value<std::string>())("workload", "a fixed network instead of --space: lenet",
                                     cxxopts::value<std::string>())(
      "dataset", "digits, mnist, fashion_mnist, cifar10, cifar100, or a CSV file / folder path",
      cxxopts::value<std::string>())("data-path", "folder or file of a named dataset",
                                     cxxopts::value<std::string>())(
      "classes", "the dataset's class count: a CSV label outside 0..K-1 is an error (default: "
                 "the dataset's own; for a CSV the largest label + 1)",
      integer_value())(
      "epochs", "epochs", integer_value("1"))(
      "batch", "batch size", integer_value("128"))(
      "lr", "learning rate", number_value("0.01"))(
      "momentum", "SGD momentum", number_value("0.9"))(
      "nesterov", "Nesterov momentum (SGD)")("weight-decay", "weight decay",
                                             number_value("0"))(
      "optimizer", "sgd, adam or adamw", cxxopts::value<std::string>()->default_value("sgd"))(
      "schedule", "constant, cosine or step",
      cxxopts::value<std::string>()->default_value("constant"))(
      "warmup", "linear warm-up epochs", number_value("0"))(
      "validation", "hold out this fraction of the training data for evaluation",
      number_value())("crop-padding", "random crop with this zero padding",
                                integer_value("0"))(
      "flip", "random horizontal flips")("seed", "random seed", integer_value("0"))(
      "threads", "threads (0 = all cores)", integer_value("0"))(
      "checkpoint", "write a checkpoint here after every epoch", cxxopts::value<std::string>())(
      "resume", "continue from --checkpoint when it exists");
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {}, args)) return 0;

  const bool from_space = args.count("space") || args.count("arch");
  if (from_space == (args.count("workload") > 0))
    throw Error("tandem train: give either --space NAME --arch STRING or --workload lenet");
  if (from_space && !(args.count("space") && args.count("arch")))
    throw Error("tandem train: --space and --arch go together");
  if (!args.count("dataset"))
    throw Error("tandem train: missing --dataset (accepted names: " + join(dataset_names(), ", ") +
                ", or a CSV file / dataset folder path)");
  if (args.count("workload") && args["workload"].as<std::string>() != "lenet")
    throw Error("tandem train: unknown workload '" + args["workload"].as<std::string>() +
                "'; accepted: lenet");

  TrainingOptions training;
  training.epochs = static_cast<int>(integer_option(args, "epochs", 1, INT_MAX));
  training.batch_size = static_cast<int>(integer_option(args, "batch", 1, INT_MAX));
  training.optimizer.name = args["optimizer"].as<std::string>();
  training.optimizer.learning_rate = number_option(args, "lr");
  training.optimizer.momentum =
      training.optimizer.name == "sgd" ? number_option(args, "momentum") : 0;
  training.optimizer.nesterov = args.count("nesterov") > 0;
  training.optimizer.weight_decay = number_option(args, "weight-decay");
  training.schedule.name = args["schedule"].as<std::string>();
  training.schedule.warmup_epochs = number_option(args, "warmup");
  training.augment.crop_padding =
      static_cast<int>(integer_option(args, "crop-padding", 0, INT_MAX));
  training.augment.horizontal_flip = args.count("flip") > 0;
  training.seed = seed_option(args);
  training.threads = static_cast<int>(integer_option(args, "threads", 0, INT_MAX));
  if (args.count("checkpoint")) training.checkpoint_path = args["checkpoint"].as<std::string>();
  training.resume = args.count("resume") > 0;
  training.validate();  // before the (possibly slow) data loading

  const std::string dataset_name = args["dataset"].as<std::string>();
  const int classes = static_cast<int>(
      optional_integer_option(args, "classes", 1, 1000000).value_or(0));
  DatasetSplits splits = load_dataset(
      dataset_name, args.count("data-path") ? args["data-path"].as<std::string>() : "", "",
      classes);
  Dataset train, evaluation;
  std::string evaluation_name;
  const bool hold_out = args.count("validation") || !splits.test;
  if (hold_out) {
    const double fraction = optional_number_option(args, "validation").value_or(0.2);
    Rng rng = Rng(training.seed).derive(0x73706c6974);  // "split"
    auto parts = split_dataset(splits.train, fraction, rng);
    train = std::move(parts.first);
    evaluation = std::move(parts.second);
    evaluation_name = "validation (" + format_number(100 * fraction) + "% of the training data)";
  } else {
    train = std::move(splits.train);
    evaluation = std::move(*splits.test);
    evaluation_name = "test set";
  }

  ComputeGraph graph;
  std::string network;
  if (from_space) {
    const auto [space, candidate] = read_space_architecture(args);
    GraphOptions graph_options = space->graph_options();
    graph_options.input = train.sample_shape;
    graph_options.classes = train.classes;
    try {
      graph = space->to_graph(candidate, graph_options);
    } catch (const Error& error) {
      throw Error(space->name() + " candidate " + space->to_string(candidate) + " cannot take " +
                  dataset_name + "'s samples of shape " + train.sample_shape.to_string() + ": " +
                  error.what());
    }
    network = space->name() + " " + space->to_string(candidate);
  } else {
    try {
      graph = lenet(train.sample_shape, train.classes);
    } catch (const Error& error) {
      throw Error("lenet cannot take " + dataset_name + "'s samples of shape " +
                  train.sample_shape.to_string() + ": " + error.what());
    }
    network = "lenet";
  }

  Doing doing("training " + network + " on " + dataset_name + " (" + std::to_string(train.size()) +
              " samples)");
  TrainingLoop loop(graph, train, evaluation, training);
  std::cout << "network: " << network << " (" << format_number(graph.total_params()) << " params, "
            << format_number(graph.total_macs()) << " MACs, input "
            << train.sample_shape.to_string() << ", " << train.classes << " classes)\n"
            << "data: " << dataset_name << ", " << train.size() << " training samples; evaluation "
            << "on the " << evaluation_name << ", " << evaluation.size() << " samples\n"
            << "recipe: " << training.optimizer.name << " lr "
            << format_number(training.optimizer.learning_rate)
            << (training.optimizer.name == "sgd"
                    ? " momentum " + format_number(training.optimizer.momentum)
                    : std::string())
            << ", " << training.schedule.name << " schedule, batch " << training.batch_size << ", "
            << training.epochs << " epoch(s), seed " << training.seed << ", "
            << loop.network().arena().threads() << " thread(s)\n";
  if (loop.epochs_done() > 0)
    std::cout << "resumed from " << training.checkpoint_path << " after epoch "
              << loop.epochs_done() << "\n";
  std::cout << "epoch  train_loss  train_acc  val_loss  val_acc  lr        seconds\n" << std::flush;
  const TrainingResult result = loop.run([](const EpochStats& e) {
    char line[160];
    std::snprintf(line, sizeof line, "%-5d  %-10.4f  %-9.2f  %-8.4f  %-7.2f  %-8.3g  %.2f\n",
                  e.epoch, e.train_loss, 100 * e.train_accuracy, e.val_loss, 100 * e.val_accuracy,
                  e.learning_rate, e.seconds);
    std::cout << line << std::flush;
    return true;
  });
  if (result.outcome == TrainingOutcome::diverged) {
    std::cerr << "tandem train: training failed: " << result.reason << "\n";
    return 1;
  }
  if (result.history.empty()) {
    std::cout << "nothing to train: the checkpoint is already after epoch " << loop.epochs_done()
              << "\n";
    return 0;
  }
  const EpochStats& last = result.history.back();
  double seconds = 0.0;
  for (const EpochStats& e : result.history) seconds += e.seconds;
  std::cout << "final: accuracy " << fixed_decimals(100 * last.val_accuracy, 2) << "% loss "
            << fixed_decimals(last.val_loss, 4) << " (" << evaluation_name << "), train_accuracy "
            << fixed_decimals(100 * last.train_accuracy, 2) << "% train_loss "
            << fixed_decimals(last.train_loss, 4) << ", train_seconds " << fixed_decimals(seconds, 2)
            << ", params " << graph.total_params() << "\n";
  return 0;
}

}  // namespace tandem
