// `tandem report DB [--experiment NAME ...] -o report.html`: every view of the dashboard as one
// self-contained HTML file (docs/report.md), computed from the database alone.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/error.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/report/report_document.hpp"
#include "experiments/report/report_page.hpp"

namespace tandem {

int cli_report(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Write the experiments of a trial database as one self-contained HTML "
                           "report (opens offline in any browser).");
  options.add_options()("experiment", "experiment to include (repeatable; default: all)",
                        cxxopts::value<std::vector<std::string>>())(
      "o,output", "the HTML file to write", cxxopts::value<std::string>())(
      "details", "trials per experiment whose page (graph, per-layer cost) is included: the "
                 "Pareto front, then the best ones",
      integer_value("40"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB"}, args)) return 0;
  if (!args.count("output")) throw Error("missing -o/--output: the HTML file to write");
  const std::string database = args["DB"].as<std::string>();
  const std::string output = args["output"].as<std::string>();
  std::vector<std::string> experiments;
  if (args.count("experiment")) experiments = args["experiment"].as<std::vector<std::string>>();
  ReportOptions report;
  report.detail_trials = static_cast<std::size_t>(integer_option(args, "details", 0, 100'000));

  if (!std::filesystem::exists(database))
    throw Error(database + ": no such file (give a database written by tandem run)");
  TrialStore store(database, TrialStore::Mode::read_only);
  const std::string name = std::filesystem::path(database).filename().string();
  const std::string page =
      report_page(report_document(store, name, experiments, report, /*live=*/false),
                  name + " — tandem report");
  // Written next to its final name and renamed, so a failed write never leaves half a report.
  const std::string partial = output + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(output + ": cannot write (" + std::strerror(errno) + ")");
    out << page;
    out.close();
    if (!out) throw Error(output + ": write failed (" + std::strerror(errno) + ")");
  }
  std::error_code error;
  std::filesystem::rename(partial, output, error);
  if (error) throw Error(output + ": cannot write (" + error.message() + ")");
  std::cout << "tandem report: wrote " << output << " (" << page.size() / 1024 << " KiB)\n";
  return 0;
}

}  // namespace tandem
