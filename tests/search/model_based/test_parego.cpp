// parego: the simplex-lattice weights, the augmented Tchebycheff function and the expected
// improvement against independent truth (counting formula, hand computation, numerical
// integration); the penalty of INFEASIBLE trials; the training subset and the candidate pool; the
// ask/tell round contract and replay; and a behavioural check on a bi-objective toy whose exact
// front is found by brute force: parego recovers most of it and beats random search.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <set>

#include "core/pareto.hpp"
#include "search/model_based/parego.hpp"
#include "search/model_based/scalarization.hpp"
#include "tests/search/strategy_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const std::vector<Objective> kTwoObjectives = {{"a", false}, {"c", true}};  // max a, min c

// Bi-objective toy on ToySpace(6, 4) (4,096 candidates): maximise a = sum of the values, minimise
// c = sum_i (1 + i mod 3) v_i^2. Spreading a total over the cheap decisions is best, so the front
// has one point per reachable total (a = 0..18) with a non-trivial candidate for each.
TrialResult toy(const Candidate& c) {
  Metrics m;
  double a = 0, cost = 0;
  for (std::size_t i = 0; i < c.decisions.size(); ++i) {
    a += c.decisions[i];
    cost += static_cast<double>(1 + i % 3) * c.decisions[i] * c.decisions[i];
  }
  m.set("a", a);
  m.set("c", cost);
  return TrialResult::complete(m);
}

ObjectiveVector minimised(const TrialResult& result) {
  return *minimised_objectives(result, kTwoObjectives);
}

// Every candidate of the toy space, by brute force.
std::vector<Candidate> all_candidates(const ToySpace& space) {
  std::vector<Candidate> out(1);
  for (const auto& decision : space.decisions()) {
    std::vector<Candidate> next;
    for (const Candidate& prefix : out)
      for (std::size_t v = 0; v < decision.choices.size(); ++v) {
        Candidate c = prefix;
        c.decisions.push_back(static_cast<int>(v));
        next.push_back(c);
      }
    out = std::move(next);
  }
  return out;
}

// Hypervolume of the first `budget` results of `strategy` on the toy.
double hypervolume_after(Strategy& strategy, int budget, const ObjectiveVector& reference,
                         std::set<ObjectiveVector>* found = nullptr) {
  std::vector<ObjectiveVector> points;
  for (int i = 0; i < budget; ++i) {
    auto asked = strategy.ask(1);
    REQUIRE(asked.size() == 1);
    TrialResult r = toy(asked[0]);
    strategy.tell(asked[0], r);
    points.push_back(minimised(r));
    if (found) found->insert(points.back());
  }
  return hypervolume(points, reference);
}

TrialResult infeasible(double a, double c, const std::string& reason) {
  Metrics m;
  m.set("a", a);
  m.set("c", c);
  return TrialResult::infeasible(reason, m);
}

TrialResult complete(double a, double c) {
  Metrics m;
  m.set("a", a);
  m.set("c", c);
  return TrialResult::complete(m);
}

long long binomial(int n, int k) {
  long long out = 1;
  for (int i = 1; i <= k; ++i) out = out * (n - k + i) / i;
  return out;
}

}  // namespace

TEST_CASE("the simplex lattice has C(s + k - 1, k - 1) distinct weight vectors summing to 1") {
  CHECK(parego_divisions(2) == 10);
  CHECK(parego_divisions(3) == 4);
  CHECK(parego_divisions(4) == 5);
  CHECK(parego_divisions(5) == 0);
  struct Case {
    std::size_t k;
    int s;
    std::size_t expected;
  };
  // The paper's sets: 11 vectors for 2 objectives (s = 10), 15 for 3 (s = 4).
  for (const Case& c : {Case{2, 10, 11}, Case{3, 4, 15}, Case{4, 5, 56}, Case{3, 1, 3}}) {
    CAPTURE(c.k);
    CAPTURE(c.s);
    const auto lattice = simplex_lattice(c.k, c.s);
    CHECK(lattice.size() == c.expected);
    CHECK(static_cast<long long>(lattice.size()) ==
          binomial(c.s + static_cast<int>(c.k) - 1, static_cast<int>(c.k) - 1));
    std::set<std::vector<double>> distinct(lattice.begin(), lattice.end());
    CHECK(distinct.size() == lattice.size());
    for (const auto& lambda : lattice) {
      REQUIRE(lambda.size() == c.k);
      double sum = 0;
      for (double w : lambda) {
        sum += w;
        const double steps = w * c.s;  // a multiple of 1/s in [0, 1]
        CHECK(std::abs(steps - std::round(steps)) < 1e-12);
        CHECK(w >= 0.0);
        CHECK(w <= 1.0);
      }
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
    }
  }
  // Two objectives, s = 10: (0, 1), (0.1, 0.9), ..., (1, 0).
  const auto two = simplex_lattice(2, 10);
  CHECK(two.front() == std::vector<double>{0.0, 1.0});
  CHECK(two[3][0] == doctest::Approx(0.3));
  CHECK(two[3][1] == doctest::Approx(0.7));
  CHECK(two.back() == std::vector<double>{1.0, 0.0});
}

