// bananas and predictor_evolution: the ask/tell round contract and replay, the acquisition
// functions and naszilla's mutation on hand-made cases, and a behavioural check that both beat
// random search on a synthetic landscape with interactions.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "search/model_based/bananas.hpp"
#include "search/model_based/predictor_evolution.hpp"
#include "tests/search/toy_space.hpp"

using namespace tandem;
using tandem::testing::ToySpace;

namespace {

const std::vector<Objective> kMaximizeScore = {{"score", false}};
// A small, fast ensemble for the contract tests (the defaults are exercised on nb201 elsewhere).
const char* kQuickEnsemble =
    "predictor_options: {members: 3, hidden_layers: 3, width: 10, epochs: 20}";

std::unique_ptr<Strategy> make(const std::string& name, const SearchSpace& space,
                               const std::string& yaml, std::uint64_t seed) {
  ConfigNode options = ConfigNode::parse(yaml, "options.yaml");
  StrategyContext context{space, options, seed, kMaximizeScore};
  return strategy_registry().create(name, context);
}

TrialResult scored(double value) {
  Metrics metrics;
  metrics.set("score", value);
  return TrialResult::complete(metrics);
}

// A landscape with pairwise interactions on 6 decisions of 5 values (15,625 candidates, the size
// of NAS-Bench-201): f = sum_i a_i(c_i) + sum_{i<j} b_ij(c_i, c_j), a and b standard normal.
class Landscape {
 public:
  explicit Landscape(std::uint64_t seed) {
    Rng rng(seed);
    for (auto& row : unary_)
      for (double& v : row) v = rng.normal();
    for (auto& pair : pairwise_)
      for (auto& row : pair)
        for (double& v : row) v = rng.normal();
  }
  double operator()(const Candidate& c) const {
    double total = 0;
    int pair = 0;
    for (int i = 0; i < 6; ++i) {
      total += unary_[i][c.decisions[i]];
      for (int j = i + 1; j < 6; ++j) total += pairwise_[pair++][c.decisions[i]][c.decisions[j]];
    }
    return total;
  }

 private:
  double unary_[6][5];
  double pairwise_[15][5][5];
};

double best_after(Strategy& strategy, const Landscape& f, int queries) {
  double best = -INFINITY;
  for (int q = 0; q < queries; ++q) {
    auto asked = strategy.ask(1);
    REQUIRE(asked.size() == 1);
    const double value = f(asked[0]);
    best = std::max(best, value);
    strategy.tell(asked[0], scored(value));
  }
  return best;
}

}  // namespace

TEST_CASE("bananas hands out rounds of k, waits for every result, and replays exactly") {
  ToySpace space(6, 4);
  const std::string yaml =
      std::string("{num_init: 5, queries_per_round: 4, ") + kQuickEnsemble + "}";
  auto original = make("bananas", space, yaml, 3);
  // The initial random candidates are distinct; the first round waits for all of them.
  auto initial = original->ask(8);
  REQUIRE(initial.size() == 5);
  CHECK(std::set<Candidate>(initial.begin(), initial.end()).size() == 5);
  CHECK(original->ask(1).empty());
  std::vector<std::pair<std::vector<Candidate>, std::vector<Candidate>>> events;  // (asked, told)
  std::vector<std::pair<Candidate, TrialResult>> told;
  auto tell = [&](Strategy& s, const Candidate& c) {
    TrialResult r = c.decisions[0] == 0 ? TrialResult::failed("flaky") : scored(ToySpace::score(c));
    s.tell(c, r);
    told.emplace_back(c, r);
  };
  events.push_back({initial, {}});
  for (auto it = initial.rbegin(); it != initial.rend(); ++it) tell(*original, *it);  // any order
  events.back().second = {initial.rbegin(), initial.rend()};
  std::set<Candidate> all(initial.begin(), initial.end());
  for (int round = 0; round < 4; ++round) {
    auto first = original->ask(3);
    auto second = original->ask(3);
    CHECK(first.size() == 3);
    CHECK(second.size() == 1);  // k = 4 per round
    CHECK(original->ask(2).empty());
    std::vector<Candidate> asked = first;
    asked.insert(asked.end(), second.begin(), second.end());
    for (const auto& c : asked) CHECK(all.insert(c).second);  // never proposed twice
    events.push_back({first, {}});
    events.push_back({second, {}});
    for (const auto& c : asked) tell(*original, c);
    events.back().second = asked;
  }
  CHECK(dynamic_cast<Bananas&>(*original).rounds() == 4);

  // Replaying the same asks and tells rebuilds the same state and the same next round.
  auto replayed = make("bananas", space, yaml, 3);
  std::size_t next_tell = 0;
  for (const auto& [asked, tells] : events) {
    CHECK(replayed->ask(asked.size()) == asked);
    for (std::size_t i = 0; i < tells.size(); ++i, ++next_tell)
      replayed->tell(told[next_tell].first, told[next_tell].second);
  }
  CHECK(replayed->state() == original->state());
  CHECK(replayed->ask(4) == original->ask(4));
  CHECK(original->state().find("history=[") != std::string::npos);
}

