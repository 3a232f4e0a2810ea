// The exact front against its definition: the sweep filter against the O(n^2) definition of
// non-domination, and tandem bench front's front of a reduced NB201 x systolic space against every
// pair evaluated one by one by the experiment's own evaluators (Experiment::evaluate): each front
// point is attained, no evaluated pair dominates a front point, and every evaluated pair is
// dominated by or equal to a front point.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>

#include "core/rng.hpp"
#include "experiments/benchmark/exact_front.hpp"
#include "experiments/benchmark/front_file.hpp"
#include "experiments/benchmark/front_sweep.hpp"
#include "spaces/joint_space.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// Points on a coarse grid so ties and identical vectors are common.
std::vector<FrontPoint> grid_points(int k, std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<FrontPoint> points(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (int j = 0; j < k; ++j) points[i].v[static_cast<std::size_t>(j)] = static_cast<double>(rng.uniform_int(0, 7));
    points[i].network = static_cast<std::uint32_t>(i);
  }
  return points;
}

bool dominated_by(const FrontPoint& p, const FrontPoint& q, int k) {
  bool strictly = false;
  for (int j = 0; j < k; ++j) {
    if (q.v[static_cast<std::size_t>(j)] > p.v[static_cast<std::size_t>(j)]) return false;
    strictly = strictly || q.v[static_cast<std::size_t>(j)] < p.v[static_cast<std::size_t>(j)];
  }
  return strictly;
}

std::string reduced_config(const std::string& objectives, const std::string& constraints) {
  return "name: front-test\n"
         "space:\n"
         "  name: joint\n"
         "  options:\n"
         "    network: {space: nb201}\n"
         "    accelerator:\n"
         "      space: systolic_hw\n"
         "      options:\n"
         "        rows: [8, 64]\n"
         "        cols: [16]\n"
         "        dataflow: [os]\n"
         "        ifmap_sram_kb: [32]\n"
         "        filter_sram_kb: [32]\n"
         "        ofmap_sram_kb: [32]\n"
         "        dram_bytes_per_cycle: [16]\n"
         "        fixed: {frequency_mhz: 500, energy_table: accelergy_45nm}\n"
         "strategy: {name: random}\n"
         "evaluators:\n"
         "  - name: table\n"
         "    options:\n"
         "      path: " + source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv\n"
         "      metrics: [c10valid_val_acc_12ep, flops_M_c10]\n"
         "  - name: hw\n"
         "objectives:\n" + objectives + "constraints: " + constraints + "\n"
         "budget: {trials: 10}\n";
}

}  // namespace

TEST_CASE("front sweep keeps exactly the points no other point dominates (2, 3 and 4 objectives)") {
  for (int k = 2; k <= 4; ++k) {
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
      std::vector<FrontPoint> points = grid_points(k, 400, seed * 10 + static_cast<std::uint64_t>(k));
      std::vector<std::uint32_t> expected;
      for (const auto& p : points) {
        bool dominated = false;
        for (const auto& q : points) dominated = dominated || dominated_by(p, q, k);
        if (!dominated) expected.push_back(p.network);
      }
      keep_non_dominated(points, k);
      std::vector<std::uint32_t> kept;
      for (const auto& p : points) kept.push_back(p.network);
      std::sort(kept.begin(), kept.end());
      CHECK(kept == expected);
      CHECK(!expected.empty());
    }
  }
}

TEST_CASE("bench front of a reduced nb201 x systolic space equals the front of every pair evaluated") {
  const std::string two =
      "  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
      "  - {metric: latency_ms, direction: minimize}\n";
  const std::string three = two + "  - {metric: energy_mj, direction: minimize}\n";
  const std::string constraints =
      "[\"area_mm2 <= 0.9\", \"latency_ms <= 1.5\", \"flops_M_c10 >= 50\"]";
  TempDir dir;
  // Every pair, one by one, as a run evaluates it (the objectives do not change the statuses).
  ExperimentConfig config = ExperimentConfig::load(dir.write("all.yaml", reduced_config(three, constraints)));
  Experiment experiment(config);
  const auto& joint = dynamic_cast<const JointSpace&>(experiment.space());
  const std::vector<Candidate> networks = enumerate_space(joint.network(), 1e6);
  const std::vector<Candidate> accelerators = enumerate_space(joint.accelerator(), 1e6);
  REQUIRE(networks.size() == 15625);
  REQUIRE(accelerators.size() == 2);
  std::vector<std::pair<std::string, TrialResult>> complete;
  std::size_t statuses[3] = {0, 0, 0};
  for (const auto& network : networks)
    for (const auto& accelerator : accelerators) {
      const Candidate candidate = joint.combine(network, accelerator);
      NullReporter reporter;
      TrialResult result = experiment.evaluate(candidate, reporter);
      ++statuses[result.status == TrialStatus::complete ? 0 : result.status == TrialStatus::infeasible ? 1 : 2];
      if (result.status == TrialStatus::complete) complete.emplace_back(joint.to_string(candidate), result);
    }
  // Each constraint bites, and some pairs are kept.
  CHECK(statuses[0] > 1000);
  CHECK(statuses[1] > 1000);

  // Equal up to the evaluators' floating-point summation order.
  auto close = [](double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b)); };
  auto dominates_clearly = [&](const ObjectiveVector& a, const ObjectiveVector& b) {
    bool strictly = false;
    for (std::size_t j = 0; j < a.size(); ++j) {
      if (a[j] > b[j] && !close(a[j], b[j])) return false;
      strictly = strictly || (a[j] < b[j] && !close(a[j], b[j]));
    }
    return strictly;
  };
  auto same = [&](const ObjectiveVector& a, const ObjectiveVector& b) {
    for (std::size_t j = 0; j < a.size(); ++j)
      if (!close(a[j], b[j])) return false;
    return true;
  };
  for (const std::string& objectives : {two, three}) {
    CAPTURE(objectives);
    ExperimentConfig each = ExperimentConfig::load(dir.write("front.yaml", reduced_config(objectives, constraints)));
    Experiment front_experiment(each);
    const ExactFront front = compute_exact_front(front_experiment, ExactFrontOptions{1});
    CHECK(front.pairs == 31250);
    CHECK(front.complete_pairs == static_cast<double>(complete.size()));
    REQUIRE(!front.points.empty());
    std::map<std::string, ObjectiveVector> measured;
    for (const auto& pair : complete)
      measured.emplace(pair.first, *minimised_objectives(pair.second, each.objectives));
    // Each front point is what its candidates measure, and no pair dominates it.
    for (std::size_t p = 0; p < front.points.size(); ++p) {
      for (const auto& text : front.candidates[p]) {
        REQUIRE(measured.count(text) == 1);
        CHECK(same(measured.at(text), front.points[p]));
      }
      std::size_t dominating = 0;
      for (const auto& pair : measured) dominating += dominates_clearly(pair.second, front.points[p]);
      CHECK(dominating == 0);
    }
    // Every pair is dominated by a front point or is one, and the front lists every such pair.
    std::size_t uncovered = 0, on_front = 0;
    for (const auto& pair : measured) {
      bool covered = false, equal = false;
      for (const auto& point : front.points) {
        covered = covered || dominates_clearly(point, pair.second);
        equal = equal || same(pair.second, point);
      }
      uncovered += !covered && !equal;
      on_front += equal;
    }
    CHECK(uncovered == 0);
    std::size_t listed = 0;
    for (const auto& candidates : front.candidates) listed += candidates.size();
    CHECK(listed == on_front);
  }
}

