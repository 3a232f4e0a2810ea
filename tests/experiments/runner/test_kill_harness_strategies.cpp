// The kill and interrupt harness (kill_harness.hpp) on every registered strategy that
// test_kill_harness.cpp does not run: predictor_evolution, the co-design RL strategies (marl,
// codesign_rl), each weight-sharing strategy besides DARTS (killed inside its supernet search
// too), and the three wrappers. A last case reads the strategy registry and fails for a strategy
// that no harness case runs, so a new strategy must come with one (issue 19: identical histories
// for every strategy and pruner; a second case does the same for the pruner registry). The configs are small: a kill landing anywhere in them, then --resume,
// must give the uninterrupted run's history.
#include <doctest/doctest.h>

#include <set>

#include "experiments/pruners/pruner_registry.hpp"
#include "search/strategy.hpp"
#include "tests/experiments/runner/kill_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// NB201 x a systolic array, costed by the hw evaluator, with an area constraint.
KillHarnessConfig codesign_config(const std::string& name, const std::string& strategy, int trials) {
  KillHarnessConfig config;
  config.name = name;
  config.yaml =
      "name: " + name + "\nseed: 6\n"
      "space:\n  name: joint\n  options:\n    network: {space: nb201}\n    accelerator:\n"
      "      space: systolic_hw\n      options:\n        rows: [8, 16, 32, 64]\n"
      "        cols: [8, 16, 32, 64]\n        fixed: {frequency_mhz: 500, energy_table: "
      "accelergy_45nm}\n"
      "strategy: " + strategy + "\nevaluators:\n" + nb201_table_evaluator() + "  - name: hw\n" +
      kShortTrialEvaluator +
      "objectives:\n  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
      "constraints: [\"area_mm2 <= 2\"]\nbudget: {trials: " + std::to_string(trials) + "}\n";
  return config;
}

// A weight-sharing search on NB201 over 96 digits, one cell per stage at width 4; `options` adds
// the strategy's own keys (YAML lines, four spaces in). The derived cells are looked up in the
// table.
KillHarnessConfig weight_sharing_config(const std::string& strategy, const std::string& options,
                                        int trials = 1) {
  KillHarnessConfig config;
  config.name = "kill-" + strategy;
  config.search_log = true;
  config.yaml = "name: " + config.name + "\nseed: 0\nspace: {name: nb201}\n"
                "strategy:\n  name: " + strategy + "\n  options:\n    dataset: digits\n    path: " +
                source_dir() +
                "/data/uci-digits/digits.csv.gz\n    max_samples: 96\n    batch_size: 32\n"
                "    width: 4\n    cells_per_stage: 1\n    threads: 1\n"
                "    augment: {crop_padding: 0, horizontal_flip: false}\n" + options +
                "evaluators:\n" + nb201_table_evaluator() +
                "objectives: [{metric: c10_test_acc_200ep, direction: maximize}]\n"
                "budget: {trials: " + std::to_string(trials) + "}\n";
  return config;
}


// Every strategy a harness case runs: the cases below and those of test_kill_harness.cpp.
const std::set<std::string>& strategies_run() {
  static const std::set<std::string> names = {
      // test_kill_harness.cpp
      "random", "regularized_evolution", "local_search", "reinforce", "bananas", "nsga2", "darts",
      // this file
      "predictor_evolution", "marl", "codesign_rl", "gdas", "pc_darts", "rarts", "sd_darts",
      "sharp_darts", "snas", "spos", "proxyless", "fewshot_gm", "fewshot_exhaustive",
      "deduplicate", "constraint_filter", "retry", "nsga2_prescreen", "pareto_local_search",
      "parego", "decomposed_codesign"};
  return names;
}

}  // namespace

TEST_CASE("kill harness: every registered strategy has a harness case") {
  for (const std::string& name : strategy_registry().names()) {
    INFO("strategy " << name << " is registered but no kill harness case runs it");
    CHECK(strategies_run().count(name) == 1);
  }
}

TEST_CASE("kill harness: every registered pruner has a harness case") {
  // The pruner cases are in test_kill_harness.cpp.
  const std::set<std::string> run = {"median", "successive_halving", "hyperband", "learning_curve"};
  for (const std::string& name : pruner_registry().names()) {
    INFO("pruner " << name << " is registered but no kill harness case runs it");
    CHECK(run.count(name) == 1);
  }
}

TEST_CASE("kill harness: predictor_evolution") {
  check_kills(nb201_table_config("kill-predictor-evolution",
                     "{name: predictor_evolution, options: {num_init: 5, queries_per_round: 4, "
                     "encoding: path, population_size: 12, generations: 3, predictor: mlp_ensemble, "
                     "predictor_options: {members: 2, hidden_layers: 2, width: 10, epochs: 20, "
                     "learning_rate: 0.01}}}",
                     17));
}

