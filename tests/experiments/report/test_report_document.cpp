// The report document (experiments/report/report_document.hpp) of a real co-design run, read back
// with yaml-cpp (JSON is YAML) and checked against independent truth: the Pareto front by brute
// force, counts per state, per-layer energies summing to the trial's stored energy, the table
// optimum read from the CSV by hand, and strings that cannot close the page's <script> element.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "core/csv_reader.hpp"
#include "db/trial_store.hpp"
#include "experiments/report/json_writer.hpp"
#include "experiments/report/report_document.hpp"
#include "experiments/report/report_page.hpp"
#include "tests/experiments/cli_harness.hpp"

namespace tandem {
namespace {

using testing::TempDir;
using testing::run_tandem;
using testing::shell_quote;
using testing::source_dir;

// A co-design run whose experiment name and trials give every view something to show.
std::string codesign_database(const TempDir& dir, const std::string& name, int trials) {
  const std::string config = dir.write(
      "codesign.yaml",
      "name: '" + name + "'\nseed: 3\nspace:\n  name: joint\n  options:\n"
      "    network: {space: nb201}\n"
      "    accelerator: {space: systolic_hw, options: {rows: [8, 16, 32, 64], cols: [8, 16, 32, 64],"
      " fixed: {frequency_mhz: 500, energy_table: accelergy_45nm}}}\n"
      "strategy: random\nevaluators:\n  - name: table\n    options:\n      path: " +
          source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv\n"
          "      metrics: [c10valid_val_acc_12ep]\n  - name: hw\n"
          "objectives:\n  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
          "  - {metric: latency_ms, direction: minimize}\n"
          "constraints: ['area_mm2 <= 2']\nbudget: {trials: " + std::to_string(trials) + "}\n");
  const std::string db = dir.file("codesign.db");
  auto run = run_tandem("run " + shell_quote(config) + " --db " + shell_quote(db) + " --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  return db;
}

bool dominates(double acc_a, double lat_a, double acc_b, double lat_b) {
  return acc_a >= acc_b && lat_a <= lat_b && (acc_a > acc_b || lat_a < lat_b);
}

}  // namespace

TEST_CASE("report json: strings cannot end a <script> element and non-finite numbers are strings") {
  CHECK(json_quote("</script><b>&\"\\\n") ==
        "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\\"\\\\\\n\"");
  CHECK(json_quote("a\xE2\x80\xA8" "b") == "\"a\\u2028b\"");  // U+2028 ends a JS line
  CHECK(json_quote("edge 1<-0 & \x01", /*html_safe=*/false) == "\"edge 1<-0 & \\u0001\"");  // CLI
  JsonWriter json;
  json.begin_object().key("x").begin_array().value(1.5).value(NAN).value(-INFINITY).null()
      .end_array().key("n").value(std::int64_t{7}).end_object();
  CHECK(json.take() == "{\"x\":[1.5,\"nan\",\"-inf\",null],\"n\":7}");
  CHECK(html_escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
}

TEST_CASE("report document: counts, front, best, optimum and per-layer costs of a co-design run") {
  TempDir dir;
  const std::string name = "codesign <script>alert(1)</script>";
  const std::string db = codesign_database(dir, name, 60);
  TrialStore store(db, TrialStore::Mode::read_only);
  const std::string text = report_document(store, "codesign.db", {}, ReportOptions{}, false);
  CHECK(text.find("<script>") == std::string::npos);  // the page's data element stays closed
  const YAML::Node document = YAML::Load(text);
  REQUIRE(document["experiments"].size() == 1);
  const YAML::Node experiment = document["experiments"][0];
  CHECK(experiment["name"].as<std::string>() == name);

  // Independent truth from the stored records.
  const auto stored = store.trials(store.find_experiment(name)->id);
  std::map<std::string, int> counts;
  for (const auto& trial : stored) ++counts[to_string(trial.state)];
  for (const auto& [state, count] : counts)
    CHECK(experiment["counts"][state].as<int>() == count);
  CHECK(experiment["trial_count"].as<int>() == 60);
  std::set<int> front;  // brute force: complete trials no other complete trial dominates
  double best_accuracy = -1;
  for (const auto& a : stored) {
    if (a.state != TrialStatus::complete) continue;
    const double acc = a.values.at("c10valid_val_acc_12ep"), lat = a.values.at("latency_ms");
    best_accuracy = std::max(best_accuracy, acc);
    bool dominated = false;
    for (const auto& b : stored)
      if (b.state == TrialStatus::complete &&
          dominates(b.values.at("c10valid_val_acc_12ep"), b.values.at("latency_ms"), acc, lat))
        dominated = true;
    if (!dominated) front.insert(a.number);
  }
  std::set<int> reported;
  for (const auto& number : experiment["front"]) reported.insert(number.as<int>());
  CHECK(reported == front);
  CHECK(experiment["best"]["c10valid_val_acc_12ep"].as<double>() == best_accuracy);

  // The table optimum: the largest c10valid_val_acc_12ep in the CSV, read here.
  CsvTable table = CsvTable::read(source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv");
  const std::size_t column = table.require_column("c10valid_val_acc_12ep");
  double optimum = -1;
  for (std::size_t r = 0; r < table.rows(); ++r)
    optimum = std::max(optimum, std::stod(table.row(r)[column]));
  CHECK(experiment["optimum"]["c10valid_val_acc_12ep"].as<double>() == optimum);

  // Trial pages exist for every front trial; their stacked bars add up to the stored energy.
  const YAML::Node details = experiment["details"];
  for (int number : front) {
    const YAML::Node detail = details[std::to_string(number)];
    REQUIRE_MESSAGE(detail, "no page for front trial ", number);
    REQUIRE(detail["cost"].IsMap());
    double picojoules = 0;
    for (const auto& layer : detail["cost"]["layers"])
      for (const char* component : {"mac", "rf", "noc", "sram", "dram"})
        picojoules += layer["energy_pj"][component].as<double>();
    CHECK(picojoules * 1e-9 ==
          doctest::Approx(stored[static_cast<std::size_t>(number)].values.at("energy_mj")));
    CHECK(detail["cells"][0]["edges"].size() == 6);
    CHECK(detail["layers"].size() > 10);
  }
  // The hypervolume history ends at the stored hypervolume.
  const YAML::Node history = experiment["hypervolume_history"];
  REQUIRE(history.size() > 0);
  CHECK(history[history.size() - 1][1].as<double>() ==
        doctest::Approx(experiment["hypervolume"].as<double>()));
}

TEST_CASE("tandem report: one self-contained page, and a missing database or experiment is one line") {
  TempDir dir;
  const std::string db = codesign_database(dir, "small", 12);
  const std::string page = dir.file("report.html");
  auto made = run_tandem("report " + shell_quote(db) + " -o " + shell_quote(page));
  REQUIRE_MESSAGE(made.exit_code == 0, made.output);
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(html.find("<script id=\"tandem-data\" type=\"application/json\">") != std::string::npos);
  CHECK(html.find("{{") == std::string::npos);          // every placeholder filled
  CHECK(html.find("src=\"http") == std::string::npos);  // nothing fetched from the network
  CHECK(html.find("href=\"http") == std::string::npos);

  auto missing = run_tandem("report " + shell_quote(dir.file("nope.db")) + " -o x.html");
  CHECK(missing.exit_code == 1);
  CHECK(missing.lines().size() == 1);
  CHECK(missing.output.find("nope.db: no such file") != std::string::npos);
  auto unknown = run_tandem("report " + shell_quote(db) + " --experiment smal -o " +
                            shell_quote(dir.file("y.html")));
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.output.find("no experiment 'smal'") != std::string::npos);
  CHECK(unknown.output.find("did you mean 'small'") != std::string::npos);
  CHECK(!std::filesystem::exists(dir.file("y.html")));
  auto no_output = run_tandem("report " + shell_quote(db));
  CHECK(no_output.exit_code == 1);
  CHECK(no_output.output == "tandem report: error: missing -o/--output: the HTML file to write\n");
  auto unwritable = run_tandem("report " + shell_quote(db) + " -o " +
                               shell_quote(dir.file("no/such/folder/r.html")));
  CHECK(unwritable.exit_code == 1);
  CHECK(unwritable.lines().size() == 1);
  CHECK(unwritable.output.find("no/such/folder/r.html: cannot write") != std::string::npos);
  auto dashboard = run_tandem("dashboard " + shell_quote(dir.file("nope.db")));
  CHECK(dashboard.exit_code == 1);
  CHECK(dashboard.output == "tandem dashboard: error: " + dir.file("nope.db") +
                                ": no such file (give a database written by tandem run)\n");
  auto port = run_tandem("dashboard " + shell_quote(db) + " --port 70000");
  CHECK(port.exit_code == 1);
  CHECK(port.output.find("--port 70000: expected an integer in [0, 65535]") != std::string::npos);
  auto host = run_tandem("dashboard " + shell_quote(db) + " --host 256.1.1.1 --port 0");
  CHECK(host.exit_code == 1);
  CHECK(host.output == "tandem dashboard: error: cannot listen on 256.1.1.1:0\n");
    const std::string text_file = dir.write("notes.db", "not a database");
  auto foreign = run_tandem("report " + shell_quote(text_file) + " -o " + shell_quote(dir.file("z.html")));
  CHECK(foreign.exit_code == 1);
  CHECK(foreign.lines().size() == 1);
}

}  // namespace tandem

namespace tandem {

TEST_CASE("report document: a weight-sharing search's alpha values become its trajectory") {
  TempDir dir;
  const std::string db = dir.file("ws.db");
  {
    TrialStore store(db);
    const std::int64_t id = store.create_experiment(
        "ws",
        "name: ws\nspace: {name: nb201}\nstrategy: random\nevaluators: [{name: synthetic}]\n"
        "objectives: [{metric: score, direction: maximize}]\nbudget: {trials: 1}\n",
        0);
    TrialRecord trial = store.start_trial(id, "nb201", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "", "t");
    for (int epoch = 1; epoch <= 3; ++epoch) {
      Metrics values;
      values.set("alpha/1<-0/none", 0.1 * epoch);
      values.set("alpha/1<-0/skip_connect", 1.0 - 0.1 * epoch);
      values.set("alpha/normal/2<-0/sep_conv_3x3", 0.5);  // a DARTS key holds a slash itself
      values.set("search/val_accuracy", 50.0 + epoch);
      store.log_intermediate(trial.id, epoch, values);
    }
    Metrics final_values;
    final_values.set("score", 1.0);
    store.finish_trial(trial.id, TrialResult::complete(final_values));
  }
  TrialStore store(db, TrialStore::Mode::read_only);
  const YAML::Node experiment =
      YAML::Load(report_document(store, "ws.db", {}, ReportOptions{}, false))["experiments"][0];
  const YAML::Node trajectory = experiment["search_trajectory"];
  REQUIRE(trajectory.IsMap());
  CHECK(trajectory["trial"].as<int>() == 0);
  CHECK(trajectory["edges"].size() == 2);
  const YAML::Node none = trajectory["edges"]["1<-0"]["none"];
  REQUIRE(none.size() == 3);
  CHECK(none[2][0].as<int>() == 3);
  CHECK(none[2][1].as<double>() == doctest::Approx(0.3));
  CHECK(trajectory["edges"]["normal/2<-0"]["sep_conv_3x3"].size() == 3);
  // The curves keep the other values and leave the alpha values to the trajectory.
  const YAML::Node curves = experiment["intermediate"]["0"];
  CHECK(curves["search/val_accuracy"].size() == 3);
  CHECK(!curves["alpha/1<-0/none"]);
}

}  // namespace tandem
