// `tandem dashboard DB [--port P] [--host H]`: serves the report's views live from a trial
// database that a run may still be writing (docs/report.md); read-only, loopback by default.
#include <iostream>

#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/report/dashboard_server.hpp"

namespace tandem {

int cli_dashboard(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Serve a live dashboard of a trial database (read-only; updates while "
                           "tandem run writes to it).");
  options.add_options()("port", "TCP port (0 = any free port)", integer_value("8050"))(
      "host", "address to listen on (default loopback only; 0.0.0.0 exposes it to the network)",
      cxxopts::value<std::string>()->default_value("127.0.0.1"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB"}, args)) return 0;
  DashboardOptions dashboard;
  dashboard.database = args["DB"].as<std::string>();
  dashboard.host = args["host"].as<std::string>();
  dashboard.port = static_cast<int>(integer_option(args, "port", 0, 65535));
  Dashboard server(dashboard);
  const int port = server.bind();
  std::cout << "tandem dashboard: serving " << dashboard.database << " at http://"
            << dashboard.host << ":" << port << "/ (Ctrl-C stops)" << std::endl;
  server.serve();
  return 0;
}

}  // namespace tandem
