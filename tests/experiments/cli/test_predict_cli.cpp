// Tests for `tandem predict eval`: on a table and on an experiment database whose target is an
// exact linear function of the one-hot encoding (random weights per edge op, so ridge regression
// must rank the held-out architectures perfectly: tau = rho = top-10% precision = 1), and the
// one-line errors for bad input.
#include <doctest/doctest.h>

#include <set>
#include <sstream>
#include <string>

#include "core/rng.hpp"
#include "tests/experiments/cli_harness.hpp"
#include "spaces/nb201_space.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// A CSV of nb201 cells: arch_str, score (linear in the one-hot, random weights), flops (also
// linear, a second column for --features), and `bad` (nan in the 3rd row). `rows` distinct random
// cells, or all 15,625 when rows is 0.
std::string linear_table(int rows) {
  Nb201Space space;
  Rng rng(5);
  std::vector<double> weight(30);
  for (double& w : weight) w = rng.uniform() * 10.0;
  std::vector<Candidate> cells;
  if (rows == 0) {
    for (int index = 0; index < 15625; ++index) {
      Candidate cell{std::vector<int>(6)};
      for (int edge = 0, rest = index; edge < 6; ++edge, rest /= 5) cell.decisions[edge] = rest % 5;
      cells.push_back(cell);
    }
  } else {
    std::set<std::string> seen;
    while (static_cast<int>(cells.size()) < rows) {
      const Candidate cell = space.sample(rng);
      if (seen.insert(space.to_string(cell)).second) cells.push_back(cell);
    }
  }
  std::ostringstream out;
  out << "arch_str,score,flops,bad\n";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    double score = 0.0, flops = 0.0;
    for (int edge = 0; edge < 6; ++edge) {
      score += weight[static_cast<std::size_t>(edge * 5 + cells[i].decisions[edge])];
      flops += cells[i].decisions[edge] == 3 ? 9.0 : 1.0;
    }
    out << space.to_string(cells[i]) << "," << score << "," << flops << "," << (i == 2 ? "nan" : "1")
        << "\n";
  }
  return out.str();
}

std::string quote(const std::string& text) { return "'" + text + "'"; }

}  // namespace

TEST_CASE("predict eval on a table: ridge ranks an exactly linear target perfectly") {
  TempDir dir;
  const std::string table = dir.write("linear.csv", linear_table(150));
  const CommandResult result =
      run_tandem("predict eval --table " + quote(table) +
                 " --space nb201 --target score --predictor ridge --train 80 --test 60 --seed 3");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  const auto lines = result.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "kendall_tau spearman_rho top10_precision");
  CHECK(lines[1] == "1.0000 1.0000 1.0000");
  // Minimising the same column reverses nothing in the ranking quality.
  const CommandResult reversed =
      run_tandem("predict eval --table " + quote(table) +
                 " --space nb201 --target score:min --predictor ridge --train 80 --test 60 "
                 "--features flops --repeats 2");
  REQUIRE_MESSAGE(reversed.exit_code == 0, reversed.output);
  CHECK(reversed.lines().at(1) == "1.0000 1.0000 1.0000");
}

TEST_CASE("predict eval on the NB201 table with rank-deficient path encodings") {
  // Regression: this split (200 cells, 155 path bits, rank-deficient) once made Eigen's BDCSVD
  // return NaN and ridge predict NaN; the run must finish with finite scores.
  const CommandResult result = run_tandem(
      "predict eval --table " + quote(source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv") +
      " --space nb201 --target c10_test_acc_200ep --predictor ridge --encoding path --train 200"
      " --test 200 --seed 12");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  CHECK(result.lines().at(1).find("nan") == std::string::npos);
}

TEST_CASE("predict eval on an experiment database") {
  TempDir dir;
  dir.write("linear.csv", linear_table(0));
  const std::string config = dir.write("exp.yaml",
                                       "name: linear\nseed: 1\nspace: {name: nb201}\n"
                                       "strategy: random\n"
                                       "evaluators:\n  - name: table\n    options:\n"
                                       "      path: linear.csv\n      metrics: [score, flops]\n"
                                       "objectives:\n  - {metric: score, direction: minimize}\n"
                                       "budget: {trials: 120}\n");
  const std::string db = dir.file("exp.db");
  const CommandResult run = run_tandem("run " + quote(config) + " --db " + quote(db) + " --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  // The space, the candidates and the objective's direction (minimise) come from the stored
  // experiment; the linear target is again ranked perfectly.
  const CommandResult result = run_tandem("predict eval --db " + quote(db) +
                                          " --target score --predictor ridge --train 70 --test 50");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  CHECK(result.lines().at(1) == "1.0000 1.0000 1.0000");
  const CommandResult too_many = run_tandem("predict eval --db " + quote(db) +
                                            " --target score --predictor ridge --train 100 --test 21");
  CHECK(too_many.exit_code != 0);
  CHECK(too_many.output.find("exceeds the 120 architectures with a finite 'score'") !=
        std::string::npos);
}

TEST_CASE("predict eval rejects bad input in one line") {
  TempDir dir;
  const std::string table = quote(dir.write("linear.csv", linear_table(40)));
  auto error_of = [&](const std::string& args) {
    const CommandResult result = run_tandem("predict eval " + args);
    CHECK(result.exit_code != 0);
    CHECK(result.lines().size() == 1);
    return result.output;
  };
  const std::string base = "--table " + table + " --space nb201 --target score ";
  CHECK(error_of(base + "--predictor ridg --train 10 --test 10").find("did you mean 'ridge'") !=
        std::string::npos);
  CHECK(error_of(base + "--predictor ridge --train 30 --test 20")
            .find("--train 30 + --test 20 = 50 exceeds the 40 architectures") != std::string::npos);
  CHECK(error_of(base + "--predictor gp --train 1 --test 10")
            .find("needs at least 2 training points, got 1") != std::string::npos);
  CHECK(error_of(base + "--predictor ridge --train 20 --test 10 --features bad")
            .find("column 'bad' is nan") != std::string::npos);
  CHECK(error_of(base + "--predictor ridge --train 20 --test 10 --encoding paths")
            .find("unknown encoding 'paths' (did you mean 'path'?)") != std::string::npos);
  CHECK(error_of("--table " + table + " --space mlp --target score --predictor ridge --train 5 "
                 "--test 5 --encoding path")
            .find("space 'mlp' accepts only encoding 'one_hot'") != std::string::npos);
  CHECK(error_of(base + "--predictor ridge --train 20 --test 10 --predictor-options '{alpha: -2}'")
            .find("alpha must be a number >= 0") != std::string::npos);
  CHECK(error_of("--space nb201 --target score --predictor ridge --train 5 --test 5")
            .find("give exactly one of --db DB or --table CSV") != std::string::npos);
}