TEST_CASE("augmented Tchebycheff values and the [0, 1] normalisation, computed by hand") {
  // max(0.3 * 0.2, 0.7 * 0.6) + 0.05 * (0.06 + 0.42) = 0.42 + 0.024.
  CHECK(augmented_tchebycheff({0.2, 0.6}, {0.3, 0.7}, 0.05) == doctest::Approx(0.444));
  // max(0.5 * 1, 0.25 * 0, 0.25 * 0.4) + 0.05 * 0.6 = 0.53.
  CHECK(augmented_tchebycheff({1.0, 0.0, 0.4}, {0.5, 0.25, 0.25}, 0.05) == doctest::Approx(0.53));
  // rho = 0: the plain weighted Tchebycheff; a zero weight ignores its objective.
  CHECK(augmented_tchebycheff({0.9, 0.1}, {0.0, 1.0}, 0.0) == doctest::Approx(0.1));

  const ObjectiveRanges ranges = ObjectiveRanges::of({{1.0, 5.0, 2.0}, {3.0, -5.0, 2.0}});
  CHECK(ranges.min == std::vector<double>{1.0, -5.0, 2.0});
  CHECK(ranges.max == std::vector<double>{3.0, 5.0, 2.0});
  const auto n = ranges.normalise({2.0, 0.0, 2.0});
  CHECK(n[0] == doctest::Approx(0.5));
  CHECK(n[1] == doctest::Approx(0.5));
  CHECK(n[2] == 0.0);  // zero range
}

TEST_CASE("expected improvement matches hand values and numerical integration") {
  // At the incumbent: EI = sigma phi(0) = sigma / sqrt(2 pi).
  CHECK(expected_improvement(1.0, 2.0, 1.0) ==
        doctest::Approx(2.0 / std::sqrt(2 * std::numbers::pi)));
  // No uncertainty: the plain improvement, or 0.
  CHECK(expected_improvement(0.5, 0.0, 1.0) == doctest::Approx(0.5));
  CHECK(expected_improvement(1.5, 0.0, 1.0) == 0.0);
  // Against the integral of max(best - y, 0) N(y; mean, std^2) dy (Simpson, 20,000 steps).
  struct Case {
    double mean, stddev, best;
  };
  for (const Case& c : {Case{0.0, 1.0, 0.5}, Case{2.0, 0.5, 1.0}, Case{-1.0, 3.0, 0.3}}) {
    CAPTURE(c.mean);
    const double lo = c.mean - 12 * c.stddev, hi = c.best;
    const int steps = 20000;
    const double h = (hi - lo) / steps;
    double integral = 0;
    for (int i = 0; i <= steps; ++i) {
      const double y = lo + i * h;
      const double z = (y - c.mean) / c.stddev;
      const double f =
          (c.best - y) * std::exp(-0.5 * z * z) / (c.stddev * std::sqrt(2 * std::numbers::pi));
      integral += f * (i == 0 || i == steps ? 1 : (i % 2 ? 4 : 2));
    }
    integral *= h / 3;
    CHECK(expected_improvement(c.mean, c.stddev, c.best) ==
          doctest::Approx(integral).epsilon(1e-6));
  }
  // A hand value: mean 0, std 1, best 0.5: 0.5 Phi(0.5) + phi(0.5) = 0.5 * 0.691462 + 0.352065.
  CHECK(expected_improvement(0.0, 1.0, 0.5) == doctest::Approx(0.697797).epsilon(1e-5));
}

