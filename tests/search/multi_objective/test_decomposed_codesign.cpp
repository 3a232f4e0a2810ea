// decomposed_codesign against truth computed by hand and by brute force on a small joint space
// (a 64-network toy x 64 systolic arrays, 4,096 pairs) with an analytic latency and an area
// limit: the accelerator neighbourhood is exactly the one-decision changes and exchanges listed
// by hand; exchange moves escape the area trap that one-decision moves cannot; the whole front is
// found, also when different networks prefer different accelerators; parallel asks told out of
// order; replaying the history rebuilds the state; one-line errors.
#include <doctest/doctest.h>

#include <set>

#include "core/constraint.hpp"
#include "core/pareto.hpp"
#include "search/multi_objective/decomposed_codesign.hpp"
#include "spaces/joint_space.hpp"
#include "spaces/systolic_hw_space.hpp"
#include "tests/search/strategy_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const std::vector<Objective> kObjectives = {{"accuracy", false}, {"latency", true}};

// rows, cols {8..64}, dataflow {os, ws}, ifmap SRAM {32, 64} KB, the rest fixed.
std::unique_ptr<JointSpace> toy_joint() {
  ConfigNode options = ConfigNode::parse(
      "{rows: [8, 16, 32, 64], cols: [8, 16, 32, 64], dataflow: [os, ws], ifmap_sram_kb: [32, 64],"
      " filter_sram_kb: 32, ofmap_sram_kb: 32, dram_bytes_per_cycle: 32}",
      "accelerator.yaml");
  return std::make_unique<JointSpace>(std::make_unique<ToySpace>(3, 4),
                                      create_systolic_hw_space(options));
}

struct Pair {
  int net[3];
  int rows, cols;
  bool ws, big_sram;
};

Pair decode(const Candidate& c) {
  static const int sizes[] = {8, 16, 32, 64};
  return {{c.decisions[0], c.decisions[1], c.decisions[2]},
          sizes[c.decisions[3]],
          sizes[c.decisions[4]],
          c.decisions[5] == 1,
          c.decisions[6] == 1};
}

// accuracy = d0 + 2 d1 + 3 d2 (network only); work = 1 + d0 + 3 d1 + 6 d2; latency = work /
// (rows x cols) x (1 + 0.1 cols / rows) x dataflow factor (os 1; ws 1.3, or 0.7 for networks with
// d2 = 3 when `ws_for_heavy`); area = rows x cols / 256 (+ 0.25 with the larger SRAM) <= 1.
// Under the area limit the best array is 32 x 8 os; 16 x 16 os is a trap for one-decision moves
// (each neighbour is infeasible or slower) that the exchange rows x2, cols /2 escapes.
TrialResult evaluate(const Candidate& c, bool ws_for_heavy = false, double area_limit = 1.0) {
  const Pair p = decode(c);
  const double accuracy = p.net[0] + 2.0 * p.net[1] + 3.0 * p.net[2];
  const double work = 1.0 + p.net[0] + 3.0 * p.net[1] + 6.0 * p.net[2];
  const double flow = !p.ws ? 1.0 : (ws_for_heavy && p.net[2] == 3 ? 0.7 : 1.3);
  const double latency = work / (p.rows * p.cols) * (1.0 + 0.1 * p.cols / p.rows) * flow;
  const double area = p.rows * p.cols / 256.0 + (p.big_sram ? 0.25 : 0.0);
  Metrics m;
  m.set("accuracy", accuracy);
  m.set("latency", latency);
  m.set("area", area);
  if (area > area_limit)
    return TrialResult::infeasible("constraint 'area <= " + format_number(area_limit) +
                                       "' violated: area = " + format_number(area),
                                   m);
  return TrialResult::complete(m);
}

ObjectiveVector objectives_of(const TrialResult& r) { return *minimised_objectives(r, kObjectives); }

