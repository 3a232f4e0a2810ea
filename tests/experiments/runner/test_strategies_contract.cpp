// Contract test: every registered strategy runs through the real `tandem run` on nb201 + the
// NAS-Bench-201 table, stops, resumes (the strategy is rebuilt by replaying the stored history
// and must reach the stored state), and ends with exactly the trials of an uninterrupted run.
#include <doctest/doctest.h>

#include "db/trial_store.hpp"
#include "search/strategy.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// Weight-sharing strategies hand out only their derived architecture(s): a tiny supernet search
// on the shipped digits, and one trial per derived architecture instead of the budget.
bool weight_sharing(const std::string& name) {
  return strategy_registry().kind_of(name) == "weight-sharing";
}

std::string weight_sharing_options(const std::string& name) {
  // Few-shot splits after split_epochs of warm-up (GM-NAS default 15): fit it into 2 epochs.
  // SPOS's evolution (50 x 20 candidates, each BN-recalibrated) and GM-NAS's gradient matching
  // (100 batches) are cut to a few of each: the contract is about resume, not search quality.
  std::string extra;
  if (name.rfind("fewshot", 0) == 0) extra = "split_epochs: 1, matching: {repeats: 2}, ";
  if (name == "spos")
    extra = "population: 6, generations: 2, select_num: 3, mutation_num: 3, crossover_num: 3, "
            "bn_batches: 2, ";
  return "{" + extra + "dataset: digits, path: '" + source_dir() + "/data/uci-digits/digits.csv.gz', "
         "max_samples: 200, epochs: 2, batch_size: 32, width: 4, cells_per_stage: 1, threads: 1, "
         "augment: {crop_padding: 0, horizontal_flip: false}}";
}

std::string strategy_yaml(const std::string& name) {
  if (weight_sharing(name))
    return "{name: " + name + ", options: " + weight_sharing_options(name) + "}";
  if (name == "regularized_evolution") return "{name: regularized_evolution, options: {population_size: 5}}";
  if (name == "nsga2") return "{name: nsga2, options: {population_size: 6}}";
  if (name == "local_search") return "{name: local_search, options: {num_init: 4}}";
  if (name == "reinforce") return "{name: reinforce, options: {policy: lstm, hidden_size: 8, layers: 1}}";
  if (name == "marl") return "{name: marl, options: {groups: {a: ['edge 1<-0', 'edge 2<-0', 'edge 2<-1'], b: ['edge 3<-0', 'edge 3<-1', 'edge 3<-2']}}}";
  if (name == "codesign_rl") return "{name: codesign_rl, options: {specs: {flops_M_c10: 100}}}";
  if (name == "constraint_filter")
    return "{name: constraint_filter, options: {strategy: random, constraints: ['params <= 800000']}}";
  if (name == "deduplicate" || name == "retry")
    return "{name: " + name + ", options: {strategy: {name: regularized_evolution, options: {population_size: 5}}}}";
  return "{name: " + name + "}";
}

std::string config_text(const std::string& strategy) {
  if (strategy == "decomposed_codesign")  // needs a joint space; short stages so 30 trials see all
    return "name: contract\n"
           "seed: 3\n"
           "space: {name: joint, options: {network: {space: nb201}, accelerator: {space: systolic_hw,"
           " options: {fixed: {frequency_mhz: 500, energy_table: accelergy_45nm}}}}}\n"
           "strategy: {name: decomposed_codesign, options: {num_init: 3, warmup: 4, recheck_after: 5}}\n"
           "evaluators:\n"
           "  - {name: table, options: {path: '" + source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv',"
           " metrics: [c10valid_val_acc_12ep]}}\n"
           "  - {name: hw}\n"
           "objectives:\n"
           "  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
           "  - {metric: latency_ms, direction: minimize}\n"
           "constraints: [\"area_mm2 <= 2\"]\n"
           "budget: {trials: 1000}\n";
  return "name: contract\n"
         "seed: 3\n"
         "space: {name: nb201}\n"
         "strategy: " + strategy_yaml(strategy) + "\n"
         "evaluators:\n"
         "  - {name: table, options: {path: '" + source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv',"
         " metrics: [c10valid_val_acc_12ep, c10_test_acc_200ep, flops_M_c10]}}\n"
         "  - {name: graph_stats}\n"
         "objectives:\n"
         "  - {metric: c10valid_val_acc_12ep, direction: maximize}\n"
         "  - {metric: flops_M_c10, direction: minimize}\n"
         "constraints: [\"flops_M_c10 <= 150\"]\n"
         "budget: {trials: 1000}\n";
}

std::vector<std::string> candidates(const std::string& db) {
  TrialStore store(db, TrialStore::Mode::read_only);
  std::vector<std::string> out;
  for (const auto& trial : store.trials(store.find_experiment("contract")->id))
    out.push_back(trial.candidate + " " + to_string(trial.state));
  return out;
}

}  // namespace

TEST_CASE("every registered strategy runs, resumes and matches an uninterrupted run") {
  for (const auto& name : strategy_registry().names()) {
    CAPTURE(name);
    TempDir dir;
    const std::string config = dir.write("exp.yaml", config_text(name));
    const std::string db = dir.file("resumed.db"), reference = dir.file("reference.db");
    auto first = run_tandem("run '" + config + "' --db '" + db + "' --quiet --trials 13");
    REQUIRE_MESSAGE(first.exit_code == 0, first.output);
    auto resumed = run_tandem("run '" + config + "' --db '" + db + "' --quiet --resume --trials 30");
    REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
    auto whole = run_tandem("run '" + config + "' --db '" + reference + "' --quiet --trials 30");
    REQUIRE_MESSAGE(whole.exit_code == 0, whole.output);
    auto resumed_trials = candidates(db), reference_trials = candidates(reference);
    CHECK(resumed_trials.size() == (weight_sharing(name) ? 1u : 30u));
    CHECK(resumed_trials == reference_trials);
  }
}