TEST_CASE("parego scalarises feasible points and ranks infeasible ones by violation below them") {
  ToySpace space(3, 3);
  ConfigNode options = ConfigNode::parse("{}", "o.yaml");
  Parego parego(space, ParegoOptions::parse(options), kTwoObjectives, 0);
  // Feasible: (a, c) = (4, 1), (2, 3), (0, 5): minimised (-4, 1), (-2, 3), (0, 5), ranges
  // [-4, 0] x [1, 5], normalised (0, 0), (0.5, 0.5), (1, 1).
  parego.tell(Candidate{{0, 0, 0}}, complete(4, 1));
  parego.tell(Candidate{{0, 0, 1}}, complete(2, 3));
  parego.tell(Candidate{{0, 0, 2}}, complete(0, 5));
  parego.tell(Candidate{{0, 1, 0}},
              infeasible(9, 0, "constraint 'area_mm2 <= 2' violated: area_mm2 = 2.5"));  // 0.25
  parego.tell(Candidate{{0, 1, 1}},
              infeasible(9, 0, "constraint 'area_mm2 <= 2' violated: area_mm2 = 9"));  // 3.5 -> 1
  parego.tell(Candidate{{0, 1, 2}}, infeasible(9, 0, "no parsable reason"));  // unknown -> 1
  parego.tell(Candidate{{0, 2, 0}}, TrialResult::failed("crash"));
  parego.tell(Candidate{{0, 2, 1}}, TrialResult::pruned("stopped early"));
  parego.tell(Candidate{{0, 2, 2}}, TrialResult::complete({}));  // objectives missing
  REQUIRE(parego.points().size() == 6);  // failed, pruned and incomplete results never enter
  CHECK(parego.points()[3].feasible == false);
  CHECK(parego.points()[3].violation == doctest::Approx(0.25));
  const auto f = parego.scalarised({0.3, 0.7});
  REQUIRE(f.size() == 6);
  CHECK(f[0] == doctest::Approx(0.0));
  CHECK(f[1] == doctest::Approx(0.35 + 0.05 * 0.5));  // max(0.15, 0.35) + 0.05 * 0.5
  CHECK(f[2] == doctest::Approx(0.7 + 0.05 * 1.0));
  const double worst = f[2];
  CHECK(f[3] == doctest::Approx(worst + 0.25));
  CHECK(f[4] == doctest::Approx(worst + 1.0));  // capped
  CHECK(f[5] == doctest::Approx(worst + 1.0));  // unknown violation
  // The infeasible points' own (better) objectives do not widen the normalisation ranges.
  CHECK(parego.scalarised({1.0, 0.0})[1] == doctest::Approx(0.5 + 0.05 * 0.5));

  // The state records the modelled values: the same candidates with one objective changed differ.
  Parego same(space, ParegoOptions::parse(options), kTwoObjectives, 0);
  Parego changed(space, ParegoOptions::parse(options), kTwoObjectives, 0);
  same.tell(Candidate{{0, 0, 0}}, complete(4, 1));
  changed.tell(Candidate{{0, 0, 0}}, complete(4, 1.5));
  CHECK(same.state() != changed.state());
  Parego again(space, ParegoOptions::parse(options), kTwoObjectives, 0);
  again.tell(Candidate{{0, 0, 0}}, complete(4, 1));
  CHECK(same.state() == again.state());

  // With no feasible point yet, the target is the capped violation alone.
  Parego only_infeasible(space, ParegoOptions::parse(options), kTwoObjectives, 0);
  only_infeasible.tell(Candidate{{1, 0, 0}},
                       infeasible(1, 1, "constraint 'a <= 1' violated: a = 1.5"));
  only_infeasible.tell(Candidate{{1, 0, 1}},
                       TrialResult::infeasible("constraint 'a <= 1' violated: a = 3"));
  const auto g = only_infeasible.scalarised({0.5, 0.5});
  CHECK(g[0] == doctest::Approx(0.5));
  CHECK(g[1] == doctest::Approx(1.0));
}

