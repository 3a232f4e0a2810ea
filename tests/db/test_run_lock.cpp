// Tests for the run lock (db/run_lock.hpp): a live holder on this host refuses a second writer, a
// dead holder's lock is taken over (also when its pid was reused by another process), a holder
// on another host counts as alive until its row is stale, and only the holder may refresh or
// release it.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace tandem;
using tandem::test::RawConnection;
using tandem::test::TempDir;

namespace {

// A process that has exited and been reaped: its pid names no process now.
std::int64_t dead_pid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

}  // namespace

TEST_CASE("the run lock refuses a second writer while its holder on this host lives") {
  TempDir dir;
  TrialStore store(dir.file("t.db"));
  auto experiment = store.create_experiment("e", "text", 1);
  const ProcessIdentity me = ProcessIdentity::of_this_process();
  REQUIRE_FALSE(me.start.empty());  // Linux: boot id + start time from /proc

  // A live pid of this host that is not us: our parent (ctest or the shell).
  ProcessIdentity parent = me;
  parent.pid = getppid();
  {
    // The parent's pid as the holder, with a start identity that is not the parent's.
    RawConnection raw(dir.file("t.db"));
    REQUIRE(raw.exec("INSERT INTO run_locks VALUES (" + std::to_string(experiment) + ", '" +
                     parent.host + "', " + std::to_string(parent.pid) + ", 'x', 'a', 'b')") == "");
  }
  // 'x' is not the parent's start identity: a process that merely reuses that pid is not the
  // holder, so the lock is taken over.
  CHECK_FALSE(store.acquire_run_lock(experiment, me).has_value());
  REQUIRE(store.run_lock(experiment).has_value());
  CHECK(store.run_lock(experiment)->process == me);

  // Now a second identity on this host asks while we (alive, exact start) hold it: refused.
  ProcessIdentity other = me;
  other.pid = dead_pid();
  auto holder = store.acquire_run_lock(experiment, other);
  REQUIRE(holder.has_value());
  CHECK(holder->process == me);
  CHECK(holder->seconds_since_seen < 5.0);
  CHECK(store.run_lock(experiment)->process == me);  // refused: nothing written
  CHECK_FALSE(store.refresh_run_lock(experiment, other));
  store.release_run_lock(experiment, other);  // not the holder: no effect
  CHECK(store.run_lock(experiment)->process == me);

  // The holder itself may take it again (a second run_experiment in one process), then releases.
  CHECK_FALSE(store.acquire_run_lock(experiment, me).has_value());
  CHECK(store.refresh_run_lock(experiment, me));
  store.release_run_lock(experiment, me);
  CHECK_FALSE(store.run_lock(experiment).has_value());
}

TEST_CASE("a dead holder's run lock is taken over") {
  TempDir dir;
  TrialStore store(dir.file("t.db"));
  auto experiment = store.create_experiment("e", "text", 1);
  ProcessIdentity dead = ProcessIdentity::of_this_process();
  dead.pid = dead_pid();
  // Its start identity is ours (a live process's format), but its pid names no process now.
  CHECK_FALSE(store.acquire_run_lock(experiment, dead).has_value());
  const ProcessIdentity me = ProcessIdentity::of_this_process();
  CHECK_FALSE(store.acquire_run_lock(experiment, me).has_value());
  CHECK(store.run_lock(experiment)->process == me);
  CHECK_FALSE(store.refresh_run_lock(experiment, dead));  // the dead one has lost it
}

TEST_CASE("a holder on another host is alive until its row is older than the stale limit") {
  TempDir dir;
  TrialStore store(dir.file("t.db"));
  auto experiment = store.create_experiment("e", "text", 1);
  ProcessIdentity remote{"some-other-host", 4242, "boot/123"};
  CHECK_FALSE(store.acquire_run_lock(experiment, remote).has_value());
  const ProcessIdentity me = ProcessIdentity::of_this_process();
  auto holder = store.acquire_run_lock(experiment, me, 60.0);
  REQUIRE(holder.has_value());
  CHECK(holder->process == remote);

  // Its last sign of life 61 s ago (written behind the store's back): stale, taken over.
  {
    RawConnection raw(dir.file("t.db"));
    REQUIRE(raw.exec("UPDATE run_locks SET last_seen = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', "
                     "'-61 seconds')") == "");
  }
  CHECK(store.run_lock(experiment)->seconds_since_seen > 60.0);
  CHECK(store.run_lock(experiment)->seconds_since_seen < 70.0);
  CHECK_FALSE(store.acquire_run_lock(experiment, me, 60.0).has_value());
  CHECK(store.run_lock(experiment)->process == me);
}

TEST_CASE("a read-only store cannot take the run lock") {
  TempDir dir;
  {
    TrialStore store(dir.file("t.db"));
    store.create_experiment("e", "text", 1);
  }
  TrialStore reader(dir.file("t.db"), TrialStore::Mode::read_only);
  CHECK_THROWS_AS(reader.acquire_run_lock(1, ProcessIdentity::of_this_process()), Error);
}
