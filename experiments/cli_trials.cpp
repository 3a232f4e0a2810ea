// `tandem trials DB [--experiment NAME] [--sort METRIC[:min|max]] [--top K] [--format F]`: the
// trials of one experiment, one column per metric.
#include <iostream>

#include "experiments/cli_commands.hpp"
#include "experiments/cli_options.hpp"
#include "experiments/trial_report.hpp"

namespace tandem {

int cli_trials(int argc, char** argv) {
  cxxopts::Options options(argv[0], "List the trials of an experiment.");
  options.add_options()("experiment", "experiment name (default: the only one)",
                        cxxopts::value<std::string>()->default_value(""))(
      "sort", "sort by METRIC[:min|max] (default: the first objective)",
      cxxopts::value<std::string>())("top", "show the best K trials only",
                                     cxxopts::value<long long>()->default_value("0"))(
      "format", "table, csv or json", cxxopts::value<std::string>()->default_value("table"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB"}, args)) return 0;
  std::string format = args["format"].as<std::string>();
  check_output_format(format);
  long long top = args["top"].as<long long>();
  if (top < 0) throw Error("--top " + std::to_string(top) + ": expected an integer >= 0");

  TrialStore store(args["DB"].as<std::string>(), TrialStore::Mode::read_only);
  ExperimentRecord experiment = select_experiment(store, args["experiment"].as<std::string>());
  std::optional<Objective> sort;
  if (args.count("sort")) {
    sort = parse_sort_key(args["sort"].as<std::string>());
    // Without an explicit direction, use the experiment's objective direction for that metric.
    std::string text = args["sort"].as<std::string>();
    if (text.find(':') == std::string::npos) {
      sort->minimize = false;
      for (const auto& objective : stored_objectives(experiment))
        if (objective.metric == sort->metric) sort->minimize = objective.minimize;
    }
  } else {
    auto objectives = stored_objectives(experiment);
    if (!objectives.empty()) sort = objectives.front();
  }
  print_table(std::cout, trials_table(store.trials(experiment.id), sort, top), format);
  return 0;
}

}  // namespace tandem
