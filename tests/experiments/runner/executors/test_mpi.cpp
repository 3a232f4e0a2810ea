// `mpirun --oversubscribe -np 3 tandem run CONFIG --mpi` on loopback: the same set of trial
// records as a sequential run (random search); a worker rank killed (SIGKILL) or hung (SIGSTOP)
// mid-trial has that trial FAILED "worker lost" and its candidate re-run on the other rank, and
// nothing else is lost; ranks with different configs are refused in one line. In a build without
// MPI, --mpi is one clear error line instead.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "tests/experiments/runner/executors/test_parallel_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

#ifdef TANDEM_WITH_MPI

// mpirun as root needs these; --oversubscribe lets 3 ranks share 2 cores; --enable-recovery keeps
// the job alive when a rank dies (otherwise OpenMPI aborts every rank).
std::string mpirun(int ranks) {
  return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 "
         "mpirun --oversubscribe --enable-recovery -np " + std::to_string(ranks) + " ";
}

// Starts `command` in the background (output to `log`); returns its pid.
pid_t spawn(const std::string& command, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);  // its own process group, so a timeout can end mpirun and every rank together
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Waits up to `limit` for `pid`; its exit code, or -1 after killing it on timeout.
int wait_for(pid_t pid, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

// The pid of the rank named in trials.worker ("host:pid rank N").
pid_t worker_pid(const std::string& worker) {
  auto colon = worker.find(':');
  return static_cast<pid_t>(std::atoll(worker.c_str() + colon + 1));
}

// Polls the database until `ready` holds for its trials (or `limit` passes).
template <class Ready>
std::vector<TrialRecord> wait_until(const std::string& db, Ready ready, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    try {
      TrialStore store(db, TrialStore::Mode::read_only);
      auto experiment = store.find_experiment("mpi");
      if (!experiment) continue;
      auto trials = store.trials(experiment->id);
      if (ready(trials, *experiment)) return trials;
    } catch (const Error&) {  // not created yet
    }
  }
  FAIL("timed out waiting for the run");
  return {};
}

// Runs the slow experiment (1.5 s trials, so the signal lands inside the observed trial even on a
// loaded machine) on 3 ranks, does `act` to rank 2 in the middle of one of its trials,
// and checks that only that trial was lost and re-run.
void check_lost_worker(bool hang) {
  TempDir dir;
  std::string config = dir.write("exp.yaml", synthetic_config("mpi", "random", 1.5, 2));
  std::string db = dir.file("mpi.db");
  pid_t job = spawn(mpirun(3) + "'" + tandem_binary() + "' run '" + config + "' --db '" + db +
                        "' --quiet --mpi --trials 10 --heartbeat-timeout 3",
                    dir.file("mpirun.log"));
  // Wait until rank 2 has finished one trial and is in the middle of its next one.
  std::string victim;
  int victim_number = -1;
  wait_until(db, [&](const std::vector<TrialRecord>& trials, const ExperimentRecord&) {
    bool finished_one = false;
    for (const auto& t : trials)
      if (t.worker.ends_with(" rank 2") && t.state == TrialStatus::complete) finished_one = true;
    for (const auto& t : trials) {
      if (finished_one && t.worker.ends_with(" rank 2") && t.state == TrialStatus::running) {
        victim = t.worker;
        victim_number = t.number;
        return true;
      }
    }
    return false;
  }, std::chrono::seconds(60));
  REQUIRE(victim_number >= 0);
  pid_t victim_pid = worker_pid(victim);
  REQUIRE(victim_pid > 0);
  kill(victim_pid, hang ? SIGSTOP : SIGKILL);
  if (hang) {
    // Rank 0 finishes the run (everything stored) but cannot end the job while the hung rank
    // lives: killing it, as an operator or Slurm would, lets mpirun return.
    wait_until(db, [](const std::vector<TrialRecord>&, const ExperimentRecord& e) {
      return e.status == "finished";
    }, std::chrono::seconds(60));
    kill(victim_pid, SIGKILL);
  }
  // Rank 0 records everything and marks the experiment finished; whether mpirun then ends the
  // job after a rank died is OpenMPI's teardown (with --enable-recovery it usually exits 0, but
  // not always: docs/distributed.md). The test ends a lingering job itself — every process of the
  // run, ranks included — and checks what tandem guarantees: the stored trials.
  wait_until(db, [](const std::vector<TrialRecord>&, const ExperimentRecord& e) {
    return e.status == "finished";
  }, std::chrono::seconds(90));
  int exit_code = wait_for(job, std::chrono::seconds(20));
  if (exit_code == -1) {
    MESSAGE("mpirun did not end by itself after a rank died; the test ended it");
    TrialStore store(db, TrialStore::Mode::read_only);
    for (const auto& row : store.query("SELECT worker FROM heartbeats UNION SELECT worker FROM "
                                       "trials").rows)
      if (pid_t pid = worker_pid(row.front()); pid > 0) kill(pid, SIGKILL);
  } else {
    CHECK_MESSAGE(exit_code == 0, fingerprint(dir.file("mpirun.log")));
  }

  auto trials = stored(db, "mpi");
  check_numbers_and_states(trials);
  int lost = 0;
  for (const auto& t : trials) {
    if (t.state != TrialStatus::failed) continue;
    ++lost;
    CHECK(t.number == victim_number);
    CHECK(t.reason == kWorkerLostReason);
  }
  CHECK(lost == 1);
  int retries = 0;
  for (const auto& t : trials) {
    if (!t.retry_of) continue;
    ++retries;
    CHECK(*t.retry_of == victim_number);
    CHECK(t.candidate == trials[static_cast<std::size_t>(victim_number)].candidate);
    CHECK(t.state == TrialStatus::complete);
    CHECK(t.worker.ends_with(" rank 1"));
  }
  CHECK(retries == 1);
  // Nothing else was lost: the told trials are exactly a sequential run's.
  auto reference = run_tandem("run '" + config + "' --db '" + dir.file("ref.db") +
                              "' --quiet --trials 10");
  REQUIRE_MESSAGE(reference.exit_code == 0, reference.output);
  CHECK(told_set(trials) == told_set(stored(dir.file("ref.db"), "mpi")));
}

