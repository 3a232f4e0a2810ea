// The trial loop's two error channels, with a scripted evaluator: a tandem::Error raised while
// evaluating is a FAILED trial (cause error) and the search goes on; an InternalError (a bug) ends
// the run — inline, on worker threads and at the CLI's top level ("internal error (a bug, please
// report)", exit code 3) — without turning any trial FAILED: the trial stays RUNNING, and the
// next --resume marks it interrupted and runs its candidate again, as after a crash.
#include <doctest/doctest.h>

#include <atomic>
#include <iostream>
#include <sstream>

#include "db/trial_store.hpp"
#include "experiments/cli/cli.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/runner/trial_loop.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

enum class Raise { nothing, user_error, internal_error };

// The script every ScriptedEvaluator follows: which call (1-based, across all instances) raises
// what. Tests set it before a run.
std::atomic<int> g_calls{0};
std::atomic<int> g_raise_on_call{0};
std::atomic<Raise> g_raise{Raise::nothing};

class ScriptedEvaluator final : public Evaluator {
 public:
  TrialResult evaluate(const Candidate&, Reporter&) override {
    const int call = ++g_calls;
    if (call == g_raise_on_call.load()) {
      if (g_raise.load() == Raise::user_error) throw Error("scripted user error");
      if (g_raise.load() == Raise::internal_error) throw InternalError("scripted bug");
    }
    Metrics metrics;
    metrics.set("score", call);
    return TrialResult::complete(metrics);
  }
  std::vector<std::string> metric_names() const override { return {"score"}; }
};

void register_scripted() {
  if (evaluator_registry().contains("scripted")) return;
  evaluator_registry().add("scripted", "synthetic", "test", [](const EvaluatorContext&) {
    return std::unique_ptr<Evaluator>(std::make_unique<ScriptedEvaluator>());
  });
}

void script(Raise raise, int on_call) {
  register_scripted();
  g_calls = 0;
  g_raise = raise;
  g_raise_on_call = on_call;
}

const char* const kConfig =
    "name: channels\nseed: 3\n"
    "space: {name: nb201, options: {width: 4, cells_per_stage: 1}}\n"
    "strategy: random\n"
    "evaluators: [{name: scripted}]\n"
    "objectives: [{metric: score, direction: maximize}]\n"
    "budget: {trials: 6}\n";

RunOptions quiet(std::size_t workers = 1, bool resume = false) {
  RunOptions options;
  options.show_progress = false;
  options.workers = workers;
  options.resume = resume;
  return options;
}

std::vector<TrialRecord> trials_of(const TrialStore& store) {
  return store.trials(store.find_experiment("channels")->id);
}

}  // namespace

TEST_CASE("an evaluator's tandem::Error is a FAILED trial with cause error, and the run goes on") {
  script(Raise::user_error, 3);
  TempDir dir;
  TrialStore store(dir.file("error.db"));
  Experiment experiment(ExperimentConfig::parse(kConfig, "channels.yaml"));
  RunSummary summary = run_experiment(experiment, store, quiet());
  CHECK(summary.new_trials == 6);
  const auto trials = trials_of(store);
  REQUIRE(trials.size() == 6);
  CHECK(trials[2].state == TrialStatus::failed);
  CHECK(trials[2].cause == FailureCause::error);
  CHECK(trials[2].reason == "scripted user error");
  CHECK(was_told(trials[2]));
  for (int i : {0, 1, 3, 4, 5}) CHECK(trials[i].state == TrialStatus::complete);
}

TEST_CASE("an evaluator's InternalError ends the run, leaves its trial RUNNING, and resume re-runs it") {
  script(Raise::internal_error, 3);
  TempDir dir;
  TrialStore store(dir.file("bug.db"));
  const ExperimentConfig config = ExperimentConfig::parse(kConfig, "channels.yaml");
  {
    Experiment experiment(config);
    CHECK_THROWS_WITH_AS(run_experiment(experiment, store, quiet()), "scripted bug",
                         InternalError);
  }
  auto trials = trials_of(store);
  REQUIRE(trials.size() == 3);
  CHECK(trials[0].state == TrialStatus::complete);
  CHECK(trials[1].state == TrialStatus::complete);
  CHECK(trials[2].state == TrialStatus::running);  // not FAILED: a bug is not a trial's result
  CHECK(store.find_experiment("channels")->status == "running");

  script(Raise::nothing, 0);
  Experiment experiment(config);
  RunSummary summary = run_experiment(experiment, store, quiet(1, true));
  CHECK(summary.interrupted == 1);
  CHECK(summary.retried == 1);
  trials = trials_of(store);
  REQUIRE(trials.size() == 7);  // 6 told + the interrupted one
  CHECK(trials[2].state == TrialStatus::failed);
  CHECK(trials[2].cause == FailureCause::interrupted);
  CHECK(trials[3].retry_of == 2);
  CHECK(trials[3].candidate == trials[2].candidate);
  CHECK(trials[3].state == TrialStatus::complete);
}

TEST_CASE("an InternalError on a worker thread ends the run without a FAILED trial") {
  script(Raise::internal_error, 2);
  TempDir dir;
  TrialStore store(dir.file("threads.db"));
  Experiment experiment(ExperimentConfig::parse(kConfig, "channels.yaml"));
  CHECK_THROWS_WITH_AS(run_experiment(experiment, store, quiet(2)), "scripted bug", InternalError);
  const auto trials = trials_of(store);
  REQUIRE_FALSE(trials.empty());
  int running = 0;
  for (const auto& trial : trials) {
    CHECK(trial.state != TrialStatus::failed);
    running += trial.state == TrialStatus::running ? 1 : 0;
  }
  CHECK(running >= 1);
}

TEST_CASE("the CLI reports an InternalError as a bug (exit 3), a tandem::Error as an error (exit 1)") {
  TempDir dir;
  const std::string config = dir.write("channels.yaml", kConfig);
  auto run_cli_capturing = [&](const std::string& db, std::string& err) {
    std::vector<std::string> words = {"tandem", "run", config, "--db", db, "--quiet"};
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    std::ostringstream captured_err, captured_out;
    auto* old_err = std::cerr.rdbuf(captured_err.rdbuf());
    auto* old_out = std::cout.rdbuf(captured_out.rdbuf());
    int code = run_cli(static_cast<int>(argv.size()), argv.data());
    std::cerr.rdbuf(old_err);
    std::cout.rdbuf(old_out);
    err = captured_err.str();
    return code;
  };
  script(Raise::internal_error, 1);
  std::string err;
  CHECK(run_cli_capturing(dir.file("bug.db"), err) == 3);
  CHECK(err == "tandem run: internal error (a bug, please report): scripted bug\n");

  script(Raise::nothing, 0);
  CHECK(run_cli_capturing(dir.file("bug.db"), err) == 1);  // exists: a user error, one line
  CHECK(err.find("tandem run: error: experiment 'channels' already exists") == 0);
}
