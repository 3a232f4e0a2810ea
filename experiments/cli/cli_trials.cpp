// `tandem trials DB [--experiment NAME] [--sort METRIC[:min|max]] [--top K] [--format F]
//                   [--pareto METRIC:min|max,METRIC:min|max,...] [--summary] [--reference V,...]`:
// the trials of one experiment, one column per metric; or its non-dominated set on several
// objectives; or its summary (counts, best values, Pareto front size and hypervolume).
#include <iostream>
#include <set>

#include "core/error.hpp"
#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/trial_report.hpp"
#include "core/pareto.hpp"

namespace tandem {
namespace {

// A sort or Pareto metric that no stored trial reports is a typo, not an empty ranking.
void require_stored_metric(const std::vector<TrialRecord>& trials, const std::string& metric,
                           const std::string& option) {
  std::set<std::string> names;
  for (const auto& trial : trials)
    for (const auto& [name, value] : trial.values) names.insert(name);
  if (names.empty() || names.count(metric)) return;
  const std::vector<std::string> known(names.begin(), names.end());
  throw Error(option + ": no trial has metric '" + metric + "'" + did_you_mean(metric, known) +
              "; metrics: " + join(known, ", "));
}

}  // namespace

int cli_trials(int argc, char** argv) {
  cxxopts::Options options(argv[0], "List the trials of an experiment.");
  options.add_options()("experiment", "experiment name (default: the only one)",
                        cxxopts::value<std::string>()->default_value(""))(
      "sort", "sort by METRIC[:min|max] (default: the first objective)",
      cxxopts::value<std::string>())("top", "show the best K trials only",
                                     integer_value("0"))(
      "format", "table, csv or json", cxxopts::value<std::string>()->default_value("table"))(
      "pareto",
      "only the non-dominated complete trials on METRIC:min|max,METRIC:min|max,... (each metric "
      "with its direction)",
      cxxopts::value<std::string>())(
      "summary",
      "the experiment's summary: trials per state, best value per objective and, with several "
      "objectives, the Pareto front size and hypervolume")(
      "reference",
      "hypervolume reference point V1,V2,... in the objectives' units (default: the worst "
      "observed value of each objective)",
      cxxopts::value<std::string>());
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB"}, args)) return 0;
  std::string format = args["format"].as<std::string>();
  check_output_format(format);
  long long top = integer_option(args, "top", 0, kNoUpperBound);
  if (args.count("pareto") && args.count("summary"))
    throw Error("--pareto and --summary are different reports; give one of them");
  if (args.count("reference") && !args.count("summary"))
    throw Error("--reference applies to --summary (the hypervolume's reference point)");

  TrialStore store(args["DB"].as<std::string>(), TrialStore::Mode::read_only);
  ExperimentRecord experiment = select_experiment(store, args["experiment"].as<std::string>());

  if (args.count("summary")) {
    auto objectives = stored_objectives(experiment);
    std::optional<std::vector<double>> reference;
    if (args.count("reference")) {
      reference = parse_reference_point(args["reference"].as<std::string>(), objectives.size());
    } else if (!objectives.empty() && objectives.front().reference) {
      // The reference point the experiment's config gives (objectives[].reference).
      reference.emplace();
      for (const auto& objective : objectives) reference->push_back(objective.reference.value());
    }
    print_table(std::cout, experiment_summary_table(store, experiment, objectives, reference),
                format);
    return 0;
  }
  if (args.count("pareto")) {
    auto objectives = parse_objective_list(args["pareto"].as<std::string>(), "--pareto");
    const std::vector<TrialRecord> trials = store.trials(experiment.id);
    for (const auto& objective : objectives)
      require_stored_metric(trials, objective.metric, "--pareto");
    auto front = pareto_trials(trials, objectives);
    if (top > 0 && static_cast<long long>(front.size()) > top) front.resize(top);
    std::vector<std::string> columns;
    for (const auto& objective : objectives) columns.push_back(objective.metric);
    print_table(std::cout, trials_table(front, std::nullopt, 0, columns, format == "table"),
                format);
    return 0;
  }

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
  const std::vector<TrialRecord> trials = store.trials(experiment.id);
  if (args.count("sort")) require_stored_metric(trials, sort->metric, "--sort");
  print_table(std::cout, trials_table(trials, sort, top, {}, format == "table"), format);
  return 0;
}

}  // namespace tandem
