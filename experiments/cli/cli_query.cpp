// `tandem query DB "SQL" [--format F]`: one read-only SQL statement over the results database.
#include <iostream>

#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/table_output.hpp"
#include "db/trial_store.hpp"

namespace tandem {

int cli_query(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Run one read-only SQL statement (docs/database.md).");
  options.add_options()("format", "table, csv or json",
                        cxxopts::value<std::string>()->default_value("table"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB", "SQL"}, args)) return 0;
  std::string format = args["format"].as<std::string>();
  check_output_format(format);
  TrialStore store(args["DB"].as<std::string>(), TrialStore::Mode::read_only);
  QueryResult result = store.query(args["SQL"].as<std::string>());
  print_table(std::cout, TextTable{result.columns, result.rows}, format);
  return 0;
}

}  // namespace tandem
