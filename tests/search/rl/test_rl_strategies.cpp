// reinforce, marl and codesign_rl on small spaces with known optima: convergence on separable
// objectives with either policy, MARL agent groups, and the NASAIC reward against hand-computed
// values.
#include <doctest/doctest.h>

#include "search/rl/codesign_rl.hpp"
#include "search/rl/marl.hpp"
#include "search/rl/reinforce.hpp"
#include "tests/search/strategy_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

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
