// `tandem spaces [NAME]`: lists the registered search spaces, or describes one (its decisions,
// size, an example candidate and the totals of its graph).
#include <iostream>

#include "core/rng.hpp"
#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/cli/graph_report.hpp"

namespace tandem {

int cli_spaces(int argc, char** argv) {
  cxxopts::Options options(argv[0], "List search spaces, or describe one.");
  options.add_options()("arch", "parse and lower this candidate string instead of an example",
                        cxxopts::value<std::string>())(
      "layers", "print the per-layer table of the candidate's graph");
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {}, args, {"NAME"})) return 0;
  SpaceRegistry& registry = space_registry();
  if (!args.count("NAME")) {
    TextTable table{{"space", "description"}, {}};
    for (const auto& name : registry.names()) table.rows.push_back({name, registry.help(name)});
    print_table(std::cout, table, "table");
    return 0;
  }
  const std::string name = args["NAME"].as<std::string>();
  auto space = registry.create(name, ConfigNode());
  // The candidate first: a bad --arch is one error line, not a description followed by an error.
  Candidate candidate;
  if (args.count("arch")) {
    candidate = space->parse(args["arch"].as<std::string>());
    space->check(candidate);
  } else {
    Rng rng(0);
    candidate = space->sample(rng);
  }
  std::cout << space->name() << ": " << space->summary() << "\n";
  std::cout << "size: " << format_number(space->size()) << " candidates, "
            << space->decisions().size() << " decisions\n\n";
  TextTable decisions{{"#", "decision", "choices"}, {}};
  for (std::size_t i = 0; i < space->decisions().size(); ++i) {
    const Decision& decision = space->decisions()[i];
    decisions.rows.push_back({std::to_string(i), decision.name, join(decision.choices, " | ")});
  }
  print_table(std::cout, decisions, "table");

  std::cout << "\n" << (args.count("arch") ? "candidate: " : "example candidate: ")
            << space->to_string(candidate) << "\n";
  ComputeGraph graph = space->to_graph(candidate);
  std::cout << "graph (default options): " << graph.size() << " layers, "
            << format_number(static_cast<double>(graph.total_macs())) << " MACs, "
            << format_number(static_cast<double>(graph.total_params())) << " params\n";
  if (args.count("layers")) {
    std::cout << "\n";
    print_table(std::cout, graph_table(graph), "table");
  }
  return 0;
}

}  // namespace tandem
