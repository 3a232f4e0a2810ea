// The CLI's read commands on a real run: trials (table/csv/json, sort, top), query, show, spaces.
#include <doctest/doctest.h>

#include "tests/experiments/cli_harness.hpp"

using namespace tandem::testing;

namespace {

struct RunFixture {
  TempDir dir;
  std::string db = dir.file("results.db");
  RunFixture() {
    std::string config = dir.write(
        "exp.yaml",
        "name: cli-check\nseed: 3\n"
        "space: {name: nb201, options: {width: 4, cells_per_stage: 1}}\n"
        "strategy: {name: random}\n"
        "evaluators: [{name: graph_stats}]\n"
        "objectives: [{metric: macs, direction: minimize}]\n"
        "constraints: [\"params >= 2000\"]\n"
        "budget: {trials: 40}\n");
    auto result = run_tandem("run '" + config + "' --db '" + db + "'");
    REQUIRE_MESSAGE(result.exit_code == 0, result.output);
    run_output = result.output;
  }
  std::string run_output;
};

}  // namespace

TEST_CASE("run prints progress and the best trials - trials lists every trial") {
  RunFixture f;
  CHECK(f.run_output.find("[40/40]") != std::string::npos);
  CHECK(f.run_output.find("best trials by macs:min") != std::string::npos);
  auto csv = run_tandem("trials '" + f.db + "' --format csv");
  REQUIRE(csv.exit_code == 0);
  auto lines = csv.lines();
  REQUIRE(lines.size() == 41);
  CHECK(lines[0].rfind("number,state,layers,macs,params,candidate", 0) == 0);
}

TEST_CASE("trials --sort/--top orders by the metric - infeasible trials carry their reason") {
  RunFixture f;
  auto top = run_tandem("trials '" + f.db + "' --sort macs:min --top 5 --format csv");
  REQUIRE(top.exit_code == 0);
  auto lines = top.lines();
  REQUIRE(lines.size() == 6);
  double previous = -1;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto fields = lines[i];
    auto first = fields.find(',');
    auto second = fields.find(',', first + 1);
    CHECK(fields.substr(first + 1, second - first - 1) == "COMPLETE");
    double macs = std::stod(fields.substr(fields.find(',', second + 1) + 1));
    CHECK(macs >= previous);
    previous = macs;
  }
  auto infeasible = run_tandem(
      "query '" + f.db + "' \"SELECT COUNT(*) FROM trials WHERE state = 'INFEASIBLE' AND reason "
      "LIKE 'constraint ''params >= 2000'' violated: params = %'\" --format csv");
  REQUIRE(infeasible.exit_code == 0);
  auto count_lines = infeasible.lines();
  REQUIRE(count_lines.size() == 2);
  // Cells whose output node is cut off (all-none inputs) have only stem + head params < 2000.
  CHECK(std::stoi(count_lines[1]) >= 0);
}

TEST_CASE("the run records a heartbeat of its worker (host:pid) and every trial's worker") {
  RunFixture f;
  auto heartbeat = run_tandem("query '" + f.db +
                              "' \"SELECT COUNT(*) FROM heartbeats h JOIN trials t ON t.worker = "
                              "h.worker WHERE h.worker LIKE '%:%'\" --format csv");
  REQUIRE(heartbeat.exit_code == 0);
  CHECK(std::stoi(heartbeat.lines().at(1)) == 40);
}

TEST_CASE("trials --format json is an array of objects") {
  RunFixture f;
  auto json = run_tandem("trials '" + f.db + "' --top 2 --format json");
  REQUIRE(json.exit_code == 0);
  CHECK(json.output.front() == '[');
  CHECK(json.output.find("\"number\": ") != std::string::npos);
  CHECK(json.output.find("\"macs\": ") != std::string::npos);
  CHECK(json.output.find("\"state\": \"COMPLETE\"") != std::string::npos);
}