TEST_CASE("predictor_evolution is deterministic and replays exactly, failures included") {
  ToySpace space(5, 4);
  const std::string yaml = std::string(
                               "{num_init: 4, queries_per_round: 3, population_size: 12, "
                               "generations: 3, ") +
                           kQuickEnsemble + "}";
  auto original = make("predictor_evolution", space, yaml, 8);
  std::vector<std::pair<Candidate, TrialResult>> history;
  for (int step = 0; step < 19; ++step) {
    auto asked = original->ask(1);
    REQUIRE(asked.size() == 1);
    TrialResult r =
        step % 5 == 2 ? TrialResult::failed("flaky") : scored(ToySpace::score(asked[0]));
    original->tell(asked[0], r);
    history.emplace_back(asked[0], r);
  }
  CHECK(dynamic_cast<PredictorEvolution&>(*original).rounds() == 5);
  CHECK(dynamic_cast<PredictorEvolution&>(*original).last_round_scored() > 12);
  auto replayed = make("predictor_evolution", space, yaml, 8);
  for (const auto& [candidate, result] : history) {
    CHECK(replayed->ask(1) == std::vector<Candidate>{candidate});
    replayed->tell(candidate, result);
  }
  CHECK(replayed->state() == original->state());
  CHECK(replayed->ask(1) == original->ask(1));
  std::set<Candidate> distinct;
  for (const auto& entry : history) distinct.insert(entry.first);
  CHECK(distinct.size() == history.size());  // never proposes a candidate twice
}

TEST_CASE("acquisition functions order hand-made predictions") {
  Rng rng(0);
  Eigen::VectorXd mean(3), none(3), wide(3);
  mean << 1.0, 2.0, 3.0;
  none << 0.0, 0.0, 0.0;
  wide << 3.0, 0.0, 0.0;
  using V = std::vector<std::size_t>;
  // UCB: mean + 0.5 std = 2.5, 2, 3.
  CHECK(acquisition_order(mean, wide, Acquisition::upper_confidence_bound, 0.5, rng) == V{2, 0, 1});
  // beta 1: 4, 2, 3.
  CHECK(acquisition_order(mean, wide, Acquisition::upper_confidence_bound, 1.0, rng) == V{0, 2, 1});
  // Without uncertainty both reduce to the mean's order.
  CHECK(acquisition_order(mean, none, Acquisition::independent_thompson, 0.5, rng) == V{2, 1, 0});
  CHECK(acquisition_order(mean, none, Acquisition::upper_confidence_bound, 0.5, rng) == V{2, 1, 0});

  // ITS draws each candidate independently from N(mean, std): candidate 0 ~ N(0, 2) beats
  // candidate 1 (fixed at 1) with probability P(N(0, 2) > 1) = 1 - Phi(0.5) = 0.308538.
  Eigen::VectorXd m(2), s(2);
  m << 0.0, 1.0;
  s << 2.0, 0.0;
  int first = 0;
  const int draws = 20000;
  for (int i = 0; i < draws; ++i)
    first += acquisition_order(m, s, Acquisition::independent_thompson, 0.5, rng)[0] == 0;
  CHECK(static_cast<double>(first) / draws == doctest::Approx(0.308538).epsilon(0.05));
}

TEST_CASE("naszilla's mutation changes each decision with probability rate / (decisions - 2)") {
  ToySpace space(6, 5);  // as nb201: 6 decisions of 5 values, probability 1/4 per decision
  Rng rng(1);
  const Candidate parent{{0, 1, 2, 3, 4, 0}};
  const int draws = 40000;
  int changed_count[7] = {};
  int new_value[5] = {};  // values drawn for decision 0 (currently 0) when it changes
  for (int i = 0; i < draws; ++i) {
    Candidate child = bananas_mutate(space, parent, 1, rng);
    int changed = 0;
    for (int d = 0; d < 6; ++d) changed += child.decisions[d] != parent.decisions[d];
    ++changed_count[changed];
    ++new_value[child.decisions[0]];
  }
  // Binomial(6, 1/4): P(0) = 0.75^6 = 0.177979, P(1) = 6 * 0.25 * 0.75^5 = 0.355957,
  // P(2) = 15 * 0.25^2 * 0.75^4 = 0.296631.
  CHECK(changed_count[0] / double(draws) == doctest::Approx(0.177979).epsilon(0.04));
  CHECK(changed_count[1] / double(draws) == doctest::Approx(0.355957).epsilon(0.03));
  CHECK(changed_count[2] / double(draws) == doctest::Approx(0.296631).epsilon(0.03));
  // A changed decision takes one of the 4 other values uniformly: each 1/4 * 1/4 of all draws.
  for (int v = 1; v < 5; ++v)
    CHECK(new_value[v] / double(draws) == doctest::Approx(0.0625).epsilon(0.06));
  // Rate 2 doubles the probability: 1/2 per decision, P(0 changed) = 1/64.
  int unchanged = 0;
  for (int i = 0; i < draws; ++i) unchanged += bananas_mutate(space, parent, 2, rng) == parent;
  CHECK(unchanged / double(draws) == doctest::Approx(1.0 / 64).epsilon(0.15));
}