std::set<ObjectiveVector> brute_force_front(const JointSpace& space, bool ws_for_heavy) {
  std::vector<ObjectiveVector> points;
  Candidate c{std::vector<int>(space.decisions().size(), 0)};
  for (int index = 0; index < 4096; ++index) {
    int rest = index;
    for (std::size_t d = 0; d < 7; ++d) {
      const int radix = static_cast<int>(space.decisions()[d].choices.size());
      c.decisions[d] = rest % radix;
      rest /= radix;
    }
    TrialResult r = evaluate(c, ws_for_heavy);
    if (r.status == TrialStatus::complete) points.push_back(objectives_of(r));
  }
  std::set<ObjectiveVector> front;
  for (std::size_t i : pareto_front(points)) front.insert(points[i]);
  return front;
}

DecomposedCodesign& decomposed(Strategy& strategy) {
  return dynamic_cast<DecomposedCodesign&>(strategy);
}

Candidate pair(const JointSpace& space, const std::string& text) { return space.parse(text); }

const char* kNet = "1-2-3 @ ";

// The strategy as an experiment builds it: with the experiment's constraints in its context.
std::unique_ptr<Strategy> make_constrained(const SearchSpace& space, const std::string& yaml,
                                           std::uint64_t seed, const std::string& constraint,
                                           std::vector<Objective> objectives = kObjectives) {
  ConfigNode options = ConfigNode::parse(yaml, "options.yaml");
  StrategyContext context{space, options, seed, std::move(objectives)};
  context.constraints = {Constraint::parse(constraint, options)};
  return strategy_registry().create("decomposed_codesign", context);
}

// Runs until the first accelerator stage has put its accelerator into W; returns the INFEASIBLE
// results told on the way.
template <typename Evaluate>
int run_first_stage(Strategy& strategy, Evaluate evaluate) {
  int infeasible = 0;
  for (int i = 0; i < 200 && decomposed(strategy).working_accelerators().empty(); ++i) {
    auto asked = strategy.ask(1);
    REQUIRE(asked.size() == 1);
    TrialResult r = evaluate(asked[0]);
    infeasible += r.status == TrialStatus::infeasible;
    strategy.tell(asked[0], r);
  }
  REQUIRE(decomposed(strategy).working_accelerators().size() == 1);
  return infeasible;
}

}  // namespace

TEST_CASE("decomposed codesign: the accelerator neighbourhood is the one-decision changes and exchanges") {
  auto space = toy_joint();
  auto strategy = make("decomposed_codesign", *space, "{}", 0, kObjectives);
  const std::string acc = " dataflow=os ifmap_sram_kb=32 filter_sram_kb=32 ofmap_sram_kb=32 "
                          "dram_bytes_per_cycle=32";
  const Candidate from = pair(*space, std::string(kNet) + "rows=16 cols=16" + acc);
  std::set<Candidate> expected;
  auto add = [&](const std::string& text) { expected.insert(pair(*space, kNet + text)); };
  // One-decision changes: rows, cols to each other size, the other dataflow, the larger SRAM.
  for (const char* rows : {"8", "32", "64"}) add(std::string("rows=") + rows + " cols=16" + acc);
  for (const char* cols : {"8", "32", "64"}) add(std::string("rows=16 cols=") + cols + acc);
  add("rows=16 cols=16 dataflow=ws ifmap_sram_kb=32 filter_sram_kb=32 ofmap_sram_kb=32 "
      "dram_bytes_per_cycle=32");
  add("rows=16 cols=16 dataflow=os ifmap_sram_kb=64 filter_sram_kb=32 ofmap_sram_kb=32 "
      "dram_bytes_per_cycle=32");
  // Exchanges of the ordered parameters with more than one choice (rows, cols, ifmap SRAM): one a
  // step up, another a step down. The SRAM is at its lowest, so it can only go up.
  add("rows=32 cols=8" + acc);
  add("rows=8 cols=32" + acc);
  add("rows=8 cols=16 dataflow=os ifmap_sram_kb=64 filter_sram_kb=32 ofmap_sram_kb=32 "
      "dram_bytes_per_cycle=32");
  add("rows=16 cols=8 dataflow=os ifmap_sram_kb=64 filter_sram_kb=32 ofmap_sram_kb=32 "
      "dram_bytes_per_cycle=32");
  const auto neighbours = decomposed(*strategy).accelerator_neighbours(from);
  CHECK(std::set<Candidate>(neighbours.begin(), neighbours.end()) == expected);
  CHECK(neighbours.size() == expected.size());
  for (const auto& n : neighbours)  // the network part never moves
    CHECK(space->network_part(n) == space->network_part(from));

  auto without = make("decomposed_codesign", *space, "{exchange_moves: false}", 0, kObjectives);
  CHECK(decomposed(*without).accelerator_neighbours(from).size() == 8);
}

