// `tandem ask` and `tandem tell` through the real executable: a search driven call by call, with
// the NAS-Bench-201 accuracies the test itself reads from the shipped table, proposes exactly the
// candidates a `tandem run` of the same strategy and seed proposes with the table evaluator (the
// strategy's state carries over between calls); constraints, pruning advice, concurrent asks,
// and every kind of bad input as one line.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/csv_reader.hpp"
#include "db/trial_store.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const char* const kStrategy =
    "strategy: {name: regularized_evolution, options: {population_size: 6, sample_size: 3}}\n";

std::string ask_tell_config(const std::string& extra = "") {
  return std::string("name: driven\nseed: 7\nspace: {name: nb201}\n") + kStrategy +
         "objectives: [{metric: c10valid_val_acc_12ep, direction: maximize}]\n" + extra;
}

// Runs `tandem ARGS`, stdout only; requires exit status 0.
std::string tandem_stdout(const std::string& args) {
  const CommandResult result = run_shell("'" + tandem_binary() + "' " + args + " 2>/dev/null");
  REQUIRE_MESSAGE(result.exit_code == 0, "tandem " << args << "\n" << result.output);
  return result.output;
}

}  // namespace

TEST_CASE("ask/tell: a search driven call by call proposes what tandem run proposes") {
  TempDir dir;
  const std::string table_path = source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv";
  const CsvTable table = CsvTable::read(table_path);
  const std::size_t key = table.require_column("arch_str");
  const std::size_t metric = table.require_column("c10valid_val_acc_12ep");
  std::map<std::string, std::string> accuracy;  // the table's own text, so no digit is lost
  for (std::size_t i = 0; i < table.rows(); ++i) accuracy[table.row(i)[key]] = table.row(i)[metric];

  const std::string config = dir.write("driven.yaml", ask_tell_config());
  const std::string db = dir.file("driven.db");
  std::vector<std::string> driven;
  for (int i = 0; i < 30; ++i) {
    const auto trial = nlohmann::json::parse(
        tandem_stdout("ask " + shell_quote(db) + (i == 0 ? " --config " + shell_quote(config) : "")));
    REQUIRE(trial["number"] == i);
    const std::string candidate = trial["candidate"];
    REQUIRE(accuracy.count(candidate) == 1);
    driven.push_back(candidate);
    const auto told = nlohmann::json::parse(
        tandem_stdout("tell " + shell_quote(db) + " --trial " + std::to_string(i) +
                      " --values c10valid_val_acc_12ep=" + accuracy[candidate]));
    CHECK(told["state"] == "COMPLETE");
  }

  // The same strategy and seed in one `tandem run`, the table evaluator measuring.
  const std::string run_config = dir.write(
      "run.yaml", ask_tell_config("evaluators:\n  - name: table\n    options:\n      path: " +
                                  table_path + "\n      metrics: [c10valid_val_acc_12ep]\n"
                                               "budget: {trials: 30}\n"));
  const std::string run_db = dir.file("run.db");
  tandem_stdout("run " + shell_quote(run_config) + " --db " + shell_quote(run_db) + " --quiet");
  TrialStore store(run_db, TrialStore::Mode::read_only);
  const auto trials = store.trials(store.experiments().front().id);
  REQUIRE(trials.size() == 30);
  std::set<std::string> distinct;
  for (int i = 0; i < 30; ++i) {
    CHECK_MESSAGE(trials[i].candidate == driven[i], "trial #" << i);
    distinct.insert(driven[i]);
  }
  CHECK(distinct.size() > 20);  // evolution explored; the comparison is not of 30 equal strings

  // The driven database holds the told values and the strategy state after each tell.
  TrialStore driven_store(db, TrialStore::Mode::read_only);
  const auto told = driven_store.trials(driven_store.experiments().front().id);
  REQUIRE(told.size() == 30);
  CHECK(told.back().values.at("c10valid_val_acc_12ep") ==
        trials.back().values.at("c10valid_val_acc_12ep"));
  CHECK(driven_store.latest_strategy_state(told.front().experiment_id) ==
        store.latest_strategy_state(trials.front().experiment_id));
}

