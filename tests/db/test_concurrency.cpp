// Tests for several connections on one file: readers never error while a writer writes, two
// writers get distinct trial numbers, and a writer killed with SIGKILL mid-run leaves a consistent
// file holding every trial it had committed.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace tandem;
using tandem::test::RawConnection;
using tandem::test::TempDir;

namespace {

// One full trial: start, two intermediate steps, finish with a strategy state. Every tenth trial
// brings a new metric name, so the writer also rebuilds the trial_summary view as it goes.
void write_trial(TrialStore& store, std::int64_t experiment, int i) {
  auto trial = store.start_trial(experiment, "s", "c" + std::to_string(i), "", "writer");
  for (int step = 0; step < 2; ++step) {
    Metrics curve;
    curve.set("accuracy", 0.1 * step);
    store.log_intermediate(trial.id, step, curve);
  }
  Metrics final_values;
  final_values.set("accuracy", i);
  final_values.set("metric_" + std::to_string(i / 10), i);
  store.finish_trial(trial.id, TrialResult::complete(final_values), "after " + std::to_string(i));
}

}  // namespace

TEST_CASE("readers never error while another connection writes") {
  TempDir dir;
  std::string path = dir.file("trials.db");
  std::int64_t experiment = 0;
  {
    TrialStore setup(path);
    experiment = setup.create_experiment("e", "", 1);
  }
  const int trials_to_write = 150;
  std::atomic<bool> writer_done{false};
  std::string writer_error;
  std::thread writer([&] {
    try {
      TrialStore store(path);
      for (int i = 0; i < trials_to_write; ++i) write_trial(store, experiment, i);
    } catch (const std::exception& error) {
      writer_error = error.what();
    }
    writer_done = true;
  });

  TrialStore read_only(path, TrialStore::Mode::read_only);
  std::vector<std::string> reader_errors;
  std::size_t last_count = 0;
  int reads = 0;
  bool consistent = true;
  while (!writer_done || reads < 10) {
    try {
      // A second read-write connection opened mid-run must not disturb anything either.
      std::unique_ptr<TrialStore> fresh;
      if (reads % 5 == 4) fresh = std::make_unique<TrialStore>(path);
      TrialStore& reader = fresh ? *fresh : read_only;
      auto trials = reader.trials(experiment);
      consistent = consistent && trials.size() >= last_count;
      last_count = trials.size();
      for (const auto& trial : trials) {
        // One snapshot: a finished trial always comes with its values, a running one without.
        bool finished = trial.state == TrialStatus::complete;
        consistent = consistent && (finished ? trial.values.size() == 2 : trial.values.empty());
      }
      reader.query("SELECT * FROM trial_summary");
      reader.query("SELECT * FROM experiment_summary");
      reader.latest_strategy_state(experiment);
      if (!trials.empty()) reader.intermediate_values(trials.back().id);
    } catch (const std::exception& error) {
      reader_errors.push_back(error.what());
    }
    ++reads;
  }
  writer.join();
  CHECK(writer_error == "");
  CHECK(reader_errors.empty());
  if (!reader_errors.empty()) MESSAGE(reader_errors.front());
  CHECK(consistent);
  CHECK(reads > 10);
  CHECK(read_only.trials(experiment).size() == trials_to_write);
}

TEST_CASE("two writers on one file get distinct, gap-free trial numbers") {
  TempDir dir;
  std::string path = dir.file("trials.db");
  std::int64_t experiment = TrialStore(path).create_experiment("e", "", 1);
  const int per_writer = 40;
  std::string errors[2];
  auto work = [&](int which) {
    try {
      TrialStore store(path);
      for (int i = 0; i < per_writer; ++i) write_trial(store, experiment, which * 1000 + i);
    } catch (const std::exception& error) {
      errors[which] = error.what();
    }
  };
  std::thread first(work, 0), second(work, 1);
  first.join();
  second.join();
  CHECK(errors[0] == "");
  CHECK(errors[1] == "");
  auto trials = TrialStore(path).trials(experiment);
  REQUIRE(trials.size() == 2 * per_writer);
  for (int i = 0; i < 2 * per_writer; ++i) CHECK(trials[static_cast<std::size_t>(i)].number == i);
}

TEST_CASE("a writer killed with SIGKILL leaves every committed trial intact") {
  TempDir dir;
  std::string path = dir.file("trials.db");
  std::int64_t experiment = TrialStore(path).create_experiment("e", "", 1);
  int committed = 0;  // trials the killed writers reported as finished, over all rounds
  // Kill after different amounts of work; each round resumes the file the last one left.
  for (int kill_after : {1, 7, 25}) {
    int pipe_ends[2];
    REQUIRE(::pipe(pipe_ends) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // the writer: reports each trial number once its transaction committed
      ::close(pipe_ends[0]);
      try {
        TrialStore store(path);
        store.fail_running_trials(experiment, "killed");
        for (int i = committed;; ++i) {
          write_trial(store, experiment, i);
          if (::write(pipe_ends[1], &i, sizeof i) != sizeof i) ::_exit(2);
        }
      } catch (...) {
        ::_exit(1);
      }
    }
    ::close(pipe_ends[1]);
    int reported = 0, last = -1;
    while (reported < kill_after && ::read(pipe_ends[0], &last, sizeof last) == sizeof last) {
      ++reported;
    }
    ::kill(child, SIGKILL);  // somewhere in a later trial: the writer does not wait for us
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(reported == kill_after);
    // Reports the writer made before it died are still in the pipe; drain them.
    while (::read(pipe_ends[0], &last, sizeof last) == sizeof last) ++reported;
    ::close(pipe_ends[0]);
    CHECK(WIFSIGNALED(status));
    committed = last + 1;

    RawConnection raw(path);
    CHECK(raw.scalar("PRAGMA integrity_check") == "ok");
    CHECK(raw.scalar("PRAGMA foreign_key_check") == "");
    TrialStore store(path);
    int complete = 0;
    for (const auto& trial : store.trials(experiment)) {
      if (trial.state != TrialStatus::complete) continue;
      CHECK(trial.values.at("accuracy") == complete);  // complete trials are 0, 1, 2, ...
      CHECK(store.strategy_state(trial.id) == "after " + std::to_string(complete));
      CHECK(store.intermediate_values(trial.id).size() == 2);
      ++complete;
    }
    // Everything reported is there; at most the trial in flight beyond it (if its commit landed
    // between the report and the kill).
    CHECK(complete >= committed);
    CHECK(complete <= committed + 1);
    committed = complete;
  }
}
