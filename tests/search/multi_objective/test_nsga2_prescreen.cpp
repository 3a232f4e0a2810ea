// nsga2_prescreen against independent truth: its generation 0 is exactly the best of its sample by
// the documented rule (recomputed here by brute force: fronts peeled by pairwise comparison, the
// last one cut in draw order), the seeded population of NB201 cells is more
// accurate than a uniform one (NAS-Bench-201 table), and replay is exact on nb201 (ToySpace has
// no graph, so test_strategy_replay.cpp leaves this strategy out).
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "predictors/zero_cost_proxies.hpp"
#include "search/multi_objective/nsga2.hpp"
#include "search/multi_objective/nsga2_prescreen.hpp"
#include "tests/search/strategy_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const std::vector<Objective> kAccuracyFlops = {{"c10valid_val_acc_12ep", false},
                                               {"flops_M_c10", true}};

std::unique_ptr<SearchSpace> nb201() { return space_registry().create("nb201", ConfigNode()); }

// a dominates b (both minimised).
bool dominates_brute(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (std::size_t m = 0; m < a.size(); ++m) {
    if (a[m] > b[m]) return false;
    better = better || a[m] < b[m];
  }
  return better;
}

// The documented rule, by brute force: peel non-dominated fronts (each point compared with every
// other one left), take whole fronts while they fit and the overflowing one in draw order.
std::vector<std::size_t> best_by_rule(const std::vector<std::vector<double>>& points,
                                      std::size_t count) {
  std::vector<std::size_t> left(points.size()), chosen;
  std::iota(left.begin(), left.end(), 0);
  while (chosen.size() < count && !left.empty()) {
    std::vector<std::size_t> front, rest;
    for (std::size_t i : left) {
      bool dominated = false;
      for (std::size_t j : left) dominated = dominated || dominates_brute(points[j], points[i]);
      (dominated ? rest : front).push_back(i);
    }
    for (std::size_t i : front)
      if (chosen.size() < count) chosen.push_back(i);
    left = rest;
  }
  return chosen;
}

Nsga2Prescreen& prescreen_of(Strategy& strategy) { return dynamic_cast<Nsga2Prescreen&>(strategy); }

