// pareto_local_search against truth computed by brute force over small toy spaces: the whole
// Pareto front is found; the archive stays mutually non-dominated and covers every evaluated
// point; once every member is explored the archive is a Pareto local optimum set; constrained
// domination keeps infeasible points out once a feasible one is known; parallel asks with results
// told out of order; determinism; option and objective-count errors.
#include <doctest/doctest.h>

#include <functional>
#include <set>

#include "core/pareto.hpp"
#include "search/multi_objective/pareto_local_search.hpp"
#include "tests/search/strategy_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const std::vector<Objective> kTwo = {{"a", false}, {"b", false}};

// A linear bi-objective toy (both maximised): raising decision i gains kGain[i] in a and loses
// kLoss[i] in b. The gain/loss ratios differ per decision, so the front holds supported and
// unsupported points.
constexpr int kGain[] = {1, 2, 3, 5, 7, 4};
constexpr int kLoss[] = {6, 4, 3, 2, 1, 5};

Metrics linear_metrics(const Candidate& c, int values) {
  double a = 0, b = 0;
  for (std::size_t i = 0; i < c.decisions.size(); ++i) {
    a += kGain[i] * c.decisions[i];
    b += kLoss[i] * (values - 1 - c.decisions[i]);
  }
  Metrics m;
  m.set("a", a);
  m.set("b", b);
  return m;
}

// Every candidate of a ToySpace (mixed radix).
std::vector<Candidate> all_candidates(const ToySpace& space) {
  const std::size_t count = space.decisions().size();
  const int values = static_cast<int>(space.decisions()[0].choices.size());
  std::vector<Candidate> out;
  Candidate c{std::vector<int>(count, 0)};
  while (true) {
    out.push_back(c);
    std::size_t d = 0;
    while (d < count && ++c.decisions[d] == values) c.decisions[d++] = 0;
    if (d == count) return out;
  }
}

ConstrainedPoint point_of(const TrialResult& result) {
  return {*minimised_objectives(result, kTwo), constraint_violation(result)};
}

bool weakly_dominates(const ConstrainedPoint& a, const ConstrainedPoint& b) {
  return constrained_dominates(a, b) || (a.violation == b.violation && a.objectives == b.objectives);
}

// The distinct minimised objective vectors of the feasible front, by brute force.
std::set<ObjectiveVector> brute_force_front(const ToySpace& space,
                                            const std::function<TrialResult(const Candidate&)>& f) {
  std::vector<ObjectiveVector> points;
  for (const auto& c : all_candidates(space)) {
    TrialResult r = f(c);
    if (r.status == TrialStatus::complete) points.push_back(point_of(r).objectives);
  }
  std::set<ObjectiveVector> front;
  for (std::size_t i : pareto_front(points)) front.insert(points[i]);
  return front;
}

ParetoLocalSearch& pls(Strategy& strategy) { return dynamic_cast<ParetoLocalSearch&>(strategy); }

void check_mutually_non_dominated(const ParetoLocalSearch& search) {
  const auto& archive = search.archive();
  for (std::size_t i = 0; i < archive.size(); ++i)
    for (std::size_t j = 0; j < archive.size(); ++j)
      if (i != j) CHECK_FALSE(constrained_dominates(archive[i].point, archive[j].point));
}

}  // namespace

TEST_CASE("pareto local search finds the whole Pareto front of a linear bi-objective toy") {
  ToySpace space(5, 4);  // 1024 candidates
  auto evaluate = [](const Candidate& c) { return TrialResult::complete(linear_metrics(c, 4)); };
  const std::set<ObjectiveVector> front = brute_force_front(space, evaluate);
  REQUIRE(front.size() >= 10);
  for (const char* options : {"{}", "{exploration: best, neutral: reject}", "{acceptance: both}",
                              "{swaps: mixed}", "{swaps: vnd, selection: crowding}"}) {
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
      CAPTURE(options);
      CAPTURE(seed);
      auto search = make("pareto_local_search", space, options, seed, kTwo);
      std::set<ObjectiveVector> found;
      for (int i = 0; i < 400; ++i) {  // well under the 1024 candidates
        auto asked = search->ask(1);
        REQUIRE(asked.size() == 1);
        TrialResult r = evaluate(asked[0]);
        search->tell(asked[0], r);
        found.insert(point_of(r).objectives);
      }
      for (const auto& point : front) CHECK(found.count(point) == 1);
      // The archive is exactly the front (one member per point: neutral replace or reject).
      std::set<ObjectiveVector> archived;
      for (const auto& member : pls(*search).archive()) archived.insert(member.point.objectives);
      CHECK(archived == front);
      CHECK(pls(*search).archive().size() == front.size());
    }
  }
}

