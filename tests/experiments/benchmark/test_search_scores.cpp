// The search benchmark's scores against independent truth: Student-t quantiles from published
// tables, random search's expected best against every ordered sequence of draws, reference points
// and recovered fractions of hand-made fronts, and `tandem bench search` end to end (its cached
// exact front, its columns, the random-search oracle at budget 1 = the table's mean).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <functional>

#include "core/csv_reader.hpp"
#include "core/text.hpp"
#include "experiments/benchmark/search_scores.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

TEST_CASE("student t 0.975 quantiles match the published table") {
  // Two-sided 95 % critical values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
  const std::vector<std::pair<std::size_t, double>> table = {
      {1, 12.706}, {2, 4.303}, {4, 2.776}, {9, 2.262}, {19, 2.093}, {29, 2.045}, {99, 1.984}};
  for (const auto& entry : table) {
    CAPTURE(entry.first);
    CHECK(student_t_975(entry.first) == doctest::Approx(entry.second).epsilon(5e-4));
  }
  const SeedSummary summary = summarize({1, 2, 3, 4, 5});
  CHECK(summary.mean == doctest::Approx(3));
  CHECK(summary.std == doctest::Approx(std::sqrt(2.5)));
  CHECK(summary.high - summary.mean == doctest::Approx(2.776 * std::sqrt(2.5) / std::sqrt(5.0)).epsilon(1e-3));
}

TEST_CASE("random search's exact expected best equals the average over every sequence of draws") {
  // Fitness ties (two 5s with different truths) and a candidate without fitness.
  const std::vector<SpaceValue> space = {
      {1.0, 10.0}, {5.0, 20.0}, {5.0, 40.0}, {3.0, 30.0}, {std::nullopt, 0.0}};
  for (long long budget = 1; budget <= 4; ++budget) {
    CAPTURE(budget);
    // Enumerate all 5^budget ordered draws; the first draw of the best fitness wins.
    double total = 0, counted = 0;
    std::vector<std::size_t> draw(static_cast<std::size_t>(budget), 0);
    std::function<void(std::size_t)> visit = [&](std::size_t position) {
      if (position == draw.size()) {
        const SpaceValue* best = nullptr;
        for (std::size_t i : draw)
          if (space[i].fitness && (!best || *space[i].fitness > *best->fitness)) best = &space[i];
        if (best) {
          total += best->truth;
          counted += 1;
        }
        return;
      }
      for (std::size_t i = 0; i < space.size(); ++i) {
        draw[position] = i;
        visit(position + 1);
      }
    };
    visit(0);
    CHECK(random_search_expected_truth(space, budget) == doctest::Approx(total / counted).epsilon(1e-12));
  }
}

TEST_CASE("front reference point and recovered fraction on a hand-made front") {
  ExactFront front;
  front.objectives = {Objective{"accuracy", false}, Objective{"latency_ms", true}};
  front.points = {{-90, 1.0}, {-85, 0.7}, {-80, 0.5}};  // minimised: accuracy negated
  front.candidates = {{"a"}, {"b"}, {"c"}};
  const ObjectiveVector reference = front_reference_point(front);
  REQUIRE(reference.size() == 2);
  CHECK(reference[0] == doctest::Approx(-80 + 0.1 * 10));
  CHECK(reference[1] == doctest::Approx(1.0 + 0.1 * 0.5));
  // Volume by hand: slabs between the reference and each point (minimisation).
  const double by_hand = (-79 - -90) * (1.05 - 1.0) + (-79 - -85) * (1.0 - 0.7) + (-79 - -80) * (0.7 - 0.5);
  CHECK(hypervolume(front.points, reference) == doctest::Approx(by_hand));
  CHECK(front_recovered({{-90, 1.0}, {-80, 0.5 + 1e-13}, {-84, 0.7}}, front) == doctest::Approx(2.0 / 3));
  CHECK(front_recovered({}, front) == 0);
  front.objectives[1].reference = 2.0;  // the config's own reference wins
  CHECK(front_reference_point(front)[1] == 2.0);
}

TEST_CASE("bench search scores against a cached exact front and an exact random-search oracle") {
  TempDir dir;
  const std::string table = source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv";
  const std::string multi = dir.write(
      "multi.yaml",
      "name: multi\n"
      "space: {name: nb201}\n"
      "strategy: {name: random}\n"
      "evaluators:\n"
      "  - {name: table, options: {path: " + table + ", metrics: [c10valid_val_acc_12ep, flops_M_c10]}}\n"
      "objectives:\n"
      "  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
      "  - {metric: flops_M_c10, direction: minimize}\n"
      "budget: {trials: 10}\n");
  auto first = run_tandem("bench search " + shell_quote(multi) + " --seeds 3 --budgets 20,200 --format csv");
  REQUIRE_MESSAGE(first.exit_code == 0, first.output);
  CHECK(first.output.find("computing the exact Pareto front") != std::string::npos);
  CHECK(first.output.find("strategy,budget,seeds,hv_ratio,std,ci95_low,ci95_high,front_recovered,"
                          "improvement_over_random") != std::string::npos);
  std::ifstream cache(dir.file("multi.front.csv"));
  CHECK(cache.good());
  auto second = run_tandem("bench search " + shell_quote(multi) + " --seeds 3 --budgets 20,200 --format csv");
  REQUIRE_MESSAGE(second.exit_code == 0, second.output);
  CHECK(second.output.find("computing") == std::string::npos);  // read from the cache
  auto bad_format = run_tandem("bench search " + shell_quote(multi) + " --seeds 3 --format svg");
  CHECK(bad_format.exit_code != 0);
  CHECK(bad_format.output.find("unknown output format 'svg'") != std::string::npos);
  CHECK(bad_format.output.find("accepted: table, csv, json, html") != std::string::npos);
  CHECK(bad_format.lines().size() == 1);
  // Every ratio is at most 1 (the exact front dominates whatever a run finds).
  for (const auto& line : second.lines()) {
    const auto fields = split(line, ',');
    if (fields.size() != 9 || fields[0] != "random") continue;
    CHECK(std::stod(fields[3]) <= 1.0 + 1e-9);
    CHECK(std::stod(fields[3]) > 0.0);
  }

  const std::string single = dir.write(
      "single.yaml",
      "name: single\n"
      "space: {name: nb201}\n"
      "strategy: {name: local_search}\n"
      "evaluators:\n"
      "  - {name: table, options: {path: " + table + ", metrics: [c10valid_val_acc_12ep, c10_test_acc_200ep]}}\n"
      "objectives: [{metric: c10valid_val_acc_12ep, direction: maximize}]\n"
      "budget: {trials: 10}\n");
  auto result = run_tandem("bench search " + shell_quote(single) + " --seeds 4 --budgets 1,300");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  // The oracle at budget 1 is the mean 200-epoch test accuracy of the whole table.
  const CsvTable csv = CsvTable::read(table);
  const std::size_t column = csv.require_column("c10_test_acc_200ep");
  double sum = 0;
  for (std::size_t r = 0; r < csv.rows(); ++r) sum += std::stod(csv.row(r)[column]);
  char expected[64];
  std::snprintf(expected, sizeof expected, "%.3f", sum / static_cast<double>(csv.rows()));
  bool found = false;
  for (const auto& line : result.lines())
    if (line.rfind("random (exact)", 0) == 0 && line.find(" 1 ") != std::string::npos)
      found = line.find(expected) != std::string::npos;
  CHECK_MESSAGE(found, result.output);
  CHECK(result.output.find("reach the optimum within 300 queries") != std::string::npos);
}
