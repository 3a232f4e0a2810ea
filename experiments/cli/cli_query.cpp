// `tandem query DB "SQL" [--format F] [--timeout S] [--max-mb M]`: one read-only SQL statement
// over the results database, stopped with one line past S seconds or M megabytes of result.
#include <iostream>

#include "core/error.hpp"
#include "core/text.hpp"

#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/table_output.hpp"
#include "db/trial_store.hpp"

namespace tandem {

int cli_query(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Run one read-only SQL statement (docs/database.md).");
  options.add_options()("format", "table, csv or json",
                        cxxopts::value<std::string>()->default_value("table"))(
      "timeout", "seconds the statement may run (default 30)", number_value())(
      "max-mb", "megabytes of result, or of any one value it builds (default 256)",
      integer_value());
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB", "SQL"}, args)) return 0;
  std::string format = args["format"].as<std::string>();
  check_output_format(format);
  QueryLimits limits;
  const std::string seconds_range = "seconds in (0, 86400]";
  if (auto seconds = optional_number_option(args, "timeout", seconds_range)) {
    limits.seconds = *seconds;
    if (!(limits.seconds > 0) || limits.seconds > 86400)
      throw Error("--timeout " + format_number(limits.seconds) + ": expected " + seconds_range);
  }
  if (auto megabytes = optional_integer_option(args, "max-mb", 1, 4096))
    limits.max_bytes = static_cast<std::size_t>(*megabytes) << 20;
  TrialStore store(args["DB"].as<std::string>(), TrialStore::Mode::read_only);
  QueryResult result = store.query(args["SQL"].as<std::string>(), limits);
  print_table(std::cout, TextTable{result.columns, result.rows}, format);
  return 0;
}

}  // namespace tandem