TEST_CASE("parego trains on the best half and a random rest, and pools unseen mutants") {
  ToySpace space(6, 4);
  ConfigNode options = ConfigNode::parse(
      "{max_train_points: 6, num_parents: 2, num_candidates: 30, num_random: 5}", "o.yaml");
  Parego parego(space, ParegoOptions::parse(options), kTwoObjectives, 4);
  Rng rng(1);
  std::set<Candidate> told;
  for (int i = 0; i < 10; ++i) {
    Candidate c = space.sample(rng);
    if (!told.insert(c).second) continue;
    parego.tell(c, toy(c));
  }
  std::vector<double> targets(parego.points().size());
  for (std::size_t i = 0; i < targets.size(); ++i) targets[i] = static_cast<double>((i * 7) % 10);
  std::set<std::size_t> best3;  // the three smallest targets
  for (std::size_t i = 0; i < targets.size(); ++i)
    if (targets[i] <= 2.0) best3.insert(i);
  for (int draw = 0; draw < 20; ++draw) {
    const auto subset = parego.training_subset(targets);
    REQUIRE(subset.size() == 6);
    CHECK(std::is_sorted(subset.begin(), subset.end()));
    CHECK(std::set<std::size_t>(subset.begin(), subset.end()).size() == 6);
    for (std::size_t i : best3) CHECK(std::count(subset.begin(), subset.end(), i) == 1);
  }
  // Fewer points than the cap: all of them.
  CHECK(parego.training_subset({1.0, 2.0, 3.0}).size() == 3);

  const Candidate excluded = space.sample(rng);
  const auto pool = parego.candidate_pool(targets, {excluded});
  CHECK(pool.size() <= 35);  // 30 mutants and 5 random at most
  CHECK(pool.size() >= 20);
  CHECK(std::set<Candidate>(pool.begin(), pool.end()).size() == pool.size());
  for (const Candidate& c : pool) {
    CHECK(told.count(c) == 0);
    CHECK(c != excluded);
  }

  // Crossovers only: every member is a one-point crossover child (a prefix of one evaluated point,
  // the rest of another) and never an evaluated point.
  Parego crossing(space,
                  ParegoOptions::parse(ConfigNode::parse(
                      "{num_candidates: 0, num_random: 0, num_crossovers: 3}", "o.yaml")),
                  kTwoObjectives, 5);
  for (const Candidate& c : told) crossing.tell(c, toy(c));
  const auto children = crossing.candidate_pool(targets, {});
  CHECK(!children.empty());
  CHECK(children.size() <= 3 * 2 * 5);  // 3 pairs, 2 children at each of 5 cuts
  for (const Candidate& child : children) {
    CHECK(told.count(child) == 0);
    bool is_child = false;
    for (const Candidate& a : told)
      for (const Candidate& b : told)
        for (std::size_t cut = 1; cut < 6 && !is_child; ++cut) {
          Candidate mix = a;
          for (std::size_t d = cut; d < 6; ++d) mix.decisions[d] = b.decisions[d];
          is_child = mix == child;
        }
    CHECK(is_child);
  }
}

