// `tandem export DB TRIAL [--experiment NAME] --format pytorch|onnx [-o PATH] [--batch N]`: a
// trial's network as a self-contained PyTorch module (trainers/pytorch_export.hpp: a
// torch.nn.Module subclass constructible with no arguments and build() returning an instance) or
// as an ONNX model (trainers/onnx_export.hpp). With the weights a `train` evaluator kept
// (keep_weights: --weights FOLDER, or tandem-trials/<experiment>/trial-<N> beside the database)
// both carry the trained weights, and the network is built with the shape it was trained with;
// otherwise the network is the candidate lowered with the space's options (the one `tandem show`
// lists), the PyTorch module has PyTorch's initialisation and the ONNX model, which must carry
// weights, tandem's initialisation seeded from the experiment seed.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/error.hpp"
#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/trial_report.hpp"
#include "experiments/config/experiment_config.hpp"
#include "spaces/search_space.hpp"
#include "trainers/kept_network.hpp"
#include "trainers/network.hpp"
#include "trainers/onnx_export.hpp"
#include "trainers/pytorch_export.hpp"

namespace tandem {

int cli_export(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Write a trial's network as a self-contained PyTorch module "
                           "(torch.nn.Module subclass + build()).");
  options.add_options()("experiment", "experiment name (default: the only one)",
                        cxxopts::value<std::string>()->default_value(""))(
      "format", "pytorch or onnx", cxxopts::value<std::string>()->default_value("pytorch"))(
      "o,output", "the file (default: trial_<N>.py or trial_<N>.onnx in the current folder)",
      cxxopts::value<std::string>()->default_value(""))(
      "batch", "onnx: the batch size N of the model's input and output", integer_value("1"))(
      "weights", "a folder of trained weights a train evaluator kept (keep_weights: true); "
                 "default: tandem-trials/<experiment>/trial-<N> beside DB, when it holds weights",
      cxxopts::value<std::string>()->default_value(""));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB", "TRIAL"}, args)) return 0;
  const std::string format = args["format"].as<std::string>();
  if (format != "pytorch" && format != "onnx")
    throw Error("--format " + tandem::quoted(format) + ": expected pytorch or onnx");
  const long long batch = integer_option(args, "batch", 1, 65536);
  const std::string trial_text = args["TRIAL"].as<std::string>();
  const std::optional<long long> parsed = parse_integer_text(trial_text);
  if (!parsed || *parsed < 0 || *parsed > INT_MAX)
    throw Error("TRIAL " + tandem::quoted(trial_text) + ": expected a trial number >= 0");
  const int number = static_cast<int>(*parsed);

  TrialStore store(args["DB"].as<std::string>(), TrialStore::Mode::read_only);
  const ExperimentRecord experiment = select_experiment(store, args["experiment"].as<std::string>());
  const auto trial = store.trial(experiment.id, number);
  if (!trial)
    throw Error("experiment '" + experiment.name + "' has no trial #" + trial_text + " (it has " +
                std::to_string(store.trials(experiment.id).size()) + ")");
  const ExperimentConfig config = ExperimentConfig::parse(experiment.config_text, "stored config");
  auto space = space_registry().create(config.space.name, config.space.options);
  std::string weights = args["weights"].as<std::string>();
  if (weights.empty()) {
    const std::filesystem::path kept =
        std::filesystem::path(args["DB"].as<std::string>()).parent_path() / "tandem-trials" /
        experiment.name / ("trial-" + std::to_string(number));
    if (std::filesystem::exists(kept / "weights.bin")) weights = kept.string();
  }
  GraphOptions graph_options = space->graph_options();
  if (!weights.empty()) {  // the shape the network was trained with
    const KeptNetworkShape shape = read_kept_shape(weights);
    graph_options.input = shape.input;
    graph_options.classes = shape.classes;
    graph_options.width = shape.width;
    graph_options.cells_per_stage = shape.cells_per_stage;
    graph_options.width_multiplier = shape.width_multiplier;
  }
  const ComputeGraph graph = space->to_graph(space->parse(trial->candidate), graph_options);
  NetworkOptions network_options;
  network_options.seed = experiment.seed;
  network_options.threads = 1;
  Network network(graph, network_options);
  if (!weights.empty()) load_kept_weights(weights, graph, network.parameters());
  const std::string kind = weights.empty() ? "initial weights" : "trained weights";

  std::string output = args["output"].as<std::string>();
  if (output.empty())
    output = "trial_" + std::to_string(number) + (format == "onnx" ? ".onnx" : ".py");
  std::vector<std::string> about = {"Trial #" + std::to_string(number) + " of experiment '" +
                                        experiment.name + "' (" + to_string(trial->state) +
                                        "), space " + space->name() + ":",
                                    trial->candidate};
  for (const auto& [name, value] : trial->values)
    about.push_back("  " + name + " = " + format_number(value));
  const std::string input = graph.layer(graph.inputs().front()).output.to_string();
  about.push_back(weights.empty() ? "Weights: none kept for this trial."
                                  : "Weights: trained, kept in " + weights + ".");
  if (format == "onnx") {
    OnnxExportOptions onnx_options;
    onnx_options.batch = static_cast<int>(batch);
    onnx_options.doc = join(about, "\n") + (weights.empty()
                                                ? " The model carries tandem's initialisation, "
                                                  "seed " + std::to_string(experiment.seed) + "."
                                                : std::string());
    write_onnx_model(output, graph, network.parameters(), onnx_options);
    std::cout << "wrote " << output << ": ONNX opset 13, " << graph.size() << " layers, "
              << graph.total_params() << " parameters (" << kind << "), input " << batch << "x"
              << input << "\n";
    return 0;
  }
  PytorchExportOptions export_options;
  export_options.header = about;
  if (!weights.empty()) {
    const std::filesystem::path module(output);
    export_options.weights_file = module.stem().string() + ".weights";
    write_pytorch_weights((module.parent_path() / export_options.weights_file).string(), graph,
                          network.parameters());
  }
  std::ofstream out(output, std::ios::trunc);
  out << pytorch_module_source(graph, weights.empty() ? nullptr : &network.parameters(),
                               export_options);
  if (!out.flush()) throw Error(output + ": cannot write the module");
  std::cout << "wrote " << output << ": class TandemNet, " << graph.size() << " layers, "
            << graph.total_params() << " parameters"
            << (weights.empty() ? std::string() : " (trained weights in " +
                                                      export_options.weights_file + ")")
            << ", input " << input << "\n";
  return 0;
}

}  // namespace tandem