TEST_CASE("decomposed codesign: exchange moves reach the best array where one-decision moves get trapped") {
  auto space = toy_joint();
  const Candidate best_array =
      space->accelerator_part(pair(*space, std::string(kNet) +
                                               "rows=32 cols=8 dataflow=os ifmap_sram_kb=32 "
                                               "filter_sram_kb=32 ofmap_sram_kb=32 "
                                               "dram_bytes_per_cycle=32"));
  int trapped_without = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    CAPTURE(seed);
    for (const bool exchanges : {true, false}) {
      auto strategy = make("decomposed_codesign", *space,
                           exchanges ? "{rechecks: 0}" : "{rechecks: 0, exchange_moves: false}",
                           seed, kObjectives);
      for (int i = 0; i < 150 && decomposed(*strategy).working_accelerators().empty(); ++i) {
        auto asked = strategy->ask(1);
        REQUIRE(asked.size() == 1);
        strategy->tell(asked[0], evaluate(asked[0]));
      }
      const auto& working = decomposed(*strategy).working_accelerators();
      REQUIRE(working.size() == 1);
      if (exchanges)
        CHECK(working[0] == best_array);
      else
        trapped_without += working[0] != best_array;
    }
  }
  CHECK(trapped_without > 0);  // the trap is real: one-decision moves alone miss the best array
}

TEST_CASE("decomposed codesign finds the whole Pareto front of the toy joint space") {
  auto space = toy_joint();
  for (const bool ws_for_heavy : {false, true}) {
    const std::set<ObjectiveVector> front = brute_force_front(*space, ws_for_heavy);
    REQUIRE(front.size() >= 8);
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
      CAPTURE(ws_for_heavy);
      CAPTURE(seed);
      auto strategy = make("decomposed_codesign", *space, "{}", seed, kObjectives);
      std::set<ObjectiveVector> found;
      std::set<Candidate> asked_once;
      for (int i = 0; i < 900; ++i) {  // under a quarter of the 4,096 pairs
        auto asked = strategy->ask(1);
        REQUIRE(asked.size() == 1);
        CHECK(asked_once.insert(asked[0]).second);  // never the same pair twice
        TrialResult r = evaluate(asked[0], ws_for_heavy);
        strategy->tell(asked[0], r);
        if (r.status == TrialStatus::complete) found.insert(objectives_of(r));
      }
      for (const auto& point : front) CHECK(found.count(point) == 1);
      // Heavy networks prefer ws there: the front needs two accelerators, and both are worked on.
      if (ws_for_heavy) CHECK(decomposed(*strategy).working_accelerators().size() >= 2);
    }
  }
}

TEST_CASE("decomposed codesign: parallel asks with results told out of order") {
  auto space = toy_joint();
  const std::set<ObjectiveVector> front = brute_force_front(*space, false);
  auto strategy = make("decomposed_codesign", *space, "{}", 3, kObjectives);
  std::set<Candidate> asked_once;
  std::set<ObjectiveVector> found;
  int told = 0;
  while (told < 1000) {
    auto asked = strategy->ask(4);
    REQUIRE_FALSE(asked.empty());  // a stage boundary waits only while results are pending
    std::reverse(asked.begin(), asked.end());
    for (const auto& c : asked) {
      CHECK(asked_once.insert(c).second);
      TrialResult r = evaluate(c);
      strategy->tell(c, r);
      ++told;
      if (r.status == TrialStatus::complete) found.insert(objectives_of(r));
    }
  }
  for (const auto& point : front) CHECK(found.count(point) == 1);
}