TEST_CASE("parego hands out rounds of q, waits for every result, and replays exactly") {
  ToySpace space(6, 4);
  const std::string yaml = "{num_init: 5, queries_per_round: 3, num_candidates: 20}";
  auto original = make("parego", space, yaml, 3, kTwoObjectives);
  auto initial = original->ask(8);
  REQUIRE(initial.size() == 5);
  CHECK(std::set<Candidate>(initial.begin(), initial.end()).size() == 5);
  CHECK(original->ask(1).empty());  // the first round waits for the initial results
  std::vector<std::pair<std::vector<Candidate>, std::vector<Candidate>>> events;  // (asked, told)
  std::vector<std::pair<Candidate, TrialResult>> told;
  int step = 0;
  auto tell = [&](Strategy& s, const Candidate& c) {
    TrialResult r = toy(c);
    if (step % 5 == 1) r = TrialResult::failed("flaky");
    if (step % 5 == 3)
      r = TrialResult::infeasible("constraint 'a <= 4' violated: a = 6", r.metrics);
    ++step;
    s.tell(c, r);
    told.emplace_back(c, r);
  };
  events.push_back({initial, {initial.rbegin(), initial.rend()}});
  for (auto it = initial.rbegin(); it != initial.rend(); ++it) tell(*original, *it);  // any order
  std::set<Candidate> all(initial.begin(), initial.end());
  for (int round = 0; round < 4; ++round) {
    auto first = original->ask(2);
    auto second = original->ask(2);
    CHECK(first.size() == 2);
    CHECK(second.size() == 1);  // q = 3 per round
    CHECK(original->ask(2).empty());
    std::vector<Candidate> asked = first;
    asked.insert(asked.end(), second.begin(), second.end());
    for (const auto& c : asked) CHECK(all.insert(c).second);  // never proposed twice
    events.push_back({first, {}});
    events.push_back({second, {asked.rbegin(), asked.rend()}});
    for (auto it = asked.rbegin(); it != asked.rend(); ++it) tell(*original, *it);
  }
  CHECK(dynamic_cast<Parego&>(*original).rounds() == 4);
  CHECK(original->state().find(" points_digest=") != std::string::npos);
  CHECK(original->state().find(" rng=") != std::string::npos);

  auto replayed = make("parego", space, yaml, 3, kTwoObjectives);
  std::size_t next_tell = 0;
  for (const auto& event : events) {
    CHECK(replayed->ask(event.first.size()) == event.first);
    for (std::size_t i = 0; i < event.second.size(); ++i, ++next_tell)
      replayed->tell(told[next_tell].first, told[next_tell].second);
  }
  CHECK(replayed->state() == original->state());
  CHECK(replayed->ask(3) == original->ask(3));
  CHECK(make("parego", space, yaml, 4, kTwoObjectives)->ask(5) != initial);
}

TEST_CASE("parego recovers most of a toy's exact front and beats random search") {
  // A behavioural check that can fail. The exact front by brute force over all 4,096 candidates;
  // the reference point is the worst value of each objective over the whole space.
  ToySpace space(6, 4);
  std::vector<ObjectiveVector> every;
  for (const Candidate& c : all_candidates(space)) every.push_back(minimised(toy(c)));
  ObjectiveVector reference = every.front();
  for (const auto& p : every)
    for (std::size_t j = 0; j < p.size(); ++j) reference[j] = std::max(reference[j], p[j]);
  std::set<ObjectiveVector> front;
  for (std::size_t i : pareto_front(every)) front.insert(every[i]);
  const double exact = hypervolume({front.begin(), front.end()}, reference);
  REQUIRE(front.size() == 19);  // one point per total 0..18

  const int seeds = 5, budget = 80;
  double parego_mean = 0, random_mean = 0, parego_recovered = 0, random_recovered = 0;
  int wins = 0;
  auto recovered = [&](const std::set<ObjectiveVector>& found) {
    int count = 0;
    for (const auto& point : front) count += found.count(point) > 0;
    return static_cast<double>(count) / static_cast<double>(front.size()) / seeds;
  };
  for (int seed = 0; seed < seeds; ++seed) {
    auto parego = make("parego", space, "{}", static_cast<std::uint64_t>(seed), kTwoObjectives);
    auto random = make("random", space, "{}", static_cast<std::uint64_t>(seed), kTwoObjectives);
    std::set<ObjectiveVector> parego_found, random_found;
    const double p = hypervolume_after(*parego, budget, reference, &parego_found) / exact;
    const double r = hypervolume_after(*random, budget, reference, &random_found) / exact;
    parego_mean += p / seeds;
    random_mean += r / seeds;
    parego_recovered += recovered(parego_found);
    random_recovered += recovered(random_found);
    wins += p > r;
  }
  MESSAGE("after ", budget, " evaluations, mean of ", seeds, " seeds: hypervolume ratio parego ",
          parego_mean, " (wins ", wins, "), random ", random_mean,
          "; exact front points found: parego ", parego_recovered, ", random ", random_recovered);
  CHECK(parego_mean > random_mean);
  CHECK(wins >= 4);
  CHECK(parego_mean > 0.95);  // most of the front's hypervolume within 80 of 4,096 candidates
  CHECK(parego_recovered > 0.3);
  CHECK(parego_recovered > random_recovered + 0.1);
}

