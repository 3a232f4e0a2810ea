// Two writers on one experiment: while a `tandem run` process runs an experiment, a second
// `tandem run --resume` of it is refused with one line naming the first and writes nothing; the
// first finishes its budget exactly, and the experiment stays resumable. A holder killed with
// SIGKILL does not block the next --resume.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const char* kConfig =
    "name: one-writer\n"
    "seed: 3\n"
    "space: {name: nb201, options: {width: 4, cells_per_stage: 1}}\n"
    "strategy: {name: random}\n"
    "evaluators: [{name: synthetic, options: {sleep_seconds: 0.05}}]\n"
    "objectives: [{metric: score, direction: maximize}]\n"
    "budget: {trials: 60}\n";

// Trials stored so far (0 while the file or the experiment does not exist yet).
std::size_t stored_count(const std::string& db) {
  try {
    TrialStore store(db, TrialStore::Mode::read_only);
    auto experiment = store.find_experiment("one-writer");
    return experiment ? store.trials(experiment->id).size() : 0;
  } catch (const Error&) {
    return 0;
  }
}

void wait_for_trials(const std::string& db, std::size_t count) {
  for (int i = 0; i < 600 && stored_count(db) < count; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(stored_count(db) >= count);
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::optional<RunLockHolder> stored_lock(const std::string& db) {
  TrialStore store(db, TrialStore::Mode::read_only);
  return store.run_lock(store.find_experiment("one-writer")->id);
}

// Every trial numbered 0, 1, 2, ... once, none RUNNING, and `told` of them told.
void check_history(const std::string& db, std::size_t told) {
  TrialStore store(db, TrialStore::Mode::read_only);
  auto trials = store.trials(store.find_experiment("one-writer")->id);
  std::size_t told_count = 0;
  std::set<std::int64_t> tell_seqs;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    CHECK(trials[i].number == static_cast<int>(i));
    CHECK(trials[i].state != TrialStatus::running);
    if (trials[i].tell_seq) {
      ++told_count;
      CHECK(tell_seqs.insert(*trials[i].tell_seq).second);
    }
  }
  CHECK(told_count == told);
}

// A config and database in a fresh folder, and a first `tandem run` of it in the background that
// has stored at least `trials` trials.
struct LiveRun {
  TempDir dir;
  std::string config = dir.write("exp.yaml", kConfig);
  std::string db = dir.file("runs.db");
  pid_t pid = 0;
  explicit LiveRun(std::size_t trials) {
    pid = spawn_tandem({"run", config, "--db", db, "--quiet"});
    wait_for_trials(db, trials);
  }
  CommandResult run(const std::string& flags) const {
    return run_tandem("run " + shell_quote(config) + " --db " + shell_quote(db) + " " + flags);
  }
};

}  // namespace

TEST_CASE("a second tandem run --resume of a live experiment is refused with one line") {
  LiveRun live(3);
  const std::string& db = live.db;
  const pid_t first = live.pid;
  auto second = live.run("--quiet --resume --trials 200");
  const bool first_still_running = waitpid(first, nullptr, WNOHANG) == 0;
  REQUIRE(first_still_running);  // 60 trials of 50 ms: the first run outlives the check
  CHECK(second.exit_code == 1);
  REQUIRE(second.lines().size() == 1);
  CHECK(second.output.find("experiment 'one-writer' in " + db +
                           " is being run by another tandem process (pid " +
                           std::to_string(first) + " on host") != std::string::npos);
  CHECK(second.output.find("then run with --resume") != std::string::npos);

  // The first run is undisturbed: exactly its budget, once each.
  CHECK(wait_exit(first) == 0);
  check_history(db, 60);
  CHECK_FALSE(stored_lock(db).has_value());  // released

  // Still resumable: 10 more trials continue it.
  auto resumed = live.run("--quiet --resume --trials 70");
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
  check_history(db, 70);
}

TEST_CASE("a holder killed with SIGKILL does not block the next --resume") {
  LiveRun live(5);
  const std::string& db = live.db;
  const pid_t first = live.pid;
  kill(first, SIGKILL);
  CHECK(wait_exit(first) == 128 + SIGKILL);
  auto holder = stored_lock(db);
  REQUIRE(holder.has_value());  // the dead process's row is still there
  CHECK(holder->process.pid == first);
  auto resumed = live.run("--quiet --resume");
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
  check_history(db, 60);
}