TEST_CASE("decomposed codesign: replaying the history rebuilds the same state") {
  auto space = toy_joint();
  auto original = make("decomposed_codesign", *space, "{}", 11, kObjectives);
  std::vector<std::pair<Candidate, TrialResult>> history;
  for (int step = 0; step < 400; ++step) {
    auto asked = original->ask(step % 5 == 0 ? 3 : 1);
    for (const auto& c : asked) {
      TrialResult r = step % 13 == 4 ? TrialResult::failed("flaky") : evaluate(c);
      original->tell(c, r);
      history.emplace_back(c, r);
    }
  }
  auto replayed = make("decomposed_codesign", *space, "{}", 11, kObjectives);
  std::size_t at = 0;
  for (int step = 0; step < 400; ++step) {
    auto asked = replayed->ask(step % 5 == 0 ? 3 : 1);
    for (const auto& c : asked) {
      REQUIRE(at < history.size());
      CHECK(c == history[at].first);
      replayed->tell(c, history[at].second);
      ++at;
    }
  }
  CHECK(at == history.size());
  CHECK(replayed->state() == original->state());
  CHECK(replayed->ask(2) == original->ask(2));
}

TEST_CASE("decomposed codesign: space, objectives and options are checked with one-line errors") {
  auto space = toy_joint();
  auto error_of = [&](const SearchSpace& on, const std::string& options,
                      std::vector<Objective> objectives) {
    try {
      make("decomposed_codesign", on, options, 0, std::move(objectives));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  ToySpace network_only(3, 4);
  const std::string not_joint = error_of(network_only, "{}", kObjectives);
  CHECK(not_joint.find("needs a joint space") != std::string::npos);
  CHECK(not_joint.find("'toy'") != std::string::npos);
  CHECK(error_of(*space, "{}", {{"accuracy", false}}).find("2 to 4 objectives") !=
        std::string::npos);
  const std::string bad_key = error_of(*space, "{rechek: 2}", kObjectives);
  CHECK(bad_key.find("rechek") != std::string::npos);
  const std::string bad_stage = error_of(*space, "{network_stage: {acceptance: most}}", kObjectives);
  CHECK(bad_stage.find("most") != std::string::npos);
  const std::string bad_climb = error_of(*space, "{climb: steepest}", kObjectives);
  CHECK(bad_climb.find("steepest") != std::string::npos);
  CHECK(bad_climb.find("product, dominance") != std::string::npos);
  const std::string bad_flag = error_of(*space, "{infer_infeasible: sometimes}", kObjectives);
  CHECK(bad_flag.find("infer_infeasible") != std::string::npos);
  const std::string bad_swaps = error_of(*space, "{network_stage: {swaps: all}}", kObjectives);
  CHECK(bad_swaps.find("none, mixed, after, vnd") != std::string::npos);
  for (const auto& message : {not_joint, bad_key, bad_stage, bad_climb, bad_flag, bad_swaps})
    CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("decomposed codesign: inferred infeasibility saves evaluations and never misleads the climb") {
  auto space = toy_joint();
  const Candidate best_array = space->accelerator_part(pair(
      *space, std::string(kNet) + "rows=32 cols=8 dataflow=os ifmap_sram_kb=32 filter_sram_kb=32 "
                                  "ofmap_sram_kb=32 dram_bytes_per_cycle=32"));
  int infeasible_with = 0, infeasible_without = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    CAPTURE(seed);
    for (const bool infer : {true, false}) {
      auto strategy = make_constrained(
          *space, infer ? "{rechecks: 0}" : "{rechecks: 0, infer_infeasible: false}", seed,
          "area <= 1");
      const int infeasible = run_first_stage(*strategy, [](const Candidate& c) { return evaluate(c); });
      CHECK(decomposed(*strategy).working_accelerators()[0] == best_array);
      (infer ? infeasible_with : infeasible_without) += infeasible;
    }
  }
  CHECK(infeasible_with < infeasible_without);
}

TEST_CASE("decomposed codesign: between equally fast accelerators the climb keeps the one with more room") {
  // Area limit 1.25: 32 x 8 os is the fastest feasible array with either SRAM size (the SRAM
  // never changes latency). Climbing from the probe's own accelerator (families: 0), the climb
  // ends on the smaller SRAM when it knows the constraint; by domination alone the SRAM a probe
  // came with may stay.
  auto space = toy_joint();
  const std::string tail = " filter_sram_kb=32 ofmap_sram_kb=32 dram_bytes_per_cycle=32";
  const Candidate small_sram = space->accelerator_part(
      pair(*space, std::string(kNet) + "rows=32 cols=8 dataflow=os ifmap_sram_kb=32" + tail));
  const Candidate big_sram = space->accelerator_part(
      pair(*space, std::string(kNet) + "rows=32 cols=8 dataflow=os ifmap_sram_kb=64" + tail));
  auto evaluate_loose = [](const Candidate& c) { return evaluate(c, false, 1.25); };
  int big_without = 0;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    CAPTURE(seed);
    auto knows = make_constrained(*space, "{rechecks: 0, families: 0}", seed, "area <= 1.25");
    run_first_stage(*knows, evaluate_loose);
    CHECK(decomposed(*knows).working_accelerators()[0] == small_sram);
    auto blind = make("decomposed_codesign", *space, "{rechecks: 0, families: 0}", seed, kObjectives);
    run_first_stage(*blind, evaluate_loose);
    const Candidate found = decomposed(*blind).working_accelerators()[0];
    CHECK((found == small_sram || found == big_sram));
    big_without += found == big_sram;
  }
  CHECK(big_without > 0);
}

TEST_CASE("decomposed codesign: the climb minimises the product of the objectives (energy-delay)") {
  // Three objectives; ws runs every network 1.6x faster for 1.2x the energy. The two families
  // (os, ws) climb separately (families: 2) and the stage keeps the better: by the product
  // (0.625 x 1.2 = 0.75 < 1) always ws; by domination neither beats the other, so the first
  // climb's family stays.
  auto space = toy_joint();
  const std::vector<Objective> three = {{"accuracy", false}, {"latency", true}, {"energy", true}};
  auto evaluate3 = [](const Candidate& c) {
    TrialResult r = evaluate(c);
    const Pair p = decode(c);
    const double work = 1.0 + p.net[0] + 3.0 * p.net[1] + 6.0 * p.net[2];
    r.metrics.set("latency", r.metrics.at("latency") * (p.ws ? 0.625 / 1.3 : 1.0));
    r.metrics.set("energy", work * (p.ws ? 1.2 : 1.0) * (1.0 + 0.01 * p.rows * p.cols / 64.0));
    return r;
  };
  int os_by_dominance = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    CAPTURE(seed);
    auto product = make_constrained(*space, "{rechecks: 0, families: 2}", seed, "area <= 1", three);
    run_first_stage(*product, evaluate3);
    CHECK(space->decisions()[5].choices[static_cast<std::size_t>(
              decomposed(*product).working_accelerators()[0].decisions[2])] == "ws");
    auto dominance = make_constrained(*space, "{rechecks: 0, families: 2, climb: dominance}", seed,
                                      "area <= 1", three);
    run_first_stage(*dominance, evaluate3);
    os_by_dominance += decomposed(*dominance).working_accelerators()[0].decisions[2] == 0;
  }
  CHECK(os_by_dominance > 0);
}

TEST_CASE("decomposed codesign: pattern moves shorten the climb to the same accelerator") {
  // The climb starts from 8 x 8; after rows 8 -> 16 pays off, rows 16 -> 32 is asked first.
  auto space = toy_joint();
  const Candidate best_array = space->accelerator_part(pair(
      *space, std::string(kNet) + "rows=32 cols=8 dataflow=os ifmap_sram_kb=32 filter_sram_kb=32 "
                                  "ofmap_sram_kb=32 dram_bytes_per_cycle=32"));
  long long asked_with = 0, asked_without = 0;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    CAPTURE(seed);
    for (const bool pattern : {true, false}) {
      auto strategy = make_constrained(
          *space, pattern ? "{rechecks: 0}" : "{rechecks: 0, pattern_moves: false}", seed,
          "area <= 1");
      long long asked = 0;
      run_first_stage(*strategy, [&](const Candidate& c) {
        ++asked;
        return evaluate(c);
      });
      CHECK(decomposed(*strategy).working_accelerators()[0] == best_array);
      (pattern ? asked_with : asked_without) += asked;
    }
  }
  CHECK(asked_with < asked_without);
}
