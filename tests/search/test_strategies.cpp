// Random search and regularized evolution: determinism, the aging rule, tournament selection,
// option validation, and evolution beating random search on a separable objective.
#include <doctest/doctest.h>

#include "search/sampling/random_search.hpp"
#include "search/sampling/regularized_evolution.hpp"
#include "tests/search/strategy_harness.hpp"
#include "tests/search/toy_space.hpp"

using namespace tandem;
using tandem::testing::ToySpace;

using tandem::testing::best_of;  // the best score of `budget` sequential trials
using tandem::testing::make;
using tandem::testing::scored;

TEST_CASE("same seed gives the same proposals - a different seed differs") {
  ToySpace space(6, 4);
  for (const std::string& name : strategy_registry().names_of_kind("black-box")) {
    CAPTURE(name);
    auto a = make(name, space, "{}", 1), b = make(name, space, "{}", 1), c = make(name, space, "{}", 2);
    bool differs = false;
    for (int i = 0; i < 40; ++i) {
      auto x = a->ask(1)[0], y = b->ask(1)[0], z = c->ask(1)[0];
      CHECK(x == y);
      differs = differs || x != z;
      a->tell(x, scored(x));
      b->tell(y, scored(y));
      c->tell(z, scored(z));
    }
    CHECK(differs);
    CHECK(a->state() == b->state());
  }
}

TEST_CASE("regularized evolution: random initial population, then mutants of tournament winners") {
  ToySpace space(5, 3);
  RegularizedEvolutionOptions options;
  options.population_size = 4;
  options.sample_size = 4;
  RegularizedEvolution evolution(space, options, Objective{"score", false, {}}, 3);
  std::vector<Candidate> told;
  for (int i = 0; i < 4; ++i) {
    auto c = evolution.ask(1)[0];
    evolution.tell(c, scored(c));
    told.push_back(c);
  }
  REQUIRE(evolution.population().size() == 4);
  // Aging: the fifth result removes the first (oldest) member, whatever its fitness.
  auto child = evolution.ask(1)[0];
  // The child differs from some population member in exactly one decision.
  bool one_mutation_away = false;
  for (const auto& member : evolution.population()) {
    int differences = 0;
    for (std::size_t d = 0; d < child.decisions.size(); ++d)
      differences += member.candidate.decisions[d] != child.decisions[d];
    one_mutation_away = one_mutation_away || differences == 1;
  }
  CHECK(one_mutation_away);
  evolution.tell(child, scored(child));
  REQUIRE(evolution.population().size() == 4);
  CHECK(evolution.population().front().candidate == told[1]);
  CHECK(evolution.population().back().candidate == child);
}

TEST_CASE("tournament selection picks the best of S draws with replacement") {
  // Population: `low` (score 0), `mid` (score 1) and `high` (score 10), P = S = 3. The parent is
  // `high` unless all three draws miss it: P(parent = high) = 1 - (2/3)^3 = 19/27. A child one
  // decision away from `high` can only come from `high` (`low` and `mid` are >= 8 decisions away).
  ToySpace space(10, 2);
  RegularizedEvolutionOptions options;
  options.population_size = 3;
  options.sample_size = 3;
  int best_parent = 0;
  const int runs = 2000;
  for (int seed = 0; seed < runs; ++seed) {
    RegularizedEvolution evolution(space, options, Objective{"score", false, {}},
                                   static_cast<std::uint64_t>(seed));
    Candidate low{std::vector<int>(10, 0)}, high{std::vector<int>(10, 1)},
        mid{{1, 0, 0, 0, 0, 0, 0, 0, 0, 0}};
    evolution.ask(3);  // the random initial phase; results are told by hand below
    evolution.tell(low, scored(low));
    evolution.tell(mid, scored(mid));
    evolution.tell(high, scored(high));
    auto child = evolution.ask(1)[0];
    int differences = 0;
    for (int d = 0; d < 10; ++d) differences += child.decisions[d] != 1;
    best_parent += differences == 1;
  }
  double share = best_parent / double(runs);
  // Binomial standard deviation at n = 2000 is ~0.010; allow 4 sigma.
  CHECK(share == doctest::Approx(19.0 / 27.0).epsilon(0.06));
}

TEST_CASE("regularized evolution beats random search on a separable objective") {
  ToySpace space(10, 4);  // optimum 30, 4^10 ~ 1e6 candidates
  double evolution_total = 0, random_total = 0;
  const int seeds = 20, budget = 300;
  for (int seed = 0; seed < seeds; ++seed) {
    auto evolution = make("regularized_evolution", space,
                          "{population_size: 20, sample_size: 5}", seed);
    auto random = make("random", space, "{}", seed);
    evolution_total += best_of(*evolution, budget);
    random_total += best_of(*random, budget);
  }
  MESSAGE("mean best: evolution " << evolution_total / seeds << ", random " << random_total / seeds);
  CHECK(evolution_total / seeds > random_total / seeds + 2.0);
  CHECK(evolution_total / seeds >= 28.0);  // within 2 of the optimum 30 on average
}

TEST_CASE("cycles bound the number of children - failures stay out of the population") {
  ToySpace space(4, 3);
  auto evolution = make("regularized_evolution", space,
                        "{population_size: 3, sample_size: 2, cycles: 5}", 0);
  int asked = 0;
  while (!evolution->finished()) {
    auto c = evolution->ask(1);
    REQUIRE(c.size() == 1);
    ++asked;
    // Every other trial fails: it must not enter the population.
    evolution->tell(c[0], asked % 2 ? scored(c[0]) : TrialResult::failed("diverged"));
  }
  // Initial population needs 3 successes: asks 1,3,5 succeed (2,4 fail and are re-asked) -> 5
  // asks; then exactly 5 children.
  CHECK(asked == 10);
  CHECK(evolution->ask(1).empty());
}

TEST_CASE("bad strategy options are one-line errors naming the key") {
  ToySpace space(4, 3);
  auto error_of = [&](const std::string& name, const std::string& yaml) -> std::string {
    try {
      make(name, space, yaml, 0);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error_of("regularized_evolution", "{population_size: 5, sample_size: 8}") ==
        "options.yaml:1:35: 'sample_size': sample_size 8 exceeds population_size 5; accepted: "
        "1 <= sample_size <= population_size");
  CHECK(error_of("regularized_evolution", "{populaton_size: 5}").find("did you mean "
                                                                    "'population_size'") !=
        std::string::npos);
  CHECK(error_of("regularized_evolution", "{on_failure: skip}").find("accepted: ignore, worst") !=
        std::string::npos);
  CHECK(error_of("random", "{population_size: 5}").find("unknown key 'population_size'") !=
        std::string::npos);
  const std::string unknown = error_of("randm", "{}");
  CHECK(unknown.rfind("unknown search strategy 'randm' (did you mean 'random'?); available: ", 0) ==
        0);
  for (const char* name : {"codesign_rl", "local_search", "nsga2", "random", "regularized_evolution",
                           "reinforce", "retry", "darts", "proxyless", "bananas"})
    CHECK(unknown.find(name) != std::string::npos);
  CHECK(unknown.find('\n') == std::string::npos);
}