TEST_CASE("bananas candidates are distinct unseen mutants of the best, best parent first") {
  // 3 binary decisions: the probability is 1 / (3 - 2) = 1, so every decision flips and a
  // parent's only mutant is its complement. Best 000 gives 111; as that is short of
  // num_candidates, the second best 110 gives 001; 011 (fitness 1) is the third parent, whose
  // complement 100 also joins; the evaluated 101 is never a candidate.
  ToySpace space(3, 2);
  ConfigNode options =
      ConfigNode::parse(std::string("{num_init: 4, ") + kQuickEnsemble + "}", "o.yaml");
  Bananas bananas(space, BananasOptions::parse(options), kMaximizeScore.front(), 0);
  bananas.tell(Candidate{{1, 1, 0}}, scored(3));
  bananas.tell(Candidate{{0, 0, 0}}, scored(5));
  bananas.tell(Candidate{{0, 1, 1}}, scored(1));
  bananas.tell(Candidate{{1, 0, 1}}, TrialResult::failed("no fitness: never a parent"));
  std::vector<Candidate> expected = {Candidate{{1, 1, 1}}, Candidate{{0, 0, 1}},
                                     Candidate{{1, 0, 0}}};
  CHECK(bananas.mutation_candidates() == expected);

  // nb201-sized space, defaults: 100 mutants of the best parent, minus duplicates and the
  // unchanged ones (about 18%), then 100 of the second best: at least 100, fewer than 200.
  ToySpace big(6, 5);
  Bananas many(big, BananasOptions::parse(options), kMaximizeScore.front(), 1);
  Rng rng(2);
  std::set<Candidate> evaluated;
  for (int i = 0; i < 10; ++i) {
    Candidate c = big.sample(rng);
    evaluated.insert(c);
    many.tell(c, scored(i));
  }
  auto candidates = many.mutation_candidates();
  CHECK(candidates.size() >= 100);
  CHECK(candidates.size() < 200);
  CHECK(std::set<Candidate>(candidates.begin(), candidates.end()).size() == candidates.size());
  for (const auto& c : candidates) CHECK(!evaluated.count(c));
}

TEST_CASE("bananas and predictor_evolution beat random search on a landscape with interactions") {
  // A behavioural check that can fail: best value found in 60 queries, 8 seeds, one landscape per
  // seed; the model-based searches must find better candidates on average and in most runs.
  ToySpace space(6, 5);
  double random_mean = 0, bananas_mean = 0, evolution_mean = 0;
  int bananas_wins = 0, evolution_wins = 0;
  const int seeds = 8;
  for (int seed = 0; seed < seeds; ++seed) {
    Landscape f(100 + seed);
    auto random = make("random", space, "{}", seed);
    auto bananas = make("bananas", space, "{}", seed);
    auto evolution = make("predictor_evolution", space, "{generations: 10}", seed);
    const double r = best_after(*random, f, 60);
    const double b = best_after(*bananas, f, 60);
    const double e = best_after(*evolution, f, 60);
    random_mean += r / seeds;
    bananas_mean += b / seeds;
    evolution_mean += e / seeds;
    bananas_wins += b > r;
    evolution_wins += e > r;
  }
  MESSAGE("best after 60 queries, mean of ", seeds, " seeds: random ", random_mean, ", bananas ",
          bananas_mean, " (wins ", bananas_wins, "), predictor_evolution ", evolution_mean,
          " (wins ", evolution_wins, ")");
  CHECK(bananas_mean > random_mean);
  CHECK(evolution_mean > random_mean);
  CHECK(bananas_wins >= 6);
  CHECK(evolution_wins >= 6);
}

TEST_CASE("bananas and predictor_evolution reject bad options with one clear line") {
  ToySpace space(4, 3);
  auto error_of = [&](const std::string& name, const std::string& yaml) -> std::string {
    try {
      make(name, space, yaml, 0);
    } catch (const Error& error) {
      return error.what();
    }
    return "";
  };
  CHECK(error_of("bananas", "{acquisition: ei}").find("accepted: its, ucb") != std::string::npos);
  CHECK(error_of("bananas", "{ucb_beta: 1}") ==
        "options.yaml:1:12: 'ucb_beta': ucb_beta applies to `acquisition: ucb` only");
  CHECK(error_of("bananas", "{predictor: mlp_ensembel}").find("did you mean 'mlp_ensemble'") !=
        std::string::npos);
  CHECK(error_of("bananas", "{predictor_options: {epochs: 0}}").find("epochs") !=
        std::string::npos);
  CHECK(error_of("bananas", "{encoding: path}").find("toy") != std::string::npos);
  CHECK(error_of("bananas", "{num_init: 0}").find("num_init") != std::string::npos);
  CHECK(error_of("predictor_evolution", "{crossover_rate: 2}") ==
        "options.yaml:1:18: 'crossover_rate': crossover_rate 2 is not a probability; accepted: 0 "
        "<= crossover_rate <= 1");
  CHECK(error_of("predictor_evolution", "{population_size: 10, tournament_size: 11}")
            .find("tournament_size") != std::string::npos);
}
