// `tandem export DB TRIAL [--experiment NAME] --format pytorch [-o PATH]`: a trial's network as
// a self-contained PyTorch module (trainers/pytorch_export.hpp): a torch.nn.Module subclass
// constructible with no arguments and build() returning an instance. The network is the
// candidate lowered with the space's options as the experiment configured them (input_shape,
// classes, width...), the same network `tandem show` lists.
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
#include "trainers/pytorch_export.hpp"

namespace tandem {

int cli_export(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Write a trial's network as a self-contained PyTorch module "
                           "(torch.nn.Module subclass + build()).");
  options.add_options()("experiment", "experiment name (default: the only one)",
                        cxxopts::value<std::string>()->default_value(""))(
      "format", "pytorch", cxxopts::value<std::string>()->default_value("pytorch"))(
      "o,output", "the module file (default: trial_<N>.py in the current folder)",
      cxxopts::value<std::string>()->default_value(""));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB", "TRIAL"}, args)) return 0;
  const std::string format = args["format"].as<std::string>();
  if (format != "pytorch")
    throw Error("--format " + tandem::quoted(format) + ": expected pytorch");
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
  const ComputeGraph graph = space->to_graph(space->parse(trial->candidate));

  std::string output = args["output"].as<std::string>();
  if (output.empty()) output = "trial_" + std::to_string(number) + ".py";
  PytorchExportOptions export_options;
  export_options.header = {"Trial #" + std::to_string(number) + " of experiment '" +
                               experiment.name + "' (" + to_string(trial->state) + "), space " +
                               space->name() + ":",
                           trial->candidate};
  for (const auto& [name, value] : trial->values)
    export_options.header.push_back("  " + name + " = " + format_number(value));
  std::ofstream out(output, std::ios::trunc);
  out << pytorch_module_source(graph, nullptr, export_options);
  if (!out.flush()) throw Error(output + ": cannot write the module");
  std::cout << "wrote " << output << ": class TandemNet, " << graph.size() << " layers, "
            << graph.total_params() << " parameters, input "
            << graph.layer(graph.inputs().front()).output.to_string() << "\n";
  return 0;
}

}  // namespace tandem
