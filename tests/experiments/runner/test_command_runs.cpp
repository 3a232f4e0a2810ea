// Whole `tandem run`s whose trials are a user's own program (the `command` evaluator, a small
// python3 script): killed and interrupted at seeded moments then resumed, they end with the
// uninterrupted run's history; under --workers 2 with a median pruner the reports reach the
// database, the pruner's decisions reach the programs, each worker gets its own variables, and a
// program that fails is a FAILED trial while the search goes on.
#include <doctest/doctest.h>

#include <set>

#include "tests/experiments/runner/kill_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// A training script stand-in: 3 steps whose loss falls as a deterministic function of the cell
// (its number of convolutions); it obeys a prune reply; cells with no convolution at all fail.
const char* const kScript = R"(import json, os, sys, time
trial = json.load(open(os.environ["TANDEM_TRIAL_FILE"]))
convs = sum(d["choice"].startswith("nor_conv") for d in trial["decisions"])
pools = sum(d["choice"] == "avg_pool_3x3" for d in trial["decisions"])
if convs == 0:
    sys.stderr.write("no convolution to train\n")
    sys.exit(2)
for step in range(1, 4):
    time.sleep(0.004)
    print("epoch %d" % step)
    print(json.dumps({"step": step, "loss": 1.0 / (step * convs) + 0.01 * pools}))
    if json.loads(sys.stdin.readline())["prune"]:
        sys.exit(0)
print(json.dumps({"accuracy": 80 + 2 * convs - pools, "worker": trial["worker"],
                  "gpu": int(os.environ["GPU"])}))
)";

std::string command_config(const std::string& name, const std::string& script_path,
                           const std::string& extra, int trials) {
  return "name: " + name + "\nseed: 4\nspace: {name: nb201}\nstrategy: random\n"
         "evaluators:\n  - name: command\n    options:\n      command: \"python3 " + script_path +
         "\"\n      grace_seconds: 0.2\n      worker_env: {GPU: [\"3\", \"5\"]}\n" + extra +
         "objectives: [{metric: accuracy, direction: maximize}]\n"
         "budget: {trials: " + std::to_string(trials) + "}\n";
}

}  // namespace

TEST_CASE("command runs: killed and interrupted, resumed, the same history as an uninterrupted run") {
  TempDir scripts;
  const std::string script = scripts.write("train.py", kScript);
  KillHarnessConfig config;
  config.name = "kill-command";
  config.yaml = command_config(config.name, script, "", 16);
  check_kills(config);
}

TEST_CASE("command runs: two workers and a median pruner, reports, replies and failures land") {
  TempDir dir;
  const std::string script = dir.write("train.py", kScript);
  const std::string yaml = dir.write(
      "exp.yaml", command_config("workers", script, "", 24) +
                      "pruner: {name: median, options: {n_startup_trials: 3, metric: loss, "
                      "direction: minimize}}\n");
  const std::string db = dir.file("t.db");
  const CommandResult run = run_tandem("run " + shell_quote(yaml) + " --db " + shell_quote(db) +
                                       " --workers 2 --quiet");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);

  TrialStore store(db, TrialStore::Mode::read_only);
  const auto count = [&](const std::string& sql) {
    return std::stoll(store.query(sql).rows.at(0).at(0));
  };
  CHECK(count("SELECT COUNT(*) FROM trials") == 24);
  CHECK(count("SELECT COUNT(*) FROM trials WHERE state = 'RUNNING'") == 0);
  const long long complete = count("SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'");
  const long long pruned = count("SELECT COUNT(*) FROM trials WHERE state = 'PRUNED'");
  const long long failed = count("SELECT COUNT(*) FROM trials WHERE state = 'FAILED'");
  CHECK(complete + pruned + failed == 24);
  CHECK(complete > 0);
  CHECK(pruned > 0);  // the pruner's decisions reached the programs, which stopped
  // Every cell without a convolution failed, with the program's own words; no other trial did.
  const auto failures = store.query("SELECT candidate, reason FROM trials WHERE state = 'FAILED'");
  for (const auto& row : failures.rows) {
    CHECK(row.at(0).find("nor_conv") == std::string::npos);
    CHECK(row.at(1).find("exited with status 2; stderr ends: no convolution to train") !=
          std::string::npos);
  }
  CHECK(count("SELECT COUNT(*) FROM trials WHERE state <> 'FAILED' AND "
              "candidate NOT LIKE '%nor_conv%'") == 0);
  // Each worker's trials saw its own variables: worker 0 GPU 3, worker 1 GPU 5.
  const auto workers = store.query(
      "SELECT w.value, g.value FROM trial_values w JOIN trial_values g USING (trial_id) "
      "WHERE w.name = 'worker' AND g.name = 'gpu'");
  std::set<std::string> seen;
  for (const auto& row : workers.rows) {
    const int worker = std::stoi(row.at(0));
    CHECK(std::stod(row.at(1)) == (worker == 0 ? 3.0 : 5.0));
    seen.insert(row.at(0));
  }
  CHECK(seen.size() == 2);
  // The losses of every step reached the database: a complete trial has all three.
  CHECK(count("SELECT MIN(n) FROM (SELECT COUNT(*) AS n FROM intermediate_values i JOIN trials t "
              "ON t.id = i.trial_id WHERE t.state = 'COMPLETE' GROUP BY t.id)") == 3);
}