#endif

}  // namespace

#ifdef TANDEM_WITH_MPI

TEST_CASE("mpirun -np 3 --mpi stores the same trials as a sequential run (random search)") {
  TempDir dir;
  std::string config = dir.write("exp.yaml", synthetic_config("mpi", "random", 0.02));
  auto distributed = run_shell(mpirun(3) + "'" + tandem_binary() + "' run '" + config + "' --db '" +
                               dir.file("mpi.db") + "' --quiet --mpi --trials 20 2>&1");
  REQUIRE_MESSAGE(distributed.exit_code == 0, distributed.output);
  auto sequential = run_tandem("run '" + config + "' --db '" + dir.file("seq.db") +
                               "' --quiet --trials 20");
  REQUIRE_MESSAGE(sequential.exit_code == 0, sequential.output);
  auto trials = stored(dir.file("mpi.db"), "mpi");
  REQUIRE(trials.size() == 20);
  check_numbers_and_states(trials);
  CHECK(told_set(trials) == told_set(stored(dir.file("seq.db"), "mpi")));
  bool rank1 = false, rank2 = false;
  for (const auto& t : trials) {
    rank1 = rank1 || t.worker.ends_with(" rank 1");
    rank2 = rank2 || t.worker.ends_with(" rank 2");
    CHECK_FALSE(t.worker.ends_with(" rank 0"));  // rank 0 only coordinates
  }
  CHECK(rank1);
  CHECK(rank2);
  // Intermediate values streamed back from the ranks: two steps per trial.
  TrialStore store(dir.file("mpi.db"), TrialStore::Mode::read_only);
  CHECK(store.intermediate_values(trials[3].id).size() == 2);
}

TEST_CASE("mpirun -np 3 --mpi with the command evaluator: each rank's program knows its worker") {
  TempDir dir;
  const std::string script = dir.write(
      "train.py",
      "import json, os\n"
      "trial = json.load(open(os.environ['TANDEM_TRIAL_FILE']))\n"
      "print(json.dumps({'step': 1, 'loss': 1.0}))\n"
      "print(json.dumps({'score': len(trial['candidate']), 'worker': trial['worker'],\n"
      "                  'gpu': int(os.environ['GPU'])}))\n");
  const std::string config = dir.write(
      "exp.yaml", "name: mpi\nseed: 2\nspace: {name: nb201}\nstrategy: random\n"
                  "evaluators:\n  - name: command\n    options:\n      command: \"python3 " +
                      script + "\"\n      worker_env: {GPU: [\"3\", \"5\"]}\n"
                  "objectives: [{metric: score, direction: maximize}]\n");
  auto run = run_shell(mpirun(3) + "'" + tandem_binary() + "' run '" + config + "' --db '" +
                       dir.file("mpi.db") + "' --quiet --mpi --trials 8 2>&1");
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  auto trials = stored(dir.file("mpi.db"), "mpi");
  REQUIRE(trials.size() == 8);
  // Both worker ranks share this machine: the first is worker 0 (GPU 3), the second worker 1.
  std::set<double> workers;
  for (const auto& t : trials) {
    INFO(t.worker << " " << t.reason);
    REQUIRE(t.state == TrialStatus::complete);
    const double worker = t.values.at("worker");
    CHECK(worker == (t.worker.ends_with(" rank 1") ? 0.0 : 1.0));
    CHECK(t.values.at("gpu") == (worker == 0.0 ? 3.0 : 5.0));
    workers.insert(worker);
  }
  CHECK(workers.size() == 2);
}

