// `tandem run --workers N`: N trials at once on one machine. Random search's proposals do not
// depend on arrival order, so a parallel run must store the same set of trials as a sequential
// one; kill -9 mid-run and --resume (with another worker count) must still end with that set;
// regularized evolution must resume exactly (the replayed state equals the stored one); readers
// never see an error while the run writes; bad worker counts are one clear line.
#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/experiments/runner/executors/test_parallel_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

std::string run_args(const std::string& config, const std::string& db, const std::string& extra) {
  return "run '" + config + "' --db '" + db + "' --quiet " + extra;
}

}  // namespace

TEST_CASE("--workers 4 stores the same trials as a sequential run (random search)") {
  TempDir dir;
  std::string config = dir.write("exp.yaml", synthetic_config("par", "random", 0.02));
  auto parallel = run_tandem(run_args(config, dir.file("par.db"), "--trials 24 --workers 4"));
  REQUIRE_MESSAGE(parallel.exit_code == 0, parallel.output);
  auto sequential = run_tandem(run_args(config, dir.file("seq.db"), "--trials 24"));
  REQUIRE_MESSAGE(sequential.exit_code == 0, sequential.output);

  auto par = stored(dir.file("par.db"), "par");
  auto seq = stored(dir.file("seq.db"), "par");
  REQUIRE(par.size() == 24);
  check_numbers_and_states(par);
  CHECK(told_set(par) == told_set(seq));
  // Four distinct workers evaluated them, and each trial carries its ask/tell record.
  std::set<std::string> workers;
  std::set<std::int64_t> tells;
  for (const auto& t : par) {
    workers.insert(t.worker);
    CHECK(t.ask_seq.has_value());
    REQUIRE(t.tell_seq.has_value());
    tells.insert(*t.tell_seq);
    CHECK_FALSE(t.retry_of.has_value());
  }
  CHECK(workers.size() == 4);
  CHECK(tells.size() == par.size());
  // Intermediate values went through the coordinator: steps 1 and 2, progress 1/2 and 2/2.
  TrialStore store(dir.file("par.db"), TrialStore::Mode::read_only);
  auto curve = store.intermediate_values(par[5].id);
  REQUIRE(curve.size() == 2);
  CHECK(curve[0].step == 1);
  CHECK(curve[0].value == 0.5);
  CHECK(curve[1].step == 2);
  CHECK(curve[1].value == 1.0);
}

TEST_CASE("kill -9 during --workers 3, then --resume --workers 2, ends with the sequential set") {
  TempDir dir;
  std::string config = dir.write("exp.yaml", synthetic_config("par", "random", 0.05));
  std::string db = dir.file("killed.db");
  run_and_kill({"run", config, "--db", db, "--quiet", "--workers", "3"},
               std::chrono::milliseconds(700));
  auto first = stored(db, "par");
  REQUIRE(first.size() > 3);
  long long told = 0;
  for (const auto& t : first) told += was_told(t) ? 1 : 0;
  const long long total = told + 20;
  auto resumed = run_tandem(run_args(config, db, "--resume --workers 2 --trials " +
                                                     std::to_string(total)));
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
  auto reference = run_tandem(run_args(config, dir.file("ref.db"),
                                       "--trials " + std::to_string(total)));
  REQUIRE_MESSAGE(reference.exit_code == 0, reference.output);

  auto final_trials = stored(db, "par");
  check_numbers_and_states(final_trials);
  CHECK(told_set(final_trials) == told_set(stored(dir.file("ref.db"), "par")));
  // Finished trials are unchanged; each interrupted trial's candidate ran again, exactly once,
  // as a trial that names it in retry_of.
  int interrupted = 0;
  for (std::size_t i = 0; i < first.size(); ++i) {
    const auto& now = final_trials[i];
    if (first[i].state != TrialStatus::running) {
      CHECK(now.candidate == first[i].candidate);
      CHECK(now.values == first[i].values);
      continue;
    }
    ++interrupted;
    CHECK(now.state == TrialStatus::failed);
    CHECK(now.reason == kInterruptedReason);
    int retries = 0;
    for (const auto& later : final_trials) {
      if (later.retry_of && *later.retry_of == now.number) {
        ++retries;
        CHECK(later.candidate == now.candidate);
        CHECK(was_told(later));
      }
    }
    CHECK(retries == 1);
  }
  CHECK(interrupted >= 1);
}

