// nsga2 on small spaces with known answers: the exact Pareto front of a bi-objective toy, and
// constrained domination (infeasible trials rank below feasible ones).
#include <doctest/doctest.h>

#include "search/multi_objective/nsga2.hpp"
#include "tests/search/strategy_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {


// Bi-objective toy: maximise a = v0 and b = (sum of v1..) - v0. The Pareto front is every
// candidate with v1.. at their maximum: K points, one per value of v0.
TrialResult two_objectives(const Candidate& c) {
  Metrics m;
  double rest = 0;
  for (std::size_t i = 1; i < c.decisions.size(); ++i) rest += c.decisions[i];
  m.set("a", c.decisions[0]);
  m.set("b", rest - c.decisions[0]);
  return TrialResult::complete(m);
}


}  // namespace

TEST_CASE("nsga2 finds the whole Pareto front of a bi-objective toy") {
  ToySpace space(4, 4);  // front: v0 in 0..3 with v1 = v2 = v3 = 3 (4 points of 256)
  std::vector<Objective> objectives = {{"a", false}, {"b", false}};
  int found_all = 0;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    auto nsga = make("nsga2", space, "{population_size: 12}", seed, objectives);
    std::vector<Candidate> front_found;
    for (int i = 0; i < 240; ++i) {
      auto c = nsga->ask(1);
      REQUIRE(c.size() == 1);
      nsga->tell(c[0], two_objectives(c[0]));
    }
    auto& population = dynamic_cast<Nsga2&>(*nsga).population();
    int on_front = 0;
    for (int v0 = 0; v0 < 4; ++v0) {
      Candidate target{{v0, 3, 3, 3}};
      bool present = false;
      for (const auto& member : population) present = present || member.candidate == target;
      on_front += present;
    }
    found_all += on_front == 4;
    for (const auto& member : population)
      if (member.rank == 0) CHECK(member.candidate.decisions[1] + member.candidate.decisions[2] + member.candidate.decisions[3] == 9);
  }
  CHECK(found_all >= 4);
}

TEST_CASE("nsga2 ranks infeasible trials below feasible ones") {
  ToySpace space(3, 4);
  std::vector<Objective> objectives = {{"a", false}, {"b", false}};
  auto nsga = make("nsga2", space, "{population_size: 8}", 3, objectives);
  // Constraint a <= 1: candidates with v0 >= 2 are INFEASIBLE with the trial loop's reason.
  for (int i = 0; i < 160; ++i) {
    auto c = nsga->ask(1);
    REQUIRE(c.size() == 1);
    TrialResult r = two_objectives(c[0]);
    if (c[0].decisions[0] >= 2)
      r = TrialResult::infeasible("constraint 'a <= 1' violated: a = " +
                                  std::to_string(c[0].decisions[0]), r.metrics);
    nsga->tell(c[0], r);
  }
  auto& population = dynamic_cast<Nsga2&>(*nsga).population();
  REQUIRE(population.size() == 8);
  for (const auto& member : population) CHECK(member.point.violation == 0.0);
  // The feasible front (v0 in {0, 1}, rest maximal) is in the population.
  for (int v0 = 0; v0 < 2; ++v0) {
    bool present = false;
    for (const auto& member : population)
      present = present || member.candidate == Candidate{{v0, 3, 3}};
    CHECK(present);
  }
}