TEST_CASE("a worker rank killed mid-trial: its trial FAILED 'worker lost' and re-run") {
  check_lost_worker(false);
}

TEST_CASE("a worker rank hung mid-trial (SIGSTOP): detected by heartbeat timeout") {
  check_lost_worker(true);
}

TEST_CASE("a stop on rank 0 (SIGINT) ends the trials running on the other ranks early") {
  // 20 s trials in 20 steps: without the stop message the job would run for 20 s more.
  TempDir dir;
  std::string config = dir.write("exp.yaml", synthetic_config("mpi", "random", 20.0, 20));
  std::string db = dir.file("mpi.db");
  pid_t job = spawn(mpirun(3) + "'" + tandem_binary() + "' run '" + config + "' --db '" + db +
                        "' --quiet --mpi --trials 10",
                    dir.file("mpirun.log"));
  wait_until(db, [](const std::vector<TrialRecord>& trials, const ExperimentRecord&) {
    int running = 0;
    for (const auto& t : trials) running += t.state == TrialStatus::running;
    return running == 2;
  }, std::chrono::seconds(60));
  // Rank 0's worker name (host:pid) is in the heartbeats table.
  pid_t coordinator = 0;
  {
    TrialStore store(db, TrialStore::Mode::read_only);
    auto rows = store.query("SELECT worker FROM heartbeats").rows;
    REQUIRE(rows.size() == 1);
    coordinator = worker_pid(rows.front().front());
  }
  REQUIRE(coordinator > 0);
  auto signalled = std::chrono::steady_clock::now();
  kill(coordinator, SIGINT);
  int exit_code = wait_for(job, std::chrono::seconds(60));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  CHECK_MESSAGE(seconds < 10.0, "the job took " << seconds << " s to stop");
  CHECK(exit_code != -1);
  auto trials = stored(db, "mpi");
  REQUIRE(trials.size() == 2);
  for (const auto& t : trials) {  // interrupted by the user, not pruned: re-run on --resume
    CHECK(t.state == TrialStatus::failed);
    CHECK(t.reason == kInterruptedReason);
    CHECK(t.cause == FailureCause::interrupted);
  }
  TrialStore store(db, TrialStore::Mode::read_only);
  CHECK(store.find_experiment("mpi")->status == "interrupted");
}

TEST_CASE("ranks with different configs are refused in one line") {
  TempDir dir;
  std::string a = dir.write("a.yaml", synthetic_config("mpi", "random", 0.0));
  std::string b = dir.write("b.yaml", synthetic_config("mpi", "random", 0.5));
  std::string db = dir.file("x.db");
  auto result = run_shell("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun "
                          "--oversubscribe -np 1 '" + tandem_binary() + "' run '" + a + "' --db '" +
                          db + "' --quiet --mpi : -np 1 '" + tandem_binary() + "' run '" + b +
                          "' --db '" + db + "' --quiet --mpi 2>&1");
  CHECK(result.exit_code != 0);
  int tandem_lines = 0;
  for (const auto& line : result.lines()) {
    if (line.starts_with("tandem run: error:")) {
      ++tandem_lines;
      CHECK(line.find("rank 1") != std::string::npos);
      CHECK(line.find("different experiment") != std::string::npos);
    }
  }
  CHECK(tandem_lines == 1);
  CHECK(fingerprint(db) == "<missing>");  // refused before the database was opened
}

#else

TEST_CASE("--mpi in a build without MPI is one clear line") {
  TempDir dir;
  std::string config = dir.write("exp.yaml", synthetic_config("mpi", "random", 0.0));
  auto result = run_tandem("run '" + config + "' --db '" + dir.file("x.db") + "' --mpi", true);
  CHECK(result.exit_code == 1);
  REQUIRE(result.lines().size() == 1);
  CHECK(result.output.find("built without MPI") != std::string::npos);
}

#endif
