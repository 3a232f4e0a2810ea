// `tandem trials DB --pareto ...` and `--summary` on a hand-made experiment whose front and
// hypervolume are computed by hand.
#include <doctest/doctest.h>

#include <algorithm>

#include "db/trial_store.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// Trials (accuracy max, latency min): #0 (90, 4), #1 (80, 2), #2 (85, 5) dominated by #0,
// #3 (95, 8), #4 infeasible (99, 1), #5 failed.
std::string make_database(const TempDir& dir) {
  const std::string db = dir.file("front.db");
  TrialStore store(db);
  const std::string config =
      "name: front\nspace: {name: nb201}\nstrategy: random\nevaluators: [{name: graph_stats}]\n"
      "objectives:\n  - {metric: accuracy, direction: maximize}\n"
      "  - {metric: latency_ms, direction: minimize}\nbudget: {trials: 6}\n";
  const auto id = store.create_experiment("front", config, 0);
  const double values[][2] = {{90, 4}, {80, 2}, {85, 5}, {95, 8}, {99, 1}};
  for (int i = 0; i < 6; ++i) {
    auto trial = store.start_trial(id, "nb201", "cell" + std::to_string(i), "", "test");
    Metrics m;
    if (i < 5) {
      m.set("accuracy", values[i][0]);
      m.set("latency_ms", values[i][1]);
    }
    TrialResult result = TrialResult::complete(m);
    if (i == 4) result = TrialResult::infeasible("constraint 'area <= 1' violated: area = 2", m);
    if (i == 5) result = TrialResult::failed("diverged");
    store.finish_trial(trial.id, result);
  }
  return db;
}

}  // namespace

TEST_CASE("trials --pareto prints the non-dominated complete trials") {
  TempDir dir;
  const std::string db = make_database(dir);
  auto result = run_tandem("trials '" + db + "' --pareto accuracy:max,latency_ms:min --format csv");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  auto lines = result.lines();
  REQUIRE(lines.size() == 4);  // header + #3, #0, #1 (best accuracy first)
  CHECK(lines[1].rfind("3,COMPLETE", 0) == 0);
  CHECK(lines[2].rfind("0,COMPLETE", 0) == 0);
  CHECK(lines[3].rfind("1,COMPLETE", 0) == 0);
  auto bad = run_tandem("trials '" + db + "' --pareto accuracy:max,latency_ms");
  CHECK(bad.exit_code == 1);
  CHECK(bad.output.find("item 'latency_ms' needs a metric and its direction") != std::string::npos);
}

TEST_CASE("trials --summary prints the hypervolume with a given or the worst observed reference") {
  TempDir dir;
  const std::string db = make_database(dir);
  // Reference (accuracy 70, latency 10): minimised points (-90,4) (-80,2) (-85,5) (-95,8), ref
  // (-70,10). Staircase by latency: latency 2..4 width 10 (80-70), 4..8 width 20, 8..10 width 25:
  // 2*10 + 4*20 + 2*25 = 150.
  auto given = run_tandem("trials '" + db + "' --summary --reference 70,10 --format csv");
  REQUIRE_MESSAGE(given.exit_code == 0, given.output);
  CHECK(given.output.find("hypervolume,150\n") != std::string::npos);
  CHECK(given.output.find("pareto front,3 trials") != std::string::npos);
  CHECK(given.output.find("infeasible,1") != std::string::npos);
  // Worst observed: accuracy 80, latency 8 -> latency 2..4 width 0 (80-80), 4..8 width 10: 40.
  auto worst = run_tandem("trials '" + db + "' --summary --format csv");
  REQUIRE_MESSAGE(worst.exit_code == 0, worst.output);
  CHECK(worst.output.find("hypervolume,40\n") != std::string::npos);
  CHECK(worst.output.find("80,8 (worst observed)") != std::string::npos);
}

TEST_CASE("trials --summary takes the reference point from the config's objectives") {
  TempDir dir;
  const std::string db = dir.file("ref.db");
  {
    TrialStore store(db);
    // Same front as above with the reference (70, 10) given in the config: hypervolume 150.
    const std::string config =
        "name: ref\nspace: {name: nb201}\nstrategy: random\nevaluators: [{name: graph_stats}]\n"
        "objectives:\n  - {metric: accuracy, direction: maximize, reference: 70}\n"
        "  - {metric: latency_ms, direction: minimize, reference: 10}\nbudget: {trials: 4}\n";
    const auto id = store.create_experiment("ref", config, 0);
    const double values[][2] = {{90, 4}, {80, 2}, {85, 5}, {95, 8}};
    for (const auto& v : values) {
      auto trial = store.start_trial(id, "nb201", "cell", "", "test");
      Metrics m;
      m.set("accuracy", v[0]);
      m.set("latency_ms", v[1]);
      store.finish_trial(trial.id, TrialResult::complete(m));
    }
  }
  auto summary = run_tandem("trials '" + db + "' --summary --format csv");
  REQUIRE_MESSAGE(summary.exit_code == 0, summary.output);
  CHECK(summary.output.find("hypervolume,150\n") != std::string::npos);
}

TEST_CASE("a multi-objective run stores its hypervolume with the experiment") {
  TempDir dir;
  const std::string config = dir.write(
      "mo.yaml",
      "name: mo\nseed: 4\nspace: {name: nb201}\nstrategy: random\n"
      "evaluators:\n  - name: table\n    options:\n      path: " + source_dir() +
          "/data/nas-bench-201/nb201_accuracy_cost.csv\n"
          "      metrics: [c10valid_val_acc_12ep, flops_M_c10]\n"
          "objectives:\n  - {metric: c10valid_val_acc_12ep, direction: maximize, reference: 0}\n"
          "  - {metric: flops_M_c10, direction: minimize, reference: 300}\n"
          "budget: {trials: 25}\n");
  const std::string db = dir.file("mo.db");
  auto run = run_tandem("run '" + config + "' --db '" + db + "' --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);

  TrialStore store(db, TrialStore::Mode::read_only);
  auto experiment = store.find_experiment("mo");
  REQUIRE(experiment);
  // Independent 2-D hypervolume: sort by FLOPs ascending, sweep keeping the best accuracy so
  // far; each point adds (accuracy - best so far) x (300 - flops).
  std::vector<std::pair<double, double>> points;  // (flops, accuracy)
  for (const auto& t : store.trials(experiment->id))
    if (t.state == TrialStatus::complete)
      points.emplace_back(t.values.at("flops_M_c10"), t.values.at("c10valid_val_acc_12ep"));
  std::sort(points.begin(), points.end());
  double volume = 0, best_accuracy = 0;
  for (const auto& [flops, accuracy] : points) {
    if (accuracy > best_accuracy && flops < 300) {
      volume += (accuracy - best_accuracy) * (300 - flops);
      best_accuracy = accuracy;
    }
  }
  auto stored = store.experiment_value(experiment->id, "hypervolume");
  REQUIRE(stored);
  CHECK(*stored == doctest::Approx(volume).epsilon(1e-12));
  CHECK(volume > 0);
}