TEST_CASE("parego learns to avoid an infeasible region from penalised trials") {
  // Constraint a <= 9 on the toy: candidates with a larger total are INFEASIBLE, with the trial
  // loop's reason. parego keeps proposing, its later proposals are mostly feasible, and it finds
  // the feasible front's best-a points (a = 9 at the lowest cost).
  ToySpace space(6, 4);
  auto parego = make("parego", space, "{}", 2, kTwoObjectives);
  int late_infeasible = 0;
  double best_cost_at_9 = INFINITY;
  for (int i = 0; i < 80; ++i) {
    auto asked = parego->ask(1);
    REQUIRE(asked.size() == 1);
    TrialResult r = toy(asked[0]);
    const double a = r.metrics.at("a");
    if (a > 9) {
      r = TrialResult::infeasible("constraint 'a <= 9' violated: a = " + format_number(a),
                                  r.metrics);
      late_infeasible += i >= 40;
    } else if (a == 9) {
      best_cost_at_9 = std::min(best_cost_at_9, r.metrics.at("c"));
    }
    parego->tell(asked[0], r);
  }
  // Random search: about half of the 4,096 candidates have a > 9.
  MESSAGE("infeasible proposals among the last 40: ", late_infeasible);
  CHECK(late_infeasible <= 12);
  // The cheapest a = 9 by brute force: 23 (values 3,1,1,2,1,1 or 2,1,1,3,1,1 on weights
  // 1,2,3,1,2,3: 9 + 2 + 3 + 4 + 2 + 3).
  double exact_best = INFINITY;
  for (const Candidate& c : all_candidates(space)) {
    TrialResult r = toy(c);
    if (r.metrics.at("a") == 9) exact_best = std::min(exact_best, r.metrics.at("c"));
  }
  CHECK(exact_best == 23);
  MESSAGE("cheapest a = 9 found: ", best_cost_at_9);
  CHECK(best_cost_at_9 <= exact_best + 4);
}

TEST_CASE("parego rejects bad options and objective counts with one clear line") {
  ToySpace space(4, 3);
  auto error_of = [&](const std::string& yaml, std::vector<Objective> objectives) -> std::string {
    try {
      make("parego", space, yaml, 0, std::move(objectives));
    } catch (const Error& error) {
      return error.what();
    }
    return "";
  };
  CHECK(error_of("{}", {{"a", false}}) ==
        "parego needs 2 to 4 objectives, each with a direction (objectives: [{metric: accuracy, "
        "direction: maximize}, {metric: latency_ms, direction: minimize}]); got 1");
  CHECK(error_of("{}", {{"a", false}, {"b", true}, {"c", true}, {"d", true}, {"e", true}})
            .find("got 5") != std::string::npos);
  CHECK(error_of("{}", {{"a", false}, {"b", true}, {"c", true}, {"d", true}}).empty());
  CHECK(error_of("{rho: -1}", kTwoObjectives) ==
        "options.yaml:1:7: 'rho': rho -1 must be a number >= 0");
  CHECK(error_of("{max_train_points: 1}", kTwoObjectives).find("max_train_points") !=
        std::string::npos);
  CHECK(error_of("{num_candidates: 0, num_random: 0}", kTwoObjectives)
            .find("the pool would be empty") != std::string::npos);
  CHECK(error_of("{predictor: gpp}", kTwoObjectives).find("did you mean 'gp'") !=
        std::string::npos);
  CHECK(
      error_of("{predictor: gp, predictor_options: {kernel: cubic}}", kTwoObjectives).find("rbf") !=
      std::string::npos);
  CHECK(error_of("{predictor_options: {epochs: 0}}", kTwoObjectives).find("epochs") !=
        std::string::npos);  // the default predictor, mlp_ensemble, validates its options
  CHECK(error_of("{acquisition: ucb}", kTwoObjectives).find("acquisition") != std::string::npos);
  CHECK(error_of("{queries_per_round: 0}", kTwoObjectives).find("queries_per_round") !=
        std::string::npos);
}
