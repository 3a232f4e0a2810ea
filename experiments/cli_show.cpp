// `tandem show DB TRIAL [--experiment NAME]`: one trial — its candidate, state, metrics,
// intermediate values and the per-layer table of its compute graph (shapes, MACs, params).
#include <iostream>

#include "core/text.hpp"
#include "experiments/cli_commands.hpp"
#include "experiments/cli_options.hpp"
#include "experiments/experiment_config.hpp"
#include "experiments/experiment.hpp"
#include "experiments/graph_report.hpp"
#include "experiments/trial_report.hpp"

namespace tandem {

int cli_show(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Show one trial and the layers of its network.");
  options.add_options()("experiment", "experiment name (default: the only one)",
                        cxxopts::value<std::string>()->default_value(""))(
      "format", "table, csv or json (for the layer table)",
      cxxopts::value<std::string>()->default_value("table"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB", "TRIAL"}, args)) return 0;
  std::string format = args["format"].as<std::string>();
  check_output_format(format);
  const std::string trial_text = args["TRIAL"].as<std::string>();
  std::size_t used = 0;
  int number = -1;
  try {
    number = std::stoi(trial_text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != trial_text.size() || number < 0)
    throw Error("TRIAL '" + trial_text + "': expected a trial number >= 0");

  TrialStore store(args["DB"].as<std::string>(), TrialStore::Mode::read_only);
  ExperimentRecord experiment = select_experiment(store, args["experiment"].as<std::string>());
  auto trial = store.trial(experiment.id, number);
  if (!trial)
    throw Error("experiment '" + experiment.name + "' has no trial #" + trial_text + " (it has " +
                std::to_string(store.trials(experiment.id).size()) + ")");

  std::cout << "experiment: " << experiment.name << "\ntrial:      #" << trial->number
            << "\nstate:      " << to_string(trial->state) << "\n";
  if (!trial->reason.empty()) std::cout << "reason:     " << trial->reason << "\n";
  std::cout << "space:      " << trial->space << "\ncandidate:  " << trial->candidate << "\n";
  if (!trial->accelerator.empty()) std::cout << "accelerator: " << trial->accelerator << "\n";
  std::cout << "worker:     " << trial->worker << "\nstarted:    " << trial->started
            << "\nfinished:   " << trial->finished << "\n";
  for (const auto& [name, value] : trial->values)
    std::cout << "  " << name << " = " << format_number(value) << "\n";
  auto intermediate = store.intermediate_values(trial->id);
  if (!intermediate.empty()) {
    TextTable steps{{"step", "name", "value"}, {}};
    for (const auto& v : intermediate)
      steps.rows.push_back({std::to_string(v.step), v.name, format_number(v.value)});
    std::cout << "\nintermediate values:\n";
    print_table(std::cout, steps, "table");
  }

  // Rebuild the space exactly as the experiment configured it and lower the candidate.
  ExperimentConfig config = ExperimentConfig::parse(experiment.config_text, "stored config");
  register_everything();
  auto space = space_registry().create(config.space.name, config.space.options);
  Candidate candidate = space->parse(trial->candidate);
  ComputeGraph graph = space->to_graph(candidate);
  std::cout << "\nnetwork (" << graph.size() << " layers):\n";
  print_table(std::cout, graph_table(graph), format);
  return 0;
}

}  // namespace tandem
