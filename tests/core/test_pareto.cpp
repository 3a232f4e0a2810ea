// Pareto utilities against hand-computed fronts, crowding distances and hypervolumes, and the
// exact hypervolume against an independent count of dominated unit cells on integer grids.
#include <doctest/doctest.h>

#include <cmath>

#include "core/rng.hpp"
#include "core/error.hpp"
#include "core/pareto.hpp"

using namespace tandem;

TEST_CASE("dominance and Deb's constrained domination") {
  CHECK(dominates({1, 2}, {2, 2}));
  CHECK_FALSE(dominates({1, 2}, {1, 2}));
  CHECK_FALSE(dominates({1, 3}, {2, 2}));
  ConstrainedPoint feasible{{5, 5}, 0.0}, slightly{{0, 0}, 0.1}, badly{{0, 0}, 2.0};
  CHECK(constrained_dominates(feasible, slightly));  // feasible beats any infeasible point
  CHECK(constrained_dominates(slightly, badly));     // smaller violation wins
  CHECK_FALSE(constrained_dominates(badly, slightly));
  CHECK_FALSE(constrained_dominates(slightly, feasible));
}

TEST_CASE("non-dominated fronts of a hand-drawn set") {
  // Minimise both. Front 1: (1,4) (2,2) (4,1); front 2: (3,3) (2,5); front 3: (4,4); the
  // infeasible point ranks below every feasible one.
  std::vector<ConstrainedPoint> points = {{{1, 4}, 0}, {{2, 2}, 0}, {{4, 1}, 0}, {{3, 3}, 0},
                                          {{2, 5}, 0}, {{4, 4}, 0}, {{0, 0}, 1.0}};
  auto fronts = non_dominated_fronts(points);
  REQUIRE(fronts.size() == 4);
  CHECK(fronts[0] == std::vector<std::size_t>{0, 1, 2});
  CHECK(fronts[1] == std::vector<std::size_t>{3, 4});
  CHECK(fronts[2] == std::vector<std::size_t>{5});
  CHECK(fronts[3] == std::vector<std::size_t>{6});
  std::vector<ObjectiveVector> plain = {{1, 4}, {2, 2}, {4, 1}, {3, 3}, {2, 5}, {4, 4}};
  CHECK(pareto_front(plain) == std::vector<std::size_t>{0, 1, 2});
}

TEST_CASE("crowding distance of a four-point front") {
  // Points on a line x + y = 6: (0,6) (1,5) (3,3) (6,0); range 6 in both objectives.
  // Interior (1,5): x gap (3-0)/6, y gap (6-3)/6 -> (0.5 + 0.5)/2 = 0.5.
  // Interior (3,3): x gap (6-1)/6, y gap (5-0)/6 -> (5/6 + 5/6)/2 = 5/6.
  std::vector<ObjectiveVector> points = {{3, 3}, {0, 6}, {6, 0}, {1, 5}};
  auto distance = crowding_distances(points, {0, 1, 2, 3});
  CHECK(distance[0] == doctest::Approx(5.0 / 6.0));
  CHECK(distance[1] == 1e14);
  CHECK(distance[2] == 1e14);
  CHECK(distance[3] == doctest::Approx(0.5));
  CHECK(crowding_distances(points, {0, 1}) == std::vector<double>{1e14, 1e14});
}

TEST_CASE("hypervolume: hand-computed two and three objective cases") {
  // 2-D staircase, reference (4,4): (1,3) (2,2) (3,1) -> 3*1 + 2*1 + 1*1 = 6.
  CHECK(hypervolume({{1, 3}, {2, 2}, {3, 1}}, {4, 4}) == doctest::Approx(6.0));
  // A dominated point and a point outside the reference change nothing.
  CHECK(hypervolume({{1, 3}, {2, 2}, {3, 1}, {3, 3}, {5, 0}}, {4, 4}) == doctest::Approx(6.0));
  // 3-D: two boxes from the origin corner; |A| = 2*1*1, |B| = 1*2*1, overlap 1*1*1 -> 3.
  CHECK(hypervolume({{0, 1, 1}, {1, 0, 1}}, {2, 2, 2}) == doctest::Approx(3.0));
  // One 4-D point: the box volume.
  CHECK(hypervolume({{0.5, 1, 1.5, 1.75}}, {2, 2, 2, 2}) == doctest::Approx(1.5 * 1 * 0.5 * 0.25));
  CHECK(hypervolume({}, {1, 1}) == 0.0);
}

TEST_CASE("hypervolume equals a count of dominated unit cells on integer grids") {
  // Independent truth: on an integer grid with reference R, the dominated volume is the number of
  // unit cells [c, c+1) whose lower corner c is weakly dominated by some point.
  Rng rng(11);
  for (int dims = 2; dims <= 4; ++dims) {
    for (int trial = 0; trial < 20; ++trial) {
      const int side = 6;
      std::vector<ObjectiveVector> points;
      const int count = 1 + static_cast<int>(rng.uniform_index(12));
      for (int i = 0; i < count; ++i) {
        ObjectiveVector p;
        for (int m = 0; m < dims; ++m) p.push_back(static_cast<double>(rng.uniform_index(side + 1)));
        points.push_back(p);
      }
      ObjectiveVector reference(dims, side);
      long long cells = 0, total = 1;
      for (int m = 0; m < dims; ++m) total *= side;
      for (long long index = 0; index < total; ++index) {
        std::vector<int> cell;
        for (long long rest = index, m = 0; m < dims; ++m, rest /= side) cell.push_back(rest % side);
        bool covered = false;
        for (const auto& p : points) {
          bool below = true;
          for (int m = 0; m < dims && below; ++m) below = p[m] <= cell[m];
          covered = covered || below;
        }
        cells += covered;
      }
      CHECK(hypervolume(points, reference) == doctest::Approx(static_cast<double>(cells)));
    }
  }
}

TEST_CASE("constraint violation parsed from the trial loop's reason") {
  auto infeasible = [](const std::string& reason) {
    return TrialResult::infeasible(reason);
  };
  CHECK(constraint_violation(TrialResult::complete({})) == 0.0);
  CHECK(constraint_violation(infeasible("constraint 'latency_ms <= 5' violated: latency_ms = 6.2")) ==
        doctest::Approx(0.24));
  CHECK(constraint_violation(infeasible("constraint 'accuracy >= 90' violated: accuracy = 81")) ==
        doctest::Approx(0.1));
  CHECK(std::isinf(constraint_violation(infeasible("spec violated somehow"))));
  // Larger violations compare as larger.
  CHECK(constraint_violation(infeasible("constraint 'x <= 5' violated: x = 9")) >
        constraint_violation(infeasible("constraint 'x <= 5' violated: x = 6")));
}

TEST_CASE("objective lists need a direction per metric") {
  auto list = parse_objective_list("accuracy:max, latency_ms:min", "--pareto");
  REQUIRE(list.size() == 2);
  CHECK(list[0].metric == "accuracy");
  CHECK_FALSE(list[0].minimize);
  CHECK(list[1].minimize);
  try {
    parse_objective_list("accuracy:max,latency_ms", "--pareto");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) ==
          "--pareto 'accuracy:max,latency_ms': item 'latency_ms' needs a metric and its direction, "
          "METRIC:min or METRIC:max (e.g. accuracy:max,latency_ms:min)");
  }
}