std::string error_of(const SearchSpace& space, const std::string& yaml,
                     std::vector<Objective> objectives = kAccuracyFlops) {
  try {
    make("nsga2_prescreen", space, yaml, 0, std::move(objectives));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// NAS-Bench-201 table: architecture string -> column.
std::map<std::string, double> nb201_column(const std::string& column) {
  CsvTable table = CsvTable::read(std::string(TANDEM_SOURCE_DIR) +
                                  "/data/nas-bench-201/nb201_accuracy_cost.csv");
  const std::size_t arch = table.require_column("arch_str"), value = table.require_column(column);
  std::map<std::string, double> out;
  for (std::size_t r = 0; r < table.rows(); ++r)
    out[table.row(r)[arch]] = std::stod(table.row(r)[value]);
  return out;
}

}  // namespace

TEST_CASE("nsga2_prescreen: generation 0 is exactly the best of its sample by the documented rule") {
  // synflow x MACs (ENAS-TFI's pair): unlike params, synflow does not rise in step with MACs, so
  // the sample splits into several fronts.
  auto space = nb201();
  for (std::uint64_t seed : {0u, 1u}) {
    CAPTURE(seed);
    auto strategy = make("nsga2_prescreen", *space,
                         "{population_size: 12, prescreen_samples: 60, prescreen_proxy: synflow}",
                         seed, kAccuracyFlops);
    const Prescreen& screen = prescreen_of(*strategy).prescreen();
    // 60 uniform draws, repeats dropped.
    CHECK(screen.sample.size() <= 60);
    CHECK(screen.sample.size() > 50);
    CHECK(std::set<Candidate>(screen.sample.begin(), screen.sample.end()).size() ==
          screen.sample.size());
    CHECK(screen.column_names == std::vector<std::string>{"-synflow", "flops"});
    // Signals recomputed here: synflow at initialisation (seed 0, no data), MACs of the graph.
    std::vector<std::vector<double>> points;
    for (const Candidate& c : screen.sample) {
      const ComputeGraph graph = space->to_graph(c);
      points.push_back({-ZeroCostScorer(graph).score_one("synflow", nullptr),
                        static_cast<double>(graph.total_macs())});
    }
    const std::vector<std::size_t> expected = best_by_rule(points, 12);
    REQUIRE(expected.size() == 12);
    // Not simply the first draws.
    CHECK(*std::max_element(expected.begin(), expected.end()) >= 12);
    const std::vector<Candidate> asked = strategy->ask(12);
    REQUIRE(asked.size() == 12);
    for (std::size_t k = 0; k < 12; ++k) CHECK(asked[k] == screen.sample[expected[k]]);
    // The generation is the population: nothing more until it is told.
    CHECK(strategy->ask(1).empty());
  }
}

TEST_CASE("nsga2_prescreen: the selection rule on points whose fronts are known") {
  // Minimised pairs. Front 0: #1 (0,5), #3 (2,2), #4 (5,0); front 1: #0 (3,3), #5 (1,6),
  // #6 (6,1); front 2: #2 (4,4).
  const std::vector<ObjectiveVector> points = {{3, 3}, {0, 5}, {4, 4}, {2, 2},
                                               {5, 0}, {1, 6}, {6, 1}};
  CHECK(prescreen_select(points, 3) == std::vector<std::size_t>{1, 3, 4});
  CHECK(prescreen_select(points, 5) == std::vector<std::size_t>{1, 3, 4, 0, 5});
  CHECK(prescreen_select(points, 7) == std::vector<std::size_t>{1, 3, 4, 0, 5, 6, 2});
  CHECK(prescreen_select(points, 9).size() == 7);
  // One column: the best values, ties in draw order.
  CHECK(prescreen_select({{2}, {1}, {3}, {1}, {0}}, 3) == std::vector<std::size_t>{4, 1, 3});
}

TEST_CASE("nsga2_prescreen: with one signal the seeds are the top of the sample by the proxy") {
  // Abdelfattah et al.'s warmup: the population_size best-scored samples.
  auto space = nb201();
  auto strategy = make("nsga2_prescreen", *space,
                       "{population_size: 10, prescreen_samples: 200, prescreen_cost: none}", 4,
                       kAccuracyFlops);
  const Prescreen& screen = prescreen_of(*strategy).prescreen();
  CHECK(screen.column_names == std::vector<std::string>{"-params"});
  const std::vector<Candidate> asked = strategy->ask(10);
  REQUIRE(asked.size() == 10);
  std::int64_t smallest_seeded = std::numeric_limits<std::int64_t>::max();
  for (const Candidate& c : asked)
    smallest_seeded = std::min(smallest_seeded, space->to_graph(c).total_params());
  int larger_left_out = 0;
  for (const Candidate& c : screen.sample)
    if (std::find(asked.begin(), asked.end(), c) == asked.end())
      larger_left_out += space->to_graph(c).total_params() > smallest_seeded;
  CHECK(larger_left_out == 0);
}

TEST_CASE("nsga2_prescreen: the seeded NB201 population is more accurate than a uniform one") {
  // True 12-epoch CIFAR-10 validation accuracy from the shipped NAS-Bench-201 table, mean over
  // the 40 members of generation 0, 10 seeds each, against nsga2's uniform generation 0.
  const auto accuracy = nb201_column("c10valid_val_acc_12ep");
  auto space = nb201();
  auto mean_accuracy = [&](const std::string& name, const std::string& yaml) {
    double total = 0;
    int count = 0;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      auto strategy = make(name, *space, yaml, seed, kAccuracyFlops);
      for (const Candidate& c : strategy->ask(40)) {
        total += accuracy.at(space->to_string(c));
        ++count;
      }
    }
    REQUIRE(count == 400);
    return total / count;
  };
  const double uniform = mean_accuracy("nsga2", "{}");
  const double top_params = mean_accuracy("nsga2_prescreen", "{prescreen_cost: none}");
  MESSAGE("mean accuracy of generation 0: uniform " << uniform << ", top by params "
                                                    << top_params);
  CHECK(top_params > uniform + 5.0);
}

TEST_CASE("nsga2_prescreen: params x flops on NB201 is one front, so generation 0 is nsga2's") {
  // NB201 cells repeat one cell in every stage, so parameters and MACs rise together: no cell
  // has more parameters and fewer MACs than another, the whole sample is non-dominated and the
  // rule takes the first draws — exactly nsga2's uniform generation 0 for the same seed.
  auto space = nb201();
  for (std::uint64_t seed : {0u, 5u}) {
    auto seeded = make("nsga2_prescreen", *space, "{}", seed, kAccuracyFlops);
    auto plain = make("nsga2", *space, "{}", seed, kAccuracyFlops);
    CHECK(seeded->ask(40) == plain->ask(40));
    const Prescreen& screen = prescreen_of(*seeded).prescreen();
    int dominated = 0;
    for (const auto& a : screen.columns)
      for (const auto& b : screen.columns) dominated += dominates_brute(a, b);
    CHECK(dominated == 0);
  }
}