TEST_CASE("pareto local search: the archive stays non-dominated and covers every evaluated point") {
  ToySpace space(6, 3);  // 729 candidates
  // Failed, pruned and infeasible results mixed in; infeasible ones keep their metrics.
  auto evaluate = [](const Candidate& c, int step) {
    Metrics m = linear_metrics(c, 3);
    if (step % 11 == 5) return TrialResult::failed("flaky", m);
    if (step % 13 == 7) return TrialResult::pruned("early stop", m);
    if (c.decisions[0] == 2 && c.decisions[1] == 2)
      return TrialResult::infeasible("constraint 'a <= 10' violated: a = 12", m);
    return TrialResult::complete(m);
  };
  for (const char* options : {"{}", "{exploration: best}", "{neutral: keep}", "{neutral: reject}",
                              "{acceptance: dominating}", "{acceptance: both, exploration: best}"}) {
    CAPTURE(options);
    const std::string text = options;
    const bool covers = text.find("acceptance") == std::string::npos;  // non_dominated only
    auto search = make("pareto_local_search", space, options, 4, kTwo);
    std::set<Candidate> asked_before, dropped;
    std::vector<ConstrainedPoint> told;
    for (int step = 0; step < 300; ++step) {
      auto asked = search->ask(1);
      REQUIRE(asked.size() == 1);
      CHECK(asked_before.insert(asked[0]).second);  // never asked twice
      TrialResult r = evaluate(asked[0], step);
      search->tell(asked[0], r);
      if (r.status == TrialStatus::failed || r.status == TrialStatus::pruned)
        dropped.insert(asked[0]);
      else
        told.push_back(point_of(r));
      check_mutually_non_dominated(pls(*search));
      for (const auto& member : pls(*search).archive()) CHECK(dropped.count(member.candidate) == 0);
    }
    if (!covers) continue;
    for (const auto& point : told) {  // every evaluated point is weakly dominated by a member
      bool covered = false;
      for (const auto& member : pls(*search).archive())
        covered = covered || weakly_dominates(member.point, point);
      CHECK(covered);
    }
  }
}

TEST_CASE("pareto local search converges to a Pareto local optimum set, then restarts") {
  ToySpace space(4, 4);  // 256 candidates
  auto evaluate = [](const Candidate& c) { return TrialResult::complete(linear_metrics(c, 4)); };
  for (const char* options : {"{}", "{exploration: best}", "{exploration: best, neutral: keep}"}) {
    for (std::uint64_t seed = 0; seed < 3; ++seed) {
      CAPTURE(options);
      CAPTURE(seed);
      auto search = make("pareto_local_search", space, options, seed, kTwo);
      int steps = 0;
      do {
        auto asked = search->ask(1);
        REQUIRE(asked.size() == 1);
        search->tell(asked[0], evaluate(asked[0]));
      } while (!pls(*search).converged() && ++steps < 256);
      REQUIRE(pls(*search).converged());
      CHECK(pls(*search).restarts() == 0);
      // By brute force: no neighbour of any member is outside what the archive weakly dominates.
      for (const auto& member : pls(*search).archive()) {
        CHECK(member.explored);
        for (const auto& neighbour : space.neighbours(member.candidate)) {
          const ConstrainedPoint point = point_of(evaluate(neighbour));
          bool covered = false;
          for (const auto& other : pls(*search).archive())
            covered = covered || weakly_dominates(other.point, point);
          CHECK(covered);
        }
      }
      check_mutually_non_dominated(pls(*search));
      // The budget is still used: a restart candidate never evaluated before.
      auto restart = search->ask(1);
      REQUIRE(restart.size() == 1);
      CHECK(pls(*search).restarts() == 1);
      CHECK_FALSE(pls(*search).converged());
    }
  }
}

