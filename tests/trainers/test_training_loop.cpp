// The training loop on the shipped UCI digits: learning well above chance, per-epoch callbacks
// that stop training, NaN loss -> a diverged outcome with the epoch and step, exact checkpoint
// resume, and one-line errors for a network that does not fit the data.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "core/error.hpp"
#include "trainers/dataset_reader.hpp"
#include "trainers/training_loop.hpp"

using namespace tandem;

namespace {

const Dataset& digits() {
  static const Dataset data =
      load_dataset("digits", std::string(TANDEM_SOURCE_DIR) + "/data/uci-digits/digits.csv.gz")
          .train;
  return data;
}

// input -> linear(hidden) -> relu -> linear(classes)
ComputeGraph mlp(TensorShape input, int hidden, int classes) {
  ComputeGraph graph;
  LayerId x = graph.add_input("input", input);
  x = graph.relu("hidden.relu", graph.linear("hidden", x, hidden));
  graph.mark_output(graph.linear("classifier", x, classes));
  return graph;
}

// input -> linear(classes): a NaN pixel reaches the logits (the engine's relu maps NaN to 0).
ComputeGraph linear_classifier(TensorShape input, int classes) {
  ComputeGraph graph;
  graph.mark_output(graph.linear("classifier", graph.add_input("input", input), classes));
  return graph;
}

TrainingOptions quick_options() {
  TrainingOptions options;
  options.epochs = 3;
  options.batch_size = 32;
  options.optimizer = {.name = "sgd", .learning_rate = 0.05, .momentum = 0.9};
  options.seed = 1;
  options.threads = 1;
  return options;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("an MLP learns the digits far above chance (10%) in a few epochs") {
  Rng rng(0);
  auto [train, validation] = split_dataset(digits(), 0.2, rng);
  for (const std::string optimizer : {"sgd", "adam"}) {
    TrainingOptions options = quick_options();
    options.optimizer.name = optimizer;
    if (optimizer == "adam") options.optimizer.learning_rate = 0.003;
    options.schedule.name = "cosine";
    TrainingLoop loop(mlp({1, 8, 8}, 64, 10), train, validation, options);
    std::vector<EpochStats> seen;
    TrainingResult result = loop.run([&](const EpochStats& e) {
      seen.push_back(e);
      return true;
    });
    CAPTURE(optimizer);
    CHECK(result.outcome == TrainingOutcome::completed);
    REQUIRE(result.history.size() == 3);
    CHECK(seen.size() == 3);
    CHECK(seen.back().epoch == 3);
    CHECK(result.history.back().val_accuracy > 0.85);
    CHECK(result.history.back().train_loss < result.history.front().train_loss);
    CHECK(result.history.front().train_loss < std::log(10.0));  // below the uniform guess
    CHECK(result.history.back().seconds > 0.0);
    // The evaluation agrees with a fresh evaluate() of the final weights.
    const EvaluationResult again = loop.evaluate(validation);
    CHECK(again.accuracy == doctest::Approx(result.history.back().val_accuracy));
  }
}

TEST_CASE("a callback that returns false stops training after that epoch") {
  Rng rng(0);
  auto [train, validation] = split_dataset(digits(), 0.2, rng);
  TrainingOptions options = quick_options();
  options.epochs = 5;
  TrainingLoop loop(mlp({1, 8, 8}, 16, 10), train, validation, options);
  TrainingResult result = loop.run([](const EpochStats& e) { return e.epoch < 2; });
  CHECK(result.outcome == TrainingOutcome::stopped);
  CHECK(result.reason == "stopped after epoch 2 of 5");
  CHECK(result.history.size() == 2);
  CHECK(loop.epochs_done() == 2);

  // A stop request is honoured before the next step, mid-epoch.
  int polls = 0;
  TrainingLoop interrupted(mlp({1, 8, 8}, 16, 10), train, validation, options);
  TrainingResult cut = interrupted.run({}, [&] { return ++polls == 50; });
  CHECK(cut.outcome == TrainingOutcome::stopped);
  // 1438 training samples / 32 = 45 steps per epoch: poll 50 is step 5 of epoch 2.
  CHECK(cut.reason == "stopped during epoch 2 at step 5");
  CHECK(cut.history.size() == 1);
}

TEST_CASE("a NaN loss fails the run with the epoch and step where it happened") {
  Dataset data = digits();
  // Sample 70 in batches of 32 without shuffling is in the third step of the first epoch.
  data.images[70 * 64 + 5] = std::numeric_limits<float>::quiet_NaN();
  TrainingOptions options = quick_options();
  options.shuffle = false;
  options.normalize = false;  // the statistics would be NaN too
  TrainingLoop loop(linear_classifier({1, 8, 8}, 10), data, digits(), options);
  TrainingResult result = loop.run();
  CHECK(result.outcome == TrainingOutcome::diverged);
  CHECK(result.reason == "loss diverged (nan) at epoch 1 step 3");
  CHECK(result.history.empty());
}

TEST_CASE("a finite loss above divergence_loss also counts as divergence") {
  // Raw digit pixels (0..16, not normalised) times 100 give first-step logits in the thousands:
  // the first batch losses are far above a threshold of 50.
  Dataset data = digits();
  for (float& v : data.images) v *= 100.0f;
  TrainingOptions options = quick_options();
  options.normalize = false;
  options.divergence_loss = 50.0;
  options.seed = 3;
  ComputeGraph graph = linear_classifier({1, 8, 8}, 10);
  TrainingLoop loop(graph, data, data, options);
  const TrainingResult result = loop.run();
  CHECK(result.outcome == TrainingOutcome::diverged);
  CHECK(result.reason.find("loss diverged (") == 0);
  CHECK(result.reason.find(" > 50) at epoch 1 step ") != std::string::npos);

  // The same run with the threshold off goes on (the loss stays finite).
  options.divergence_loss = 0.0;
  options.epochs = 1;
  TrainingLoop unchecked(graph, data, data, options);
  CHECK(unchecked.run().outcome == TrainingOutcome::completed);
}

TEST_CASE("a checkpoint resumes training exactly where it stopped") {
  Rng rng(0);
  // Not a structured binding: a lambda below uses both, and clang 14 cannot capture a binding.
  const std::pair<Dataset, Dataset> split = split_dataset(digits(), 0.2, rng);
  const Dataset& train = split.first;
  const Dataset& validation = split.second;
  TrainingOptions options = quick_options();
  options.schedule.name = "cosine";
  options.augment.horizontal_flip = true;  // the data RNG matters
  TrainingLoop straight(mlp({1, 8, 8}, 32, 10), train, validation, options);
  const TrainingResult reference = straight.run();
  REQUIRE(reference.history.size() == 3);

  const auto path = std::filesystem::temp_directory_path() /
                    ("tandem_test_checkpoint_" + std::to_string(::getpid()) + ".ckpt");
  options.checkpoint_path = path.string();
  {
    TrainingLoop first(mlp({1, 8, 8}, 32, 10), train, validation, options);
    first.run([](const EpochStats& e) { return e.epoch < 2; });  // "killed" after epoch 2
  }
  options.resume = true;
  TrainingLoop resumed(mlp({1, 8, 8}, 32, 10), train, validation, options);
  CHECK(resumed.epochs_done() == 2);
  const TrainingResult rest = resumed.run();
  REQUIRE(rest.history.size() == 1);
  CHECK(rest.history[0].epoch == 3);
  CHECK(rest.history[0].train_loss == reference.history[2].train_loss);
  CHECK(rest.history[0].val_loss == reference.history[2].val_loss);
  CHECK(rest.history[0].val_accuracy == reference.history[2].val_accuracy);

  // A checkpoint of another network is refused with the parameter's name.
  options.checkpoint_path = path.string();
  CHECK(error_of([&] {
          TrainingLoop other(mlp({1, 8, 8}, 16, 10), train, validation, options);
        }).find("checkpoint parameter 'hidden.weight' has shape") == 0);
  std::filesystem::remove(path);
}

TEST_CASE("a network that does not fit the data is one clear error") {
  CHECK(error_of([] {
          TrainingLoop loop(mlp({1, 28, 28}, 16, 10), digits(), digits(), {});
        }) ==
        "the network expects inputs of shape 1x28x28 but digits has samples of shape 1x8x8 (set "
        "the space's input_shape to 1x8x8)");
  CHECK(error_of([] {
          TrainingLoop loop(mlp({1, 8, 8}, 16, 100), digits(), digits(), {});
        }) == "the network has 100 outputs but digits has 10 classes (set classes: 10)");
  TrainingOptions bad;
  bad.optimizer.name = "adamm";
  CHECK(error_of([&] {
          TrainingLoop loop(mlp({1, 8, 8}, 16, 10), digits(), digits(), bad);
        }) ==
        "training: unknown optimizer 'adamm' (did you mean 'adam'?); accepted: sgd, adam, adamw");
}