TEST_CASE("ask/tell: several candidates at once, constraints, failures and pruning advice") {
  TempDir dir;
  const std::string config = dir.write(
      "c.yaml", ask_tell_config("constraints: [\"latency_ms <= 5\"]\n"
                                "pruner: {name: median, options: {metric: loss, direction: "
                                "minimize, n_startup_trials: 1}}\n"));
  const std::string db = dir.file("c.db");
  const auto first = nlohmann::json::parse(
      tandem_stdout("ask " + shell_quote(db) + " --config " + shell_quote(config)));
  CHECK(first["number"] == 0);
  CHECK(first["network"]["layers"].size() > 10);  // the command evaluator's trial document
  CHECK(first["seed"].is_number_unsigned());
  // Trial 0: two steps, then its result.
  auto advice = nlohmann::json::parse(tandem_stdout(
      "tell " + shell_quote(db) + " --trial 0 --intermediate 1:loss=0.5,acc=10 "
      "--intermediate 2:loss=0.4"));
  CHECK(advice["state"] == "RUNNING");
  CHECK(advice["step"] == 2);
  CHECK(advice["prune"] == false);  // no peer has finished yet
  // Repeating an intermediate report is harmless; a different value for it is refused.
  tandem_stdout("tell " + shell_quote(db) + " --trial 0 --intermediate 1:loss=0.5");
  const CommandResult conflict =
      run_tandem("tell " + shell_quote(db) + " --trial 0 --intermediate 1:loss=0.6");
  CHECK(conflict.exit_code == 1);
  CHECK(conflict.output == "tandem tell: error: trial #0 already has loss=0.5 at step 1; got 0.6\n");
  tandem_stdout("tell " + shell_quote(db) + " --trial 0 --values c10valid_val_acc_12ep=90,"
                "latency_ms=2");

  const auto batch = nlohmann::json::parse(tandem_stdout("ask " + shell_quote(db) + " -n 3"));
  REQUIRE(batch.is_array());
  REQUIRE(batch.size() == 3);
  CHECK(batch[0]["number"] == 1);
  CHECK(batch[2]["number"] == 3);
  // Trial 1 reports a loss worse than the median of its finished peer at step 1: prune.
  advice = nlohmann::json::parse(
      tandem_stdout("tell " + shell_quote(db) + " --trial 1 --intermediate 1:loss=0.9"));
  CHECK(advice["prune"] == true);
  CHECK(advice["prune_reason"].get<std::string>().find("median") != std::string::npos);
  auto told = nlohmann::json::parse(tandem_stdout(
      "tell " + shell_quote(db) + " --trial 1 --state pruned --values c10valid_val_acc_12ep=50"));
  CHECK(told["state"] == "PRUNED");
  // A result that violates the constraint is INFEASIBLE, as in a run.
  told = nlohmann::json::parse(tandem_stdout(
      "tell " + shell_quote(db) + " --trial 2 --values c10valid_val_acc_12ep=95,latency_ms=9"));
  CHECK(told["state"] == "INFEASIBLE");
  CHECK(told["reason"] == "constraint 'latency_ms <= 5' violated: latency_ms = 9");
  told = nlohmann::json::parse(tandem_stdout(
      "tell " + shell_quote(db) + " --trial 3 --state failed --reason 'CUDA out of memory'"));
  CHECK(told["state"] == "FAILED");
  CHECK(told["reason"] == "CUDA out of memory");
}

TEST_CASE("ask/tell: concurrent asks wait for each other and get distinct trials") {
  TempDir dir;
  // Random search: it never waits for results (evolution waits once its population is out).
  const std::string config = dir.write(
      "c.yaml", "name: driven\nseed: 7\nspace: {name: nb201}\nstrategy: random\n"
                "objectives: [{metric: c10valid_val_acc_12ep, direction: maximize}]\n");
  const std::string db = dir.file("c.db");
  tandem_stdout("ask " + shell_quote(db) + " --config " + shell_quote(config));
  std::string line;
  for (int i = 0; i < 6; ++i)
    line += "'" + tandem_binary() + "' ask " + shell_quote(db) + " > " +
            shell_quote(dir.file("ask" + std::to_string(i) + ".json")) + " 2>&1 & ";
  REQUIRE(run_shell(line + "wait").exit_code == 0);
  std::set<int> numbers{0};
  for (int i = 0; i < 6; ++i) {
    const std::string text = fingerprint(dir.file("ask" + std::to_string(i) + ".json"));
    INFO(text);
    numbers.insert(nlohmann::json::parse(text)["number"].get<int>());
  }
  CHECK(numbers.size() == 7);
  TrialStore store(db, TrialStore::Mode::read_only);
  CHECK(store.trials(store.experiments().front().id).size() == 7);
}

