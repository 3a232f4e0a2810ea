// local_search, nsga2, reinforce, marl and codesign_rl on small spaces with known optima:
// convergence to the optimum of separable objectives, the exact Pareto front of a bi-objective
// toy, constrained domination, and the NASAIC reward against hand-computed values.
#include <doctest/doctest.h>

#include "search/rl/codesign_rl.hpp"
#include "search/sampling/local_search.hpp"
#include "search/rl/marl.hpp"
#include "search/multi_objective/nsga2.hpp"
#include "search/rl/reinforce.hpp"
#include "tests/search/toy_space.hpp"

using namespace tandem;
using tandem::testing::ToySpace;

namespace {

std::unique_ptr<Strategy> make(const std::string& name, const SearchSpace& space,
                               const std::string& options_yaml, std::uint64_t seed,
                               std::vector<Objective> objectives = {Objective{"score", false, {}}}) {
  ConfigNode options = ConfigNode::parse(options_yaml, "options.yaml");
  StrategyContext context{space, options, seed, std::move(objectives)};
  return strategy_registry().create(name, context);
}

TrialResult scored(const Candidate& c) {
  Metrics m;
  m.set("score", ToySpace::score(c));
  return TrialResult::complete(m);
}

double best_of(Strategy& strategy, int budget) {
  double best = -1;
  for (int i = 0; i < budget; ++i) {
    auto asked = strategy.ask(1);
    REQUIRE(asked.size() == 1);
    TrialResult r = scored(asked[0]);
    strategy.tell(asked[0], r);
    best = std::max(best, r.metrics.at("score"));
  }
  return best;
}

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

TEST_CASE("reinforce converges on a separable objective with either policy") {
  ToySpace space(6, 4);  // optimum 18
  auto categorical = make("reinforce", space, "{learning_rate: 0.1}", 1);
  best_of(*categorical, 600);
  // After learning, samples from the policy are near-optimal on average.
  double total = 0;
  for (int i = 0; i < 50; ++i) total += ToySpace::score(categorical->ask(1)[0]);
  CHECK(total / 50 > 16.5);

  auto lstm = make("reinforce", space, "{policy: lstm, learning_rate: 0.01, batch_size: 1}", 1);
  double early = 0, late = 0;
  for (int i = 0; i < 800; ++i) {
    auto c = lstm->ask(1)[0];
    auto r = scored(c);
    if (i < 100) early += r.metrics.at("score");
    if (i >= 700) late += r.metrics.at("score");
    lstm->tell(c, r);
  }
  MESSAGE("lstm mean score: first 100 " << early / 100 << ", last 100 " << late / 100);
  CHECK(late / 100 > early / 100 + 3.0);
}

TEST_CASE("marl: agents per decision group learn from one shared reward") {
  ToySpace space(6, 4);
  auto marl = make("marl", space, "{learning_rate: 0.1, groups: {left: [d0, d1, d2], right: [d3, d4, d5]}}", 2);
  REQUIRE(dynamic_cast<MultiAgentReinforce&>(*marl).groups().size() == 2);
  best_of(*marl, 600);
  double total = 0;
  for (int i = 0; i < 50; ++i) total += ToySpace::score(marl->ask(1)[0]);
  CHECK(total / 50 > 16.5);
}

TEST_CASE("marl default groups follow accelerator parameter names") {
  class HardwareToy final : public SearchSpace {
   public:
    HardwareToy() {
      for (const char* name : {"hw.rows", "hw.cols", "hw.ifmap_sram_kb", "hw.dram_bytes_per_cycle",
                               "edge 1<-0", "hw.dataflow"})
        decisions_.push_back({name, {"a", "b"}});
    }
    std::string name() const override { return "hwtoy"; }
    std::string summary() const override { return ""; }
    const std::vector<Decision>& decisions() const override { return decisions_; }
    std::string to_string(const Candidate&) const override { return ""; }
    Candidate parse(const std::string&) const override { return {}; }
    ComputeGraph to_graph(const Candidate&, const GraphOptions&) const override { return {}; }

   private:
    std::vector<Decision> decisions_;
  } space;
  auto groups = default_agent_groups(space);
  REQUIRE(groups.size() == 4);
  CHECK(groups[0].name == "compute");
  CHECK(groups[0].decisions == std::vector<std::size_t>{0, 1, 5});
  CHECK(groups[1].decisions == std::vector<std::size_t>{2});
  CHECK(groups[2].decisions == std::vector<std::size_t>{3});
  CHECK(groups[3].name == "network");
  CHECK(groups[3].decisions == std::vector<std::size_t>{4});
}

TEST_CASE("codesign reward: accuracy within specs, penalty-only when a spec is violated") {
  CodesignRewardOptions options;
  options.accuracy = {"acc_a", "acc_b"};
  options.accuracy_weights = {0.75, 0.25};
  options.specs = {{"latency_ms", 10.0}, {"area_mm2", 2.0}};
  options.beta = 0.6;
  Metrics within;
  within.set("acc_a", 90);
  within.set("acc_b", 70);
  within.set("latency_ms", 8);
  within.set("area_mm2", 2);
  // 0.6 * (0.75 * 90 + 0.25 * 70) = 0.6 * 85 = 51.
  CHECK(*codesign_reward(options, TrialResult::complete(within)) == doctest::Approx(51.0));
  Metrics over = within;
  over.set("latency_ms", 15);  // 15/10 - 1 = 0.5
  over.set("area_mm2", 3);     // 3/2 - 1 = 0.5
  CHECK(*codesign_reward(options, TrialResult::complete(over)) == doctest::Approx(-0.4 * 1.0));
  // An INFEASIBLE trial (experiment constraint outside the specs) is penalised by its violation.
  CHECK(*codesign_reward(options, TrialResult::infeasible(
                                      "constraint 'energy_mj <= 4' violated: energy_mj = 5",
                                      within)) == doctest::Approx(-0.4 * 0.25));
  CHECK_FALSE(codesign_reward(options, TrialResult::failed("oom")));
}

TEST_CASE("codesign_rl learns to meet a spec on a toy") {
  // score = accuracy; 'cost' = v0 (spec cost <= 1.5). The best feasible candidate has v0 <= 1 and
  // the rest maximal.
  ToySpace space(4, 3);
  auto controller =
      make("codesign_rl", space, "{specs: {cost: 1.5}, accuracy: score, learning_rate: 0.02, beta: 0.5}", 4);
  int late_violations = 0;
  for (int i = 0; i < 1500; ++i) {
    auto c = controller->ask(1)[0];
    Metrics m;
    m.set("score", ToySpace::score(c));
    m.set("cost", c.decisions[0]);
    if (i >= 1400) late_violations += c.decisions[0] > 1;
    controller->tell(c, TrialResult::complete(m));
  }
  CHECK(late_violations < 15);
}
