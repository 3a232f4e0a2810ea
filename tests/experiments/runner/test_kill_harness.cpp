// The kill and interrupt harness (kill_harness.hpp) on small configs of every kind of run: table
// searches by random, regularized evolution, local search, NSGA-II (co-design, two objectives),
// REINFORCE and BANANAS; each pruner on MLPs trained on the digits; a DARTS search; and random
// search with two workers. Each is one test case, so ctest runs them side by side. Each config is
// killed or interrupted at 5 points (SIGKILL, SIGINT and SIGTERM in turn), resumed until done, and its
// whole history must equal an uninterrupted run's (issue 19).
#include <doctest/doctest.h>

#include "tests/experiments/runner/kill_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// MLPs trained 4 epochs on the digits with `pruner`.
KillHarnessConfig pruning_config(const std::string& name, const std::string& pruner, int trials) {
  KillHarnessConfig config;
  config.name = name;
  config.yaml = "name: " + name +
                "\nseed: 1\nspace: {name: mlp, options: {max_layers: 2, widths: [4, 8, 16, 32]}}\n"
                "strategy: random\n"
                "evaluators:\n  - name: train\n    options: {dataset: digits, path: " +
                source_dir() +
                "/data/uci-digits/digits.csv.gz, epochs: 4, batch_size: 64, threads: 1, "
                "optimizer: {lr: 0.05}}\n"
                "objectives: [{metric: accuracy, direction: maximize}]\n"
                "pruner: " + pruner + "\nbudget: {trials: " + std::to_string(trials) + "}\n";
  config.min_pruned = 1;
  return config;
}


}  // namespace

TEST_CASE("kill harness: random search on the NB201 table") {
  // No evaluator sleep: the run is mostly strategy, database writes and between-trial work.
  check_kills(nb201_table_config("kill-random", "random", 100, false));
}

TEST_CASE("kill harness: regularized evolution") {
  check_kills(nb201_table_config("kill-evolution",
                     "{name: regularized_evolution, options: {population_size: 8, sample_size: 3}}",
                     40));
}

TEST_CASE("kill harness: local search") {
  check_kills(nb201_table_config("kill-local-search",
                     "{name: local_search, options: {num_init: 5, first_improvement: true}}", 40));
}

TEST_CASE("kill harness: REINFORCE") {
  check_kills(nb201_table_config("kill-reinforce",
                     "{name: reinforce, options: {policy: categorical, learning_rate: 0.01}}", 40));
}

TEST_CASE("kill harness: BANANAS") {
  check_kills(nb201_table_config("kill-bananas",
                     "{name: bananas, options: {num_init: 5, queries_per_round: 4, encoding: path, "
                     "acquisition: its, predictor: mlp_ensemble, predictor_options: {members: 2, "
                     "hidden_layers: 2, width: 10, epochs: 20, learning_rate: 0.01}}}",
                     17));
}

TEST_CASE("kill harness: NSGA-II co-design with two objectives") {
  KillHarnessConfig config;
  config.name = "kill-nsga2";
  config.yaml =
      "name: kill-nsga2\nseed: 5\n"
      "space:\n  name: joint\n  options:\n    network: {space: nb201}\n    accelerator:\n"
      "      space: systolic_hw\n      options:\n        rows: [8, 16, 32, 64]\n"
      "        cols: [8, 16, 32, 64]\n        fixed: {frequency_mhz: 500, energy_table: "
      "accelergy_45nm}\n"
      "strategy: {name: nsga2, options: {population_size: 8}}\n"
      "evaluators:\n" + nb201_table_evaluator() + "  - name: hw\n" + kShortTrialEvaluator +
      "objectives:\n  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
      "  - {metric: latency_ms, direction: minimize}\n"
      "constraints: [\"area_mm2 <= 2\"]\nbudget: {trials: 32}\n";
  check_kills(config);
}

TEST_CASE("kill harness: median pruner") {
  check_kills(pruning_config("kill-median", "{name: median, options: {n_startup_trials: 2}}", 16));
}

TEST_CASE("kill harness: successive halving pruner") {
  check_kills(pruning_config("kill-asha",
                       "{name: successive_halving, options: {min_resource: 1, reduction_factor: 2}}",
                       16));
}

TEST_CASE("kill harness: hyperband pruner") {
  check_kills(pruning_config(
      "kill-hyperband",
      "{name: hyperband, options: {min_resource: 1, max_resource: 4, reduction_factor: 2}}", 20));
}

TEST_CASE("kill harness: learning-curve pruner") {
  check_kills(pruning_config("kill-curve",
                       "{name: learning_curve, options: {predictor: svr, min_trials: 3, draws: 20, delta: 0.6}}",
                       16));
}

TEST_CASE("kill harness: DARTS weight-sharing search") {
  KillHarnessConfig config;
  config.name = "kill-darts";
  config.search_log = true;
  config.yaml = "name: kill-darts\nseed: 0\nspace: {name: nb201}\n"
                "strategy:\n  name: darts\n  options:\n    dataset: digits\n    path: " +
                source_dir() +
                "/data/uci-digits/digits.csv.gz\n    epochs: 1\n    batch_size: 64\n"
                "    width: 4\n    cells_per_stage: 1\n"
                "    augment: {crop_padding: 0, horizontal_flip: false}\n"
                "    arch_optimizer: {lr: 0.003}\n"
                "evaluators:\n" + nb201_table_evaluator() +
                "objectives: [{metric: c10_test_acc_200ep, direction: maximize}]\n"
                "budget: {trials: 1}\n";
  check_kills(config);
}

TEST_CASE("kill harness: random search with two workers") {
  KillHarnessConfig config = nb201_table_config("kill-workers", "random", 40);
  config.workers = 2;
  check_kills(config);
}
