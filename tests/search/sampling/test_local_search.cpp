// local_search on the toy space: it climbs a separable objective to its optimum and restarts at a
// local optimum.
#include <doctest/doctest.h>

#include "search/sampling/local_search.hpp"
#include "tests/search/strategy_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

TEST_CASE("local search climbs a separable objective to its optimum") {
  ToySpace space(8, 4);  // optimum 24; every non-optimal point has an improving neighbour
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    auto search = make("local_search", space, "{num_init: 5}", seed);
    // 5 initial samples + at most 24 improving moves, each after <= 8*3 neighbour evaluations.
    CHECK(best_of(*search, 5 + 24 * 24) == space.optimum());
  }
  auto full = make("local_search", space, "{num_init: 3, first_improvement: false}", 1);
  CHECK(best_of(*full, 3 + 24 * 24) == space.optimum());
}

TEST_CASE("local search restarts at a local optimum") {
  // One decision, 5 values: every candidate neighbours every other, so after the first
  // neighbourhood the current point is the global optimum, a local optimum: it must restart.
  ToySpace space(1, 5);
  LocalSearch search(space, LocalSearchOptions{1, false}, Objective{"score", false, {}}, 0);
  for (int i = 0; i < 1 + 4; ++i) {
    auto c = search.ask(1);
    REQUIRE(c.size() == 1);
    search.tell(c[0], scored(c[0]));
  }
  REQUIRE(search.current());
  CHECK(search.current()->decisions[0] == 4);
  for (int i = 0; i < 4; ++i) {  // the optimum's neighbourhood: no improvement
    auto c = search.ask(1);
    REQUIRE(c.size() == 1);
    search.tell(c[0], scored(c[0]));
  }
  CHECK(search.restarts() == 1);
  CHECK_FALSE(search.current());
}