TEST_CASE("nsga2_prescreen: deterministic per seed and rebuilt exactly by replay on nb201") {
  auto space = nb201();
  const std::string yaml = "{population_size: 8, prescreen_samples: 100}";
  const auto flops = nb201_column("flops_M_c10");
  const auto accuracy = nb201_column("c10valid_val_acc_12ep");
  auto evaluate = [&](const Candidate& c, int step) {
    const std::string arch = space->to_string(c);
    Metrics m;
    m.set("c10valid_val_acc_12ep", accuracy.at(arch));
    m.set("flops_M_c10", flops.at(arch));
    if (step % 9 == 4) return TrialResult::failed("flaky");
    if (flops.at(arch) > 150)
      return TrialResult::infeasible("constraint 'flops_M_c10 <= 150' violated: flops_M_c10 = " +
                                         std::to_string(flops.at(arch)),
                                     m);
    return TrialResult::complete(m);
  };
  auto original = make("nsga2_prescreen", *space, yaml, 7, kAccuracyFlops);
  std::vector<std::pair<Candidate, TrialResult>> history;
  for (int step = 0; step < 40; ++step) {
    auto asked = original->ask(1);
    REQUIRE(asked.size() == 1);
    TrialResult result = evaluate(asked[0], step);
    original->tell(asked[0], result);
    history.emplace_back(asked[0], result);
  }
  auto replayed = make("nsga2_prescreen", *space, yaml, 7, kAccuracyFlops);
  for (const auto& entry : history) {
    auto asked = replayed->ask(1);
    REQUIRE(asked.size() == 1);
    CHECK(asked[0] == entry.first);
    replayed->tell(entry.first, entry.second);
  }
  CHECK(replayed->state() == original->state());
  CHECK(replayed->state().rfind("nsga2_prescreen samples=", 0) == 0);
  CHECK(replayed->ask(1) == original->ask(1));
  CHECK(make("nsga2_prescreen", *space, yaml, 8, kAccuracyFlops)->ask(8) !=
        make("nsga2_prescreen", *space, yaml, 7, kAccuracyFlops)->ask(8));
  // Past generation 0 it is NSGA-II: generation counter and population as nsga2 keeps them.
  CHECK(prescreen_of(*original).nsga2().generation() >= 1);
}

TEST_CASE("nsga2_prescreen: objectives sharing a signal share a column, and synflow is offered") {
  auto space = nb201();
  const std::vector<Objective> three = {
      {"accuracy", false}, {"latency_ms", true}, {"energy_mj", true}};
  auto strategy = make("nsga2_prescreen", *space, "{population_size: 4, prescreen_samples: 8}", 0,
                       three);
  CHECK(prescreen_of(*strategy).prescreen().column_names ==
        std::vector<std::string>{"-params", "flops"});
  // Explicit roles: the first objective is a cost, the others left out.
  auto roles = make("nsga2_prescreen", *space,
                    "{population_size: 4, prescreen_samples: 8, prescreen_proxy: synflow, "
                    "prescreen_signals: [cost, none, none]}",
                    0, three);
  CHECK(prescreen_of(*roles).prescreen().column_names == std::vector<std::string>{"flops"});
  auto synflow = make("nsga2_prescreen", *space,
                      "{population_size: 4, prescreen_samples: 6, prescreen_proxy: synflow}", 0,
                      three);
  CHECK(prescreen_of(*synflow).prescreen().column_names ==
        std::vector<std::string>{"-synflow", "flops"});
  CHECK(synflow->ask(4).size() == 4);
}

TEST_CASE("nsga2_prescreen: bad options and spaces without a graph are one clear line") {
  auto space = nb201();
  CHECK(error_of(*space, "{prescreen_proxy: snip}").find("accepted: flops, params, synflow") !=
        std::string::npos);
  CHECK(error_of(*space, "{population_size: 50, prescreen_samples: 20}") ==
        "nsga2_prescreen: prescreen_samples 20 is smaller than population_size 50; accepted: "
        "prescreen_samples >= population_size");
  CHECK(error_of(*space, "{prescreen_signals: [proxy]}").find("one entry per objective (2)") !=
        std::string::npos);
  CHECK(error_of(*space, "{prescreen_signals: [proxy, latency]}")
            .find("unknown prescreen signal 'latency'; accepted: proxy, cost, none") !=
        std::string::npos);
  CHECK(error_of(*space, "{prescreen_signals: [none, none]}")
            .find("has no signal to rank by") != std::string::npos);
  CHECK(error_of(*space, "{prescreen_sample: 10}").find("prescreen_samples") != std::string::npos);
  CHECK(error_of(*space, "{}", {{"accuracy", false}}).find("needs 2 to 4 objectives") !=
        std::string::npos);
  ToySpace toy(4, 3);
  CHECK(error_of(toy, "{population_size: 4, prescreen_samples: 10}") ==
        "nsga2_prescreen scores each candidate's network graph, and space 'toy' gives none: toy "
        "space has no graph");
}
