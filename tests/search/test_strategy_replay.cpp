// Every registered strategy: deterministic per seed, rebuilt exactly by replaying its history
// through ask/tell (what `tandem run --resume` does), and invalid options rejected with one clear
// line. Also the wrappers' behaviour: deduplicate, constraint_filter, retry.
#include <doctest/doctest.h>

#include <set>

#include "search/strategy.hpp"
#include "search/wrappers/strategy_wrappers.hpp"
#include "tests/search/toy_space.hpp"

using namespace tandem;
using tandem::testing::ToySpace;

namespace {

const std::vector<Objective> kObjectives = {{"score", false}, {"cost", true}};

std::string options_for(const std::string& name) {
  if (name == "deduplicate" || name == "retry")
    return "{strategy: {name: regularized_evolution, options: {population_size: 5}}}";
  if (name == "constraint_filter") return "";  // needs a graph: tested on nb201 elsewhere
  // Weight-sharing strategies need a space with a supernet: their own tests (test_darts*,
  // test_proxyless, test_spos, test_fewshot, test_darts_variants) check replay on nb201.
  if (strategy_registry().kind_of(name) == "weight-sharing") return "";
  if (name == "nsga2") return "{population_size: 6}";
  // nsga2_prescreen scores network graphs: replay is tested on nb201 in test_nsga2_prescreen.cpp.
  if (name == "nsga2_prescreen") return "";
  // decomposed_codesign needs a joint space: test_decomposed_codesign.cpp checks its replay.
  if (name == "decomposed_codesign") return "";
  if (name == "regularized_evolution") return "{population_size: 5}";
  if (name == "local_search") return "{num_init: 3}";
  if (name == "parego")
    return "{num_init: 4, num_candidates: 20, "
           "predictor_options: {members: 2, hidden_layers: 1, width: 8, epochs: 10}}";
  if (name == "pareto_local_search") return "{num_init: 3}";
  return "{}";
}

std::unique_ptr<Strategy> make(const std::string& name, const SearchSpace& space,
                               const std::string& yaml, std::uint64_t seed) {
  ConfigNode options = ConfigNode::parse(yaml, "options.yaml");
  StrategyContext context{space, options, seed, kObjectives};
  return strategy_registry().create(name, context);
}

TrialResult evaluate(const Candidate& c, int step) {
  Metrics m;
  m.set("score", ToySpace::score(c));
  m.set("cost", c.decisions[0] + c.decisions[1]);
  if (step % 7 == 3) return TrialResult::failed("flaky");
  if (c.decisions[0] == 3)
    return TrialResult::infeasible("constraint 'score <= 10' violated: score = 11", m);
  return TrialResult::complete(m);
}

std::string error_of(const std::string& name, const std::string& yaml,
                     std::vector<Objective> objectives = kObjectives) {
  ToySpace space(4, 3);
  ConfigNode options = ConfigNode::parse(yaml, "options.yaml");
  StrategyContext context{space, options, 0, std::move(objectives)};
  try {
    strategy_registry().create(name, context);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every strategy is deterministic and rebuilt exactly by replaying its history") {
  ToySpace space(5, 4);
  for (const auto& name : strategy_registry().names()) {
    const std::string yaml = options_for(name);
    if (yaml.empty()) continue;
    CAPTURE(name);
    auto original = make(name, space, yaml, 9);
    std::vector<std::pair<Candidate, TrialResult>> history;
    for (int step = 0; step < 60 && !original->finished(); ++step) {
      auto asked = original->ask(1);
      REQUIRE(asked.size() == 1);
      TrialResult result = evaluate(asked[0], step);
      original->tell(asked[0], result);
      history.emplace_back(asked[0], result);
    }
    auto replayed = make(name, space, yaml, 9);
    for (const auto& [candidate, result] : history) {
      auto asked = replayed->ask(1);
      REQUIRE(asked.size() == 1);
      CHECK(asked[0] == candidate);
      replayed->tell(candidate, result);
    }
    CHECK(replayed->state() == original->state());
    CHECK(replayed->ask(1) == original->ask(1));
    auto other_seed = make(name, space, yaml, 10);
    CHECK(other_seed->ask(3) != make(name, space, yaml, 9)->ask(3));
  }
}

TEST_CASE("invalid strategy options are one clear line") {
  CHECK(error_of("nsga2", "{population_size: 10}", {{"score", false}}) ==
        "nsga2 needs 2 to 4 objectives, each with a direction (objectives: [{metric: accuracy, "
        "direction: maximize}, {metric: latency_ms, direction: minimize}]); got 1");
  CHECK(error_of("nsga2", "{mutation_rate: -0.1}") ==
        "options.yaml:1:17: 'mutation_rate': mutation_rate -0.1 is not a probability; accepted: 0 "
        "<= mutation_rate <= 1");
  CHECK(error_of("nsga2", "{population_size: 1}").find("population_size") != std::string::npos);
  CHECK(error_of("reinforce", "{learning_rate: -1}") ==
        "options.yaml:1:17: 'learning_rate': learning_rate -1 must be a number > 0");
  CHECK(error_of("reinforce", "{entropy_weight: -0.5}").find("must be a number >= 0") !=
        std::string::npos);
  CHECK(error_of("reinforce", "{policy: gru}").find("accepted: categorical, lstm") !=
        std::string::npos);
  CHECK(error_of("reinforce", "{hidden_size: 8}") ==
        "options.yaml:1:15: 'hidden_size': hidden_size applies to `policy: lstm` only");
  CHECK(error_of("marl", "{groups: {a: [d0, d1]}}") ==
        "options.yaml:1:10: 'groups': every decision needs a group; missing: d2, d3");
  CHECK(error_of("marl", "{groups: {a: [d0, d1, d2, dd3]}}").find("unknown decision 'dd3' (did you mean 'd3'?)") !=
        std::string::npos);
  CHECK(error_of("codesign_rl", "{specs: {latency_ms: -2}}").find("must be a number > 0") !=
        std::string::npos);
  CHECK(error_of("deduplicate", "{}").find("deduplicate wraps another strategy") != std::string::npos);
  CHECK(error_of("retry", "{strategy: {name: regularized_evolution, options: {population_size: 2, sample_size: 3}}}")
            .find("sample_size 3 exceeds population_size 2") != std::string::npos);
  CHECK(error_of("retry", "{strategy: nsga}").find("did you mean 'nsga2'") != std::string::npos);
  CHECK(error_of("local_search", "{num_init: 0}").find("num_init") != std::string::npos);
}

TEST_CASE("deduplicate never hands out a candidate twice while unseen ones remain") {
  ToySpace space(2, 3);  // 9 candidates
  auto dedup = make("deduplicate", space, "{strategy: random}", 4);
  std::set<Candidate> seen;
  for (int i = 0; i < 9; ++i) {
    auto c = dedup->ask(1);
    REQUIRE(c.size() == 1);
    CHECK(seen.insert(c[0]).second);
    dedup->tell(c[0], evaluate(c[0], 0));
  }
  CHECK(dynamic_cast<Deduplicate&>(*dedup).skipped() > 0);
  // Pending duplicates are held back too: ask several before telling.
  auto fresh = make("deduplicate", space, "{strategy: random}", 5);
  auto batch = fresh->ask(9);
  CHECK(std::set<Candidate>(batch.begin(), batch.end()).size() == 9);
}

TEST_CASE("retry asks a failed candidate again before the inner strategy hears of it") {
  ToySpace space(3, 3);
  auto retry = make("retry", space, "{strategy: random, max_retries: 2}", 1);
  auto first = retry->ask(1)[0];
  retry->tell(first, TrialResult::failed("transient"));
  CHECK(retry->ask(1)[0] == first);
  retry->tell(first, TrialResult::failed("transient"));
  CHECK(retry->ask(1)[0] == first);
  retry->tell(first, TrialResult::failed("still failing"));  // third failure: given up
  CHECK(retry->ask(1)[0] != first);
  CHECK(retry->state().find("told=1") != std::string::npos);  // the inner random search heard once
}

TEST_CASE("constraint_filter never hands out a candidate whose graph breaks a constraint") {
  auto space = space_registry().create("nb201", ConfigNode());
  ConfigNode options = ConfigNode::parse(
      "{strategy: random, constraints: ['params <= 400000']}", "options.yaml");
  StrategyContext context{*space, options, 2, kObjectives};
  auto filter = strategy_registry().create("constraint_filter", context);
  for (int i = 0; i < 40; ++i) {
    auto c = filter->ask(1);
    REQUIRE(c.size() == 1);
    CHECK(space->to_graph(c[0]).total_params() <= 400000);
    filter->tell(c[0], TrialResult::complete({}));
  }
  CHECK(dynamic_cast<ConstraintFilter&>(*filter).rejected() > 0);
  CHECK(error_of("constraint_filter", "{strategy: random, constraints: ['flops <= 3']}")
            .find("unknown graph metric 'flops'") != std::string::npos);
}