TEST_CASE("bench front writes its cache and refuses a cache of another config in one line") {
  TempDir dir;
  const std::string objectives =
      "  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
      "  - {metric: latency_ms, direction: minimize}\n";
  const std::string path = dir.write("a.yaml", reduced_config(objectives, "[\"area_mm2 <= 0.9\"]"));
  auto result = run_tandem("bench front " + shell_quote(path) + " --threads 1");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  CHECK(result.output.find("15625 networks x 2 accelerators") != std::string::npos);
  ExperimentConfig config = ExperimentConfig::load(path);
  const auto stored = read_front_file(dir.file("a.front.csv"), front_fingerprint(config));
  REQUIRE(stored.has_value());
  Experiment experiment(config);
  const ExactFront computed = compute_exact_front(experiment);
  CHECK(stored->points == computed.points);
  CHECK(stored->candidates == computed.candidates);

  const std::string other = dir.write("b.yaml", reduced_config(objectives, "[\"area_mm2 <= 1.5\"]"));
  ExperimentConfig other_config = ExperimentConfig::load(other);
  CHECK_THROWS_WITH(read_front_file(dir.file("a.front.csv"), front_fingerprint(other_config)),
                    doctest::Contains("the front of another config"));

  const std::string bad = dir.write(
      "c.yaml", reduced_config("  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
                               "  - {metric: utilization, direction: maximize}\n",
                               "[]"));
  auto refused = run_tandem("bench front " + shell_quote(bad));
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find("'utilization' of the hw evaluator is not a sum over layers") !=
        std::string::npos);
}

TEST_CASE("a damaged front file and bad bench search flags are one line naming the place") {
  TempDir dir;
  const std::string objectives =
      "  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
      "  - {metric: latency_ms, direction: minimize}\n";
  const std::string path = dir.write("a.yaml", reduced_config(objectives, "[\"area_mm2 <= 0.9\"]"));
  ExperimentConfig config = ExperimentConfig::load(path);
  Experiment experiment(config);
  const std::string front = dir.file("a.front.csv");
  write_front_file(front, compute_exact_front(experiment), front_fingerprint(config));
  // Replace the first row's latency by a word.
  std::ifstream in(front);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto header = text.find("point,candidate");
  const auto row_end = text.find('\n', text.find('\n', header) + 1);
  const auto last_comma = text.rfind(',', row_end);
  text.replace(last_comma + 1, row_end - last_comma - 1, "fast");
  dir.write("a.front.csv", text);
  int line = 1;
  for (std::size_t i = 0; i < last_comma; ++i) line += text[i] == '\n';
  CHECK_THROWS_WITH(read_front_file(front, front_fingerprint(config)),
                    (front + ":" + std::to_string(line) +
                     ": 'latency_ms' is 'fast', expected a number").c_str());

  auto reference = run_tandem("bench search " + shell_quote(path) + " --seeds 1 --budgets 5 --reference 80,abc");
  CHECK(reference.exit_code != 0);
  CHECK(reference.output.find("--reference '80,abc': 'abc' is not a number") != std::string::npos);
  auto both = run_tandem("bench search " + shell_quote(path) + " --front x.csv --no-front");
  CHECK(both.exit_code != 0);
  CHECK(both.output.find("give either --front or --no-front") != std::string::npos);
  auto given = run_tandem("bench search " + shell_quote(path) + " --seeds 1 --budgets 5 --front " +
                          shell_quote(front));
  CHECK(given.exit_code != 0);
  CHECK(given.output.find("expected a number") != std::string::npos);
}