TEST_CASE("pareto local search with swaps: vnd converges only when swap moves are exhausted too") {
  ToySpace space(4, 4);  // 256 candidates; every decision has the same choices, so swaps exist
  auto evaluate = [](const Candidate& c) { return TrialResult::complete(linear_metrics(c, 4)); };
  auto covered_by_archive = [&](const ParetoLocalSearch& search, const Candidate& c) {
    const ConstrainedPoint point = point_of(evaluate(c));
    for (const auto& other : search.archive())
      if (weakly_dominates(other.point, point)) return true;
    return false;
  };
  int swaps_never_asked_without = 0;
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    for (const char* options : {"{swaps: vnd}", "{}"}) {
      CAPTURE(seed);
      CAPTURE(options);
      auto search = make("pareto_local_search", space, options, seed, kTwo);
      std::set<Candidate> asked_set;
      int steps = 0;
      do {
        auto asked = search->ask(1);
        REQUIRE(asked.size() == 1);
        asked_set.insert(asked[0]);
        search->tell(asked[0], evaluate(asked[0]));
      } while (!pls(*search).converged() && ++steps < 256);
      REQUIRE(pls(*search).converged());
      const bool vnd = std::string(options) == "{swaps: vnd}";
      for (const auto& member : pls(*search).archive()) {
        CHECK(member.explored);
        CHECK(member.swapped == vnd);
        for (const auto& neighbour : space.neighbours(member.candidate))
          CHECK(covered_by_archive(pls(*search), neighbour));
        // Brute force over the swap neighbourhood: with vnd every swap of every member has been
        // evaluated and none leaves the archive's cover (a Pareto local optimum set for both
        // neighbourhoods); without swaps some were never looked at.
        for (const auto& swapped : space.swap_neighbours(member.candidate)) {
          if (vnd) {
            CHECK(asked_set.count(swapped) == 1);
            CHECK(covered_by_archive(pls(*search), swapped));
          } else {
            swaps_never_asked_without += asked_set.count(swapped) == 0;
          }
        }
      }
      check_mutually_non_dominated(pls(*search));
    }
  }
  CHECK(swaps_never_asked_without > 0);
}

TEST_CASE("pareto local search: infeasible points never displace feasible ones") {
  ToySpace space(4, 4);
  // Constraint v0 <= 1: candidates with v0 >= 2 are INFEASIBLE (with the trial loop's reason) and
  // have the best a; their violation grows with v0.
  auto evaluate = [](const Candidate& c) {
    Metrics m = linear_metrics(c, 4);
    if (c.decisions[0] < 2) return TrialResult::complete(m);
    return TrialResult::infeasible(
        "constraint 'v0 <= 1' violated: v0 = " + std::to_string(c.decisions[0]), m);
  };
  const std::set<ObjectiveVector> feasible_front = brute_force_front(space, evaluate);
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    CAPTURE(seed);
    auto search = make("pareto_local_search", space, "{num_init: 1}", seed, kTwo);
    // Tell only infeasible results first: the least violating are kept, with their metrics.
    const Candidate worse{{3, 0, 0, 0}}, better{{2, 1, 1, 1}};
    search->tell(worse, evaluate(worse));
    REQUIRE(pls(*search).archive().size() == 1);
    search->tell(better, evaluate(better));
    REQUIRE(pls(*search).archive().size() == 1);
    CHECK(pls(*search).archive()[0].candidate == better);
    CHECK(pls(*search).archive()[0].point.objectives == point_of(evaluate(better)).objectives);
    CHECK(pls(*search).archive()[0].point.violation == doctest::Approx(1.0));
    bool feasible_seen = false;
    std::set<ObjectiveVector> found;
    for (int i = 0; i < 200; ++i) {
      auto asked = search->ask(1);
      REQUIRE(asked.size() == 1);
      TrialResult r = evaluate(asked[0]);
      search->tell(asked[0], r);
      if (r.status == TrialStatus::complete) {
        feasible_seen = true;
        found.insert(point_of(r).objectives);
      }
      if (feasible_seen)
        for (const auto& member : pls(*search).archive()) CHECK(member.point.violation == 0.0);
    }
    for (const auto& point : feasible_front) CHECK(found.count(point) == 1);  // all of it found
    std::set<ObjectiveVector> archived;
    for (const auto& member : pls(*search).archive()) archived.insert(member.point.objectives);
    CHECK(archived == feasible_front);
  }
}