TEST_CASE("kill harness: marl co-design") {
  check_kills(codesign_config("kill-marl", "{name: marl, options: {learning_rate: 0.05}}", 30));
}

namespace {

// The co-design config with a second objective, latency, after its accuracy.
KillHarnessConfig two_objective_codesign_config(const std::string& name,
                                                const std::string& strategy) {
  KillHarnessConfig config = codesign_config(name, strategy, 30);
  const std::string accuracy = "direction: maximize}\n";
  config.yaml.insert(config.yaml.find(accuracy) + accuracy.size(),
                     "  - {metric: latency_ms, direction: minimize}\n");
  return config;
}

}  // namespace

TEST_CASE("kill harness: pareto_local_search co-design") {
  check_kills(two_objective_codesign_config(
      "kill-pareto-local-search", "{name: pareto_local_search, options: {num_init: 4}}"));
}

TEST_CASE("kill harness: decomposed_codesign co-design") {
  // A short warm-up and re-checks every few asks, and 70 trials, so the kill points fall in the
  // warm-up, accelerator climbs and the network stage.
  KillHarnessConfig config = codesign_config(
      "kill-decomposed-codesign",
      "{name: decomposed_codesign, options: {num_init: 3, warmup: 4, recheck_after: 3}}", 70);
  const std::string accuracy = "direction: maximize}\n";
  config.yaml.insert(config.yaml.find(accuracy) + accuracy.size(),
                     "  - {metric: latency_ms, direction: minimize}\n");
  check_kills(config);
}

TEST_CASE("kill harness: nsga2_prescreen co-design") {
  check_kills(two_objective_codesign_config(
      "kill-nsga2-prescreen",
      "{name: nsga2_prescreen, options: {population_size: 8, prescreen_samples: 200}}"));
}

TEST_CASE("kill harness: parego co-design") {
  // A small, fast ensemble.
  check_kills(two_objective_codesign_config(
      "kill-parego",
      "{name: parego, options: {num_init: 5, num_candidates: 20, predictor_options: {members: 2, "
      "hidden_layers: 1, width: 8, epochs: 10}}}"));
}

TEST_CASE("kill harness: codesign_rl") {
  check_kills(codesign_config("kill-codesign-rl",
                        "{name: codesign_rl, options: {specs: {latency_ms: 5}, hidden_size: 8, "
                        "layers: 1}}",
                        30));
}

TEST_CASE("kill harness: the wrappers") {
  check_kills(nb201_table_config("kill-deduplicate",
                     "{name: deduplicate, options: {strategy: {name: regularized_evolution, "
                     "options: {population_size: 6, sample_size: 2}}}}",
                     30));
  check_kills(nb201_table_config("kill-constraint-filter",
                     "{name: constraint_filter, options: {strategy: {name: random}, "
                     "constraints: [\"macs <= 1e8\"]}}",
                     30));
  check_kills(nb201_table_config(
      "kill-retry", "{name: retry, options: {strategy: {name: local_search}}}", 30));
}

TEST_CASE("kill harness: the DARTS variants") {
  check_kills(weight_sharing_config("gdas", "    epochs: 2\n"));
  check_kills(weight_sharing_config("pc_darts", "    epochs: 2\n    partial_channels: 2\n"));
  check_kills(weight_sharing_config("rarts", "    epochs: 1\n"));
  check_kills(weight_sharing_config("sd_darts", "    epochs: 2\n"));
  check_kills(weight_sharing_config("sharp_darts", "    epochs: 1\n"));
  check_kills(weight_sharing_config("snas", "    epochs: 1\n"));
}

TEST_CASE("kill harness: single-path and few-shot searches") {
  check_kills(weight_sharing_config("spos",
                              "    epochs: 1\n    population: 4\n    generations: 2\n"
                              "    select_num: 2\n    mutation_num: 1\n    crossover_num: 1\n"
                              "    bn_batches: 1\n    top: 2\n",
                              2));
  check_kills(weight_sharing_config("proxyless",
                              "    warmup_epochs: 1\n    epochs: 2\n    arch_update_every: 1\n"
                              "    arch_start_epoch: 0\n"));
  check_kills(weight_sharing_config("fewshot_gm",
                              "    base: darts\n    epochs: 2\n    split_epochs: [1]\n"
                              "    matching: {repeats: 1}\n    hand_out: all\n",
                              2));
  check_kills(weight_sharing_config("fewshot_exhaustive",
                              "    base: darts\n    epochs: 2\n    split_epochs: [1]\n"
                              "    hand_out: all\n",
                              2));
}