TEST_CASE("show prints the candidate and a per-layer table whose totals match the metrics") {
  RunFixture f;
  auto text = run_tandem("show '" + f.db + "' 0");
  REQUIRE_MESSAGE(text.exit_code == 0, text.output);
  CHECK(text.output.find("candidate:  |") != std::string::npos);
  // --format csv is the layer table alone, readable by any CSV reader.
  auto show = run_tandem("show '" + f.db + "' 0 --format csv");
  REQUIRE_MESSAGE(show.exit_code == 0, show.output);
  CHECK(show.output.rfind("layer,op,attributes,inputs,input_shape,output_shape,macs,params\n", 0) == 0);
  auto macs_query = run_tandem("query '" + f.db +
                               "' \"SELECT CAST(value AS INTEGER) FROM trial_values v JOIN trials t "
                               "ON t.id = v.trial_id WHERE t.number = 0 AND v.name = 'macs'\" "
                               "--format csv");
  REQUIRE(macs_query.exit_code == 0);
  std::string macs = macs_query.lines().at(1);
  CHECK(show.output.find("\ntotal,,,,,," + macs + ",") != std::string::npos);
}

TEST_CASE("show --format json is one JSON object and nothing else") {
  RunFixture f;
  auto json = run_tandem("show '" + f.db + "' 1 --format json", /*stderr_only=*/false);
  REQUIRE_MESSAGE(json.exit_code == 0, json.output);
  REQUIRE(json.lines().size() == 1);
  CHECK(json.output.front() == '{');
  CHECK(json.output.find("\"number\":1,") != std::string::npos);
  CHECK(json.output.find("\"layers\":[{\"layer\":\"input\"") != std::string::npos);
  CHECK(json.output.find("\"layer\":\"total\"") != std::string::npos);
}

TEST_CASE("trials --sort or --pareto with a metric no trial has is an error naming the metrics") {
  RunFixture f;
  auto sort = run_tandem("trials '" + f.db + "' --sort mac");
  CHECK(sort.exit_code == 1);
  REQUIRE(sort.lines().size() == 1);
  CHECK(sort.output.find("--sort: no trial has metric 'mac' (did you mean 'macs'?); metrics: ") !=
        std::string::npos);
  auto pareto = run_tandem("trials '" + f.db + "' --pareto macs:min,parms:max");
  CHECK(pareto.exit_code == 1);
  CHECK(pareto.output.find("--pareto: no trial has metric 'parms'") != std::string::npos);
}

TEST_CASE("spaces NAME --arch with a bad candidate prints the error alone") {
  auto bad = run_tandem("spaces nb201 --arch '|nor_conv_3x3~0|+|bad~0|'");
  CHECK(bad.exit_code == 1);
  REQUIRE(bad.lines().size() == 1);
  CHECK(bad.output.rfind("tandem spaces: error: nb201 candidate", 0) == 0);
}

TEST_CASE("spaces lists the registered spaces and describes one") {
  auto list = run_tandem("spaces");
  REQUIRE(list.exit_code == 0);
  CHECK(list.output.find("nb201") != std::string::npos);
  CHECK(list.output.find("darts") != std::string::npos);
  auto nb201 = run_tandem("spaces nb201");
  REQUIRE(nb201.exit_code == 0);
  CHECK(nb201.output.find("size: 15625 candidates, 6 decisions") != std::string::npos);
  auto best = run_tandem(
      "spaces nb201 --layers --arch "
      "'|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'");
  REQUIRE(best.exit_code == 0);
  // NAS-Bench-201 table row 9930 (CIFAR-10 test accuracy 94.36): 1.288506 M params,
  // 184.730250 M FLOPs (data/nas-bench-201/nb201_accuracy_cost.csv); the table's FLOPs add one
  // per class (10) for the classifier bias, which MACs do not count.
  CHECK(best.output.find("1288506 params") != std::string::npos);
  CHECK(best.output.find("184730240 MACs") != std::string::npos);
}