TEST_CASE("pareto local search: parallel asks with results told out of order") {
  ToySpace space(5, 4);
  auto evaluate = [](const Candidate& c) { return TrialResult::complete(linear_metrics(c, 4)); };
  auto run = [&](std::uint64_t seed) {
    auto search = make("pareto_local_search", space, "{}", seed, kTwo);
    std::vector<Candidate> sequence;
    std::vector<Candidate> pending;
    std::set<Candidate> seen;
    for (int round = 0; round < 60; ++round) {
      auto asked = search->ask(4);
      // Never empty-handed with nothing pending: the budget is always used.
      if (pending.empty()) CHECK_FALSE(asked.empty());
      for (const auto& c : asked) CHECK(seen.insert(c).second);
      pending.insert(pending.end(), asked.begin(), asked.end());
      sequence.insert(sequence.end(), asked.begin(), asked.end());
      // Tell the newest half, newest first; the rest stays in flight.
      const std::size_t tell = (pending.size() + 1) / 2;
      for (std::size_t k = 0; k < tell; ++k) {
        search->tell(pending.back(), evaluate(pending.back()));
        pending.pop_back();
      }
      check_mutually_non_dominated(pls(*search));
    }
    return std::make_pair(sequence, search->state());
  };
  auto first = run(7), second = run(7), other = run(8);
  CHECK(first.first.size() > 120);
  CHECK(first.first == second.first);
  CHECK(first.second == second.second);
  CHECK(first.first != other.first);
}

TEST_CASE("pareto local search: options and objectives are checked with one-line errors") {
  ToySpace space(3, 3);
  auto error = [&](const std::string& yaml, std::vector<Objective> objectives = kTwo) {
    try {
      make("pareto_local_search", space, yaml, 0, std::move(objectives));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error("{}", {{"a", false}}) ==
        "pareto_local_search needs 2 to 4 objectives, each with a direction (objectives: "
        "[{metric: accuracy, direction: maximize}, {metric: latency_ms, direction: minimize}]); "
        "got 1");
  CHECK(error("{}", {{"a", false}, {"b", false}, {"c", true}, {"d", true}, {"e", true}})
            .find("got 5") != std::string::npos);
  CHECK(error("{acceptance: dominates}").find("did you mean 'dominating'") != std::string::npos);
  CHECK(error("{exploration: greedy}").find("accepted: first, best") != std::string::npos);
  CHECK(error("{neutral: maybe}").find("accepted: replace, keep, reject") != std::string::npos);
  CHECK(error("{num_init: 0}").find("num_init") != std::string::npos);
  CHECK(error("{restart: random, perturbation: 3}") ==
        "options.yaml:1:33: 'perturbation': perturbation applies to `restart: perturb` only");
  CHECK(error("{num_inits: 3}").find("did you mean 'num_init'") != std::string::npos);
  CHECK(error("{swaps: all}").find("accepted: none, mixed, after, vnd") != std::string::npos);
  CHECK(error("{selection: best}").find("accepted: uniform, crowding") != std::string::npos);
  for (const std::string& e : {error("{acceptance: x}"), error("{restart: x}")})
    CHECK(e.find('\n') == std::string::npos);
}

TEST_CASE("pareto local search: a scope freezes decisions to its settings and evaluates its initial candidates first") {
  ToySpace space(5, 4);
  auto evaluate = [](const Candidate& c) { return TrialResult::complete(linear_metrics(c, 4)); };
  ParetoLocalSearchScope scope;
  scope.frozen = {false, false, false, true, true};  // the last two decisions never move
  scope.settings = {Candidate{{0, 0, 0, 1, 2}}};
  scope.initial = {Candidate{{3, 3, 3, 1, 2}}, Candidate{{0, 1, 2, 1, 2}}};
  ParetoLocalSearchOptions options;
  options.num_init = 3;
  ParetoLocalSearch search(space, options, kTwo, 5, scope);
  auto first = search.ask(2);
  REQUIRE(first.size() == 2);
  CHECK(first[0] == scope.initial[0]);
  CHECK(first[1] == scope.initial[1]);
  for (const auto& c : first) search.tell(c, evaluate(c));
  std::set<std::pair<int, int>> frozen_seen;
  for (int i = 0; i < 150; ++i) {
    if (i == 60) search.extend_scope(Candidate{{0, 0, 0, 3, 0}}, {Candidate{{2, 2, 2, 3, 0}}});
    auto asked = search.ask(1);
    REQUIRE(asked.size() == 1);
    if (i == 60) CHECK(asked[0] == Candidate{{2, 2, 2, 3, 0}});  // the new initial one comes next
    frozen_seen.insert({asked[0].decisions[3], asked[0].decisions[4]});
    search.tell(asked[0], evaluate(asked[0]));
  }
  // Only the two settings' values of the frozen decisions were ever asked.
  CHECK(frozen_seen == std::set<std::pair<int, int>>{{1, 2}, {3, 0}});
}
