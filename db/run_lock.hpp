// The run lock: at most one `tandem run` process writes an experiment at a time. Two writers on
// one experiment would ask the strategy twice for the same ask/tell numbers and corrupt its
// history for good, so the second one is refused with one line naming the holder.
// The lock is a row of run_locks (schema 6) naming the holder process: host, pid and the process's
// start identity (boot id + start time), so that a pid reused after the holder died is not
// mistaken for it. A holder on this host is alive while that exact process exists; a holder on
// another host (a database on a shared file system) is alive while it refreshed its row within
// kRunLockStaleSeconds. A dead holder's row is taken over, so a crash or kill -9 never blocks
// `tandem run --resume`. The TrialStore methods that use it are declared in trial_store.hpp.
#pragma once

#include <cstdint>
#include <string>

namespace tandem {

// Seconds without a refresh after which a holder on another host counts as dead.
constexpr double kRunLockStaleSeconds = 60.0;
// How often a holder refreshes its row (RunLockKeeper in experiments/runner).
constexpr double kRunLockRefreshSeconds = 5.0;

struct ProcessIdentity {
  std::string host;
  std::int64_t pid = 0;
  std::string start;  // "<boot id>/<start time in clock ticks>" on Linux, "" where unknown

  static ProcessIdentity of_this_process();
  bool operator==(const ProcessIdentity&) const = default;
  std::string describe() const;  // "pid 123 on host box"
};

struct RunLockHolder {
  ProcessIdentity process;
  std::string acquired;           // UTC, ISO 8601
  std::string last_seen;          // UTC, ISO 8601
  double seconds_since_seen = 0;  // by this machine's clock
};

// Whether `holder` is still running, judged from process `me` (see the top of this file).
bool run_lock_holder_alive(const RunLockHolder& holder, const ProcessIdentity& me,
                           double stale_after_seconds = kRunLockStaleSeconds);

}  // namespace tandem