TEST_CASE("ask/tell: bad input is one line and writes nothing wrong") {
  TempDir dir;
  const std::string config = dir.write("c.yaml", ask_tell_config());
  const std::string db = dir.file("c.db");
  struct Case {
    std::string args;
    std::string says;
  };
  const std::vector<Case> before = {
      {"ask " + shell_quote(db), "holds no experiments yet"},
      {"ask " + shell_quote(db) + " --config " + shell_quote(dir.file("missing.yaml")),
       "missing.yaml"},
  };
  for (const Case& c : before) {
    const CommandResult result = run_tandem(c.args);
    CHECK_MESSAGE(result.exit_code != 0, c.args);
    CHECK_MESSAGE(result.output.find(c.says) != std::string::npos, result.output);
    CHECK_MESSAGE(result.lines().size() == 1, result.output);
  }
  tandem_stdout("ask " + shell_quote(db) + " --config " + shell_quote(config));
  tandem_stdout("tell " + shell_quote(db) + " --trial 0 --values c10valid_val_acc_12ep=80");
  const std::string other = dir.write("other.yaml", ask_tell_config() + "# seed changes\n");
  const std::string changed = dir.write(
      "changed.yaml", std::string("name: driven\nseed: 8\nspace: {name: nb201}\n") + kStrategy +
                          "objectives: [{metric: c10valid_val_acc_12ep, direction: maximize}]\n");
  const std::vector<Case> after = {
      {"tell " + shell_quote(db) + " --trial 0 --values c10valid_val_acc_12ep=81",
       "trial #0 of experiment 'driven' is COMPLETE already"},
      {"tell " + shell_quote(db) + " --trial 5 --values a=1", "has no trial #5 (1 trials: #0 to #0)"},
      {"tell " + shell_quote(db) + " --values a=1", "--trial is required"},
      {"tell " + shell_quote(db) + " --trial 0", "nothing to tell"},
      {"tell " + shell_quote(db) + " --trial 0 --values acc", "--values 'acc': expected name=number"},
      {"tell " + shell_quote(db) + " --trial 0 --values acc=high",
       "--values 'acc=high': expected name=number"},
      {"tell " + shell_quote(db) + " --trial 0 --values a=1,a=2", "'a' is given twice"},
      {"tell " + shell_quote(db) + " --trial 0 --state done --values a=1",
       "--state 'done': expected complete, pruned, infeasible or failed"},
      {"tell " + shell_quote(db) + " --trial 0 --intermediate loss=1",
       "expected STEP:name=value"},
      {"tell " + shell_quote(db) + " --trial 0 --intermediate x:loss=1",
       "expected STEP:name=value with STEP a whole number"},
      {"tell " + shell_quote(db) + " --trial 0 --state complete", "needs --values"},
      {"ask " + shell_quote(db) + " --experiment drivn", "did you mean 'driven'"},
      {"ask " + shell_quote(db) + " --config " + shell_quote(changed),
       "differs from " + dir.file("changed.yaml")},
      {"ask " + shell_quote(db) + " --config " + shell_quote(other) + " --experiment driven",
       "either --config or --experiment"},
      {"ask " + shell_quote(db) + " -n 0", "-n 0: expected an integer in [1, 100000]"},
      {"run " + shell_quote(config) + " --db " + shell_quote(dir.file("r.db")),
       "has no evaluators; `tandem run` needs at least one"},
  };
  for (const Case& c : after) {
    const CommandResult result = run_tandem(c.args);
    CHECK_MESSAGE(result.exit_code != 0, c.args);
    CHECK_MESSAGE(result.output.find(c.says) != std::string::npos, c.args << "\n" << result.output);
    CHECK_MESSAGE(result.lines().size() == 1, result.output);
  }
  // None of them wrote a trial.
  TrialStore store(db, TrialStore::Mode::read_only);
  const auto trials = store.trials(store.experiments().front().id);
  REQUIRE(trials.size() == 1);
  CHECK(trials.front().values.at("c10valid_val_acc_12ep") == 80.0);
}