TEST_CASE("regularized evolution with --workers resumes exactly after kill -9") {
  TempDir dir;
  std::string config = dir.write(
      "exp.yaml",
      synthetic_config("evo",
                       "{name: regularized_evolution, options: {population_size: 6, sample_size: 2}}",
                       0.02, 0));
  std::string db = dir.file("evo.db");
  run_and_kill({"run", config, "--db", db, "--quiet", "--workers", "3"},
               std::chrono::milliseconds(600));
  auto count_told = [&] {
    long long told = 0;
    for (const auto& t : stored(db, "evo")) told += was_told(t) ? 1 : 0;
    return told;
  };
  REQUIRE(stored(db, "evo").size() > 3);
  const long long before = count_told();
  // The replay checks every stored candidate and the strategy state after the last tell: any
  // mismatch is an error, so a zero exit code is the proof. Resume twice, with other worker counts.
  auto resumed = run_tandem(run_args(config, db, "--resume --workers 4 --trials " +
                                                     std::to_string(before + 20)));
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
  auto again = run_tandem(run_args(config, db, "--resume --workers 2 --trials " +
                                                   std::to_string(before + 30)));
  REQUIRE_MESSAGE(again.exit_code == 0, again.output);
  check_numbers_and_states(stored(db, "evo"));
  CHECK(count_told() == before + 30);
}

TEST_CASE("readers never see an error while --workers 4 writes") {
  TempDir dir;
  std::string config = dir.write("exp.yaml", synthetic_config("par", "random", 0.01));
  std::string db = dir.file("busy.db");
  std::atomic<bool> done{false};
  CommandResult writer;
  std::thread run([&] {
    writer = run_tandem(run_args(config, db, "--trials 150 --workers 4"));
    done = true;
  });
  int reads = 0, failures = 0;
  std::string failure;
  while (!done) {
    auto listing = run_tandem("trials '" + db + "' --format csv");
    // Reads count from the first one that finds the experiment (before that, the run is still
    // creating the file: opening a file that is not yet a trial database is a different matter).
    if (reads == 0 && listing.exit_code != 0) continue;
    ++reads;
    if (listing.exit_code != 0) {
      ++failures;
      failure = listing.output;
    }
  }
  run.join();
  REQUIRE_MESSAGE(writer.exit_code == 0, writer.output);
  CHECK_MESSAGE(failures == 0, failure);
  CHECK(reads > 0);
}

TEST_CASE("bad worker options are one clear line") {
  TempDir dir;
  std::string config = dir.write("exp.yaml", synthetic_config("par", "random", 0.0));
  std::string db = dir.file("bad.db");
  auto zero = run_tandem(run_args(config, db, "--workers 0"), true);
  CHECK(zero.exit_code == 1);
  REQUIRE(zero.lines().size() == 1);
  CHECK(zero.output.find("--workers 0: expected an integer in [1, 4096]") != std::string::npos);
  auto timeout = run_tandem(run_args(config, db, "--heartbeat-timeout 5"), true);
  CHECK(timeout.exit_code == 1);
  CHECK(timeout.lines().size() == 1);
  CHECK(timeout.output.find("--mpi runs only") != std::string::npos);
  CHECK(fingerprint(db) == "<missing>");
}

TEST_CASE("the synthetic evaluator rejects negative durations at the config location") {
  TempDir dir;
  std::string text = synthetic_config("par", "random", 0.0);
  text.replace(text.find("sleep_seconds: 0.000000"), 23, "sleep_seconds: -1");
  std::string config = dir.write("exp.yaml", text);
  auto result = run_tandem(run_args(config, dir.file("x.db"), ""), true);
  CHECK(result.exit_code == 1);
  CHECK(result.lines().size() == 1);
  CHECK(result.output.find("exp.yaml:5:") != std::string::npos);
  CHECK(result.output.find("sleep_seconds -1") != std::string::npos);
}
