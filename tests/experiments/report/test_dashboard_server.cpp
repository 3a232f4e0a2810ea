// The dashboard server (experiments/report/dashboard_server.hpp) over real HTTP: its routes serve
// the page and JSON of a real database, it refuses every write method and unknown path, and it
// shows trials a run commits after it started.
#include <doctest/doctest.h>
#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <thread>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "experiments/report/dashboard_server.hpp"
#include "tests/experiments/cli_harness.hpp"

namespace tandem {
namespace {

using testing::TempDir;

// A database with one experiment of `n` complete trials (and a name that must stay text).
void add_trials(const std::string& db, int n) {
  TrialStore store(db);
  auto experiment = store.find_experiment("<b>e</b>");
  const std::int64_t id =
      experiment ? experiment->id
                 : store.create_experiment(
                       "<b>e</b>",
                       "name: '<b>e</b>'\nspace: {name: nb201}\nstrategy: random\n"
                       "evaluators: [{name: synthetic}]\n"
                       "objectives: [{metric: score, direction: maximize}]\nbudget: {trials: 5}\n",
                       0);
  for (int i = 0; i < n; ++i) {
    TrialRecord trial = store.start_trial(id, "nb201", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "", "test");
    Metrics metrics;
    metrics.set("score", 0.1 * trial.number);
    store.finish_trial(trial.id, TrialResult::complete(metrics));
  }
}

struct RunningDashboard {
  explicit RunningDashboard(const std::string& db) : server(DashboardOptions{db, "127.0.0.1", 0, {}}) {
    port = server.bind();
    thread = std::thread([this] { server.serve(); });
  }
  ~RunningDashboard() {
    server.stop();
    thread.join();
  }
  Dashboard server;
  int port = 0;
  std::thread thread;
};

}  // namespace

TEST_CASE("dashboard: serves the page and the JSON routes, live, and nothing else") {
  TempDir dir;
  const std::string db = dir.file("live.db");
  add_trials(db, 3);
  RunningDashboard dashboard(db);
  httplib::Client client("127.0.0.1", dashboard.port);

  auto page = client.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Type").find("text/html") == 0);
  CHECK(page->body.find("\"live\":{\"poll_ms\":2000}") != std::string::npos);
  CHECK(page->get_header_value("Content-Security-Policy").find("connect-src 'self'") !=
        std::string::npos);

  auto overview = client.Get("/api/experiments");
  REQUIRE(overview);
  CHECK(overview->status == 200);
  CHECK(overview->body.find("<b>") == std::string::npos);  // escaped as \u003c
  YAML::Node experiments = YAML::Load(overview->body);
  REQUIRE(experiments.size() == 1);
  CHECK(experiments[0]["name"].as<std::string>() == "<b>e</b>");
  CHECK(experiments[0]["trial_count"].as<int>() == 3);
  CHECK(experiments[0]["best"]["score"].as<double>() == doctest::Approx(0.2));

  // A run commits more trials while the dashboard is up: the next poll sees them.
  add_trials(db, 2);
  experiments = YAML::Load(client.Get("/api/experiments")->body);
  CHECK(experiments[0]["trial_count"].as<int>() == 5);
  const std::string id = experiments[0]["id"].as<std::string>();
  auto experiment = client.Get("/api/experiment/" + id);
  REQUIRE(experiment);
  CHECK(YAML::Load(experiment->body)["trials"]["number"].size() == 5);
  auto trial = client.Get("/api/trial/" + id + "/4");
  REQUIRE(trial);
  CHECK(trial->status == 200);
  CHECK(YAML::Load(trial->body)["values"]["score"].as<double>() == doctest::Approx(0.4));
  CHECK(YAML::Load(trial->body)["cells"][0]["edges"].size() == 6);

  CHECK(client.Get("/api/trial/" + id + "/99")->status == 404);
  CHECK(client.Get("/api/experiment/12345")->status == 404);
  CHECK(client.Get("/etc/passwd")->status == 404);
  CHECK(client.Get("/../live.db")->status == 404);
  CHECK(client.Post("/api/experiments", "x", "text/plain")->status == 405);
  CHECK(client.Put("/", "x", "text/plain")->status == 405);
  CHECK(client.Delete("/api/experiment/" + id)->status == 405);
  // The file was never written by the dashboard: still 5 trials, nothing added.
  TrialStore check(db, TrialStore::Mode::read_only);
  CHECK(check.trials(check.experiments()[0].id).size() == 5);
}

TEST_CASE("dashboard: a missing or non-tandem database is one clear error before listening") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(Dashboard(DashboardOptions{dir.file("missing.db"), "127.0.0.1", 0, {}}),
                       doctest::Contains("missing.db: no such file"), tandem::Error);
  const std::string text = dir.write("text.db", "hello");
  CHECK_THROWS_AS(Dashboard(DashboardOptions{text, "127.0.0.1", 0, {}}), tandem::Error);
}

}  // namespace tandem
