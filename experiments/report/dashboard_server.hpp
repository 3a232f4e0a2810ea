// `tandem dashboard`: a small HTTP server (cpp-httplib) showing a trial database live. It serves
// the report page in live mode and three read-only JSON routes the page polls:
//   GET /                              the page
//   GET /api/experiments               overview of every experiment (write_experiment_overview)
//   GET /api/experiment/<id>           one experiment in full (write_experiment, no trial pages)
//   GET /api/trial/<id>/<number>       one trial's page (write_trial_detail)
// Every request opens the database read-only, so the server never writes and always shows what a
// running `tandem run` has committed. Any other path is 404, any other method 405.
#pragma once

#include <memory>
#include <string>

#include "experiments/report/report_document.hpp"

namespace tandem {

struct DashboardOptions {
  std::string database;
  std::string host = "127.0.0.1";
  int port = 8050;  // 0 = any free port
  ReportOptions report;
};

class Dashboard {
 public:
  // Opens the database once to check that it is a tandem database (tandem::Error otherwise).
  explicit Dashboard(DashboardOptions options);
  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  // Binds the listening socket; returns the port (tandem::Error naming host:port on failure).
  int bind();
  // Serves until stop() (blocking).
  void serve();
  void stop();

 private:
  struct Server;
  DashboardOptions options_;
  std::unique_ptr<Server> server_;
};

}  // namespace tandem
