// The dashboard's HTTP server (see dashboard_server.hpp).
#include "experiments/report/dashboard_server.hpp"

#include <httplib.h>

#include <filesystem>

#include "core/error.hpp"
#include "experiments/report/json_writer.hpp"
#include "experiments/report/report_page.hpp"
#include "experiments/report/trial_page.hpp"

namespace tandem {
namespace {

const char* const kRoutes = "/, /api/experiments, /api/experiment/ID, /api/trial/ID/NUMBER";

// The page and the JSON may only talk to this server; nothing is loaded from elsewhere.
const char* const kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

void send_json(httplib::Response& response, std::string body) {
  response.set_content(std::move(body), "application/json");  // UTF-8 by definition; httplib gzips it for clients that accept it
}

void send_error(httplib::Response& response, int status, const std::string& message) {
  response.status = status;
  JsonWriter json;
  json.begin_object().key("error").value(message).end_object();
  send_json(response, json.take());
}

std::optional<ExperimentRecord> experiment_by_id(const TrialStore& store, std::int64_t id) {
  for (const auto& experiment : store.experiments())
    if (experiment.id == id) return experiment;
  return std::nullopt;
}

}  // namespace

struct Dashboard::Server {
  httplib::Server http;
};

Dashboard::Dashboard(DashboardOptions options)
    : options_(std::move(options)), server_(std::make_unique<Server>()) {
  if (!std::filesystem::exists(options_.database))
    throw Error(options_.database + ": no such file (give a database written by tandem run)");
  { TrialStore check(options_.database, TrialStore::Mode::read_only); }

  httplib::Server& http = server_->http;
  http.set_default_headers({{"Cache-Control", "no-store"},
                            {"X-Content-Type-Options", "nosniff"},
                            {"Content-Security-Policy", kContentSecurityPolicy},
                            {"Referrer-Policy", "no-referrer"}});
  const std::string path = options_.database;
  const ReportOptions report = options_.report;
  auto open = [path] { return std::make_unique<TrialStore>(path, TrialStore::Mode::read_only); };

  http.Get("/", [=](const httplib::Request&, httplib::Response& response) {
    auto store = open();
    const std::string name = std::filesystem::path(path).filename().string();
    response.set_content(
        report_page(report_document(*store, name, {}, report, /*live=*/true), name + " — tandem dashboard"),
        "text/html; charset=utf-8");
  });
  http.Get("/api/experiments", [=](const httplib::Request&, httplib::Response& response) {
    auto store = open();
    JsonWriter json;
    write_experiment_overview(json, *store);
    send_json(response, json.take());
  });
  http.Get(R"(/api/experiment/(\d{1,18}))", [=](const httplib::Request& request,
                                                 httplib::Response& response) {
    auto store = open();
    const auto experiment = experiment_by_id(*store, std::stoll(request.matches[1]));
    if (!experiment) return send_error(response, 404, "no such experiment");
    JsonWriter json;
    write_experiment(json, *store, *experiment, report, /*with_details=*/false);
    send_json(response, json.take());
  });
  http.Get(R"(/api/trial/(\d{1,18})/(\d{1,9}))", [=](const httplib::Request& request,
                                                      httplib::Response& response) {
    auto store = open();
    const auto experiment = experiment_by_id(*store, std::stoll(request.matches[1]));
    if (!experiment) return send_error(response, 404, "no such experiment");
    const auto trial = store->trial(experiment->id, std::stoi(request.matches[2]));
    if (!trial) return send_error(response, 404, "no such trial");
    JsonWriter json;
    write_trial_detail(json, *store, *experiment, *trial);
    send_json(response, json.take());
  });
  auto read_only = [](const httplib::Request&, httplib::Response& response) {
    send_error(response, 405, "the tandem dashboard is read-only");
  };
  http.Post(".*", read_only);
  http.Put(".*", read_only);
  http.Patch(".*", read_only);
  http.Delete(".*", read_only);
  http.Options(".*", read_only);
  http.set_error_handler([](const httplib::Request&, httplib::Response& response) {
    if (response.status == 404 && response.body.empty())
      send_error(response, 404, std::string("not found; the dashboard serves ") + kRoutes);
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr thrown) {
        try {
          std::rethrow_exception(thrown);
        } catch (const Error& error) {
          send_error(response, 500, error.what());
        } catch (const std::exception& error) {
          send_error(response, 500, std::string("internal error: ") + error.what());
        }
      });
}

Dashboard::~Dashboard() = default;

int Dashboard::bind() {
  httplib::Server& http = server_->http;
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  int port = options_.port;
  if (port == 0) {
    port = http.bind_to_any_port(options_.host);
    if (port <= 0) throw Error("cannot listen on " + where);
  } else if (!http.bind_to_port(options_.host, port)) {
    throw Error("cannot listen on " + where + " (is the port in use? try --port 0 for any)");
  }
  return port;
}

void Dashboard::serve() { server_->http.listen_after_bind(); }

void Dashboard::stop() { server_->http.stop(); }

}  // namespace tandem
