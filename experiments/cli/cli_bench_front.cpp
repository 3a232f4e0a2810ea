// `tandem bench front CONFIG [-o FILE] [--threads N] [--format table|csv|json]`: the exact Pareto
// front of the config's joint space (experiments/benchmark/exact_front.hpp), written to the cache
// file `tandem bench search` scores against (default: CONFIG's folder, <stem>.front.csv), then
// summarised: pairs enumerated, complete pairs, front points, reference point, hypervolume, time.
// With --format csv|json the front's points are printed instead of the summary.
#include <iostream>

#include "core/text.hpp"
#include "experiments/benchmark/exact_front.hpp"
#include "experiments/benchmark/front_file.hpp"
#include "experiments/benchmark/search_scores.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/table_output.hpp"
#include "experiments/runner/experiment.hpp"

namespace tandem {

int cli_bench_front(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Compute the exact Pareto front of a joint space (table and hw "
                           "objectives) by enumeration, and cache it for tandem bench search.");
  options.add_options()("o,output", "front file (default: next to CONFIG, <stem>.front.csv)",
                        cxxopts::value<std::string>())(
      "threads", "threads (default: every core)", integer_value("0"))(
      "format", "table (a summary), csv or json (the front's points)",
      cxxopts::value<std::string>()->default_value("table"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"CONFIG"}, args)) return 0;
  const std::string format = args["format"].as<std::string>();
  check_output_format(format);
  const long long threads = integer_option(args, "threads", 0, 1024);

  ExperimentConfig config = ExperimentConfig::load(args["CONFIG"].as<std::string>());
  Experiment experiment(config);
  const std::string path =
      args.count("output") ? args["output"].as<std::string>() : default_front_path(config);
  ExactFront front = compute_exact_front(experiment, ExactFrontOptions{static_cast<int>(threads)});
  write_front_file(path, front, front_fingerprint(config));

  const ObjectiveVector reference = front_reference_point(front);
  const double volume = hypervolume(front.points, reference);
  if (format != "table") {
    TextTable table;
    table.columns = {"point", "candidates"};
    for (const auto& objective : front.objectives) table.columns.push_back(objective.metric);
    for (std::size_t p = 0; p < front.points.size(); ++p) {
      std::vector<std::string> row = {std::to_string(p), std::to_string(front.candidates[p].size())};
      for (std::size_t j = 0; j < front.objectives.size(); ++j)
        row.push_back(format_number(front.objectives[j].minimize ? front.points[p][j]
                                                                 : -front.points[p][j]));
      table.rows.push_back(row);
    }
    print_table(std::cout, table, format);
    return 0;
  }
  std::size_t rows = 0;
  for (const auto& candidates : front.candidates) rows += candidates.size();
  std::vector<std::string> objectives, reference_text;
  for (std::size_t j = 0; j < front.objectives.size(); ++j) {
    objectives.push_back(front.objectives[j].to_string());
    reference_text.push_back(front.objectives[j].metric + "=" +
                             format_number(front.objectives[j].minimize ? reference[j] : -reference[j]));
  }
  std::cout << "exact Pareto front of " << config.source << "\n"
            << "  objectives:     " << join(objectives, ", ") << "\n"
            << "  constraints:    " << (front.constraints.empty() ? "none" : join(front.constraints, ", ")) << "\n"
            << "  pairs:          " << format_number(front.networks) << " networks x "
            << format_number(front.accelerators) << " accelerators = " << format_number(front.pairs)
            << " (" << format_number(front.complete_pairs) << " complete)\n"
            << "  front:          " << front.points.size() << " points, " << rows << " candidates\n"
            << "  reference:      " << join(reference_text, ", ") << "\n"
            << "  hypervolume:    " << format_number(volume) << "\n"
            << "  time:           " << fixed_decimals(front.seconds, 1) << " s\n"
            << "  written to:     " << path << "\n";
  return 0;
}

}  // namespace tandem
