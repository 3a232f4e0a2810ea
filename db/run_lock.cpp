// The run lock (see run_lock.hpp): the process identity, the liveness rule, and the TrialStore
// methods that take, refresh, release and read a run_locks row, each in one transaction.
#include "db/run_lock.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "db/sqlite_statement.hpp"
#include "db/trial_store.hpp"

namespace tandem {
namespace {

using sqlite::Statement;
using sqlite::Transaction;

std::string this_host() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// Field 22 of /proc/<pid>/stat (start time after boot, in clock ticks); "" when unreadable.
std::string start_ticks(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  auto end_of_name = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (end_of_name == std::string::npos) return "";
  std::istringstream fields(stat.substr(end_of_name + 1));
  std::string field;
  for (int index = 3; index <= 22 && fields >> field; ++index)
    if (index == 22) return field;
  return "";
}

std::string process_start(std::int64_t pid) {
  std::string boot = boot_id();
  std::string ticks = start_ticks(pid);
  if (boot.empty() || ticks.empty()) return "";
  return boot + "/" + ticks;
}

// The SQL timestamp of now in the format trial_store.cpp writes (sorts as text).
constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

}  // namespace

ProcessIdentity ProcessIdentity::of_this_process() {
  ProcessIdentity me;
  me.host = this_host();
  me.pid = static_cast<std::int64_t>(getpid());
  me.start = process_start(me.pid);
  return me;
}

std::string ProcessIdentity::describe() const {
  return "pid " + std::to_string(pid) + " on host " + (host.empty() ? "?" : host);
}

bool run_lock_holder_alive(const RunLockHolder& holder, const ProcessIdentity& me,
                           double stale_after_seconds) {
  const ProcessIdentity& other = holder.process;
  if (other == me) return true;
  if (other.host != me.host) return holder.seconds_since_seen < stale_after_seconds;
  if (!other.start.empty() && !me.start.empty()) {
    // Same host with /proc: alive while that exact process (boot and start time) exists.
    return process_start(other.pid) == other.start;
  }
  // No start identity: the pid alone, as lock files do.
  if (other.pid <= 0) return false;
  return kill(static_cast<pid_t>(other.pid), 0) == 0 || errno == EPERM;
}

std::optional<RunLockHolder> TrialStore::run_lock(std::int64_t experiment_id) const {
  Statement select(db_, path_,
                   "SELECT host, pid, process_start, acquired, last_seen, "
                   "(julianday('now') - julianday(last_seen)) * 86400.0 "
                   "FROM run_locks WHERE experiment_id = ?");
  select.bind(1, experiment_id);
  if (!select.step()) return std::nullopt;
  RunLockHolder holder;
  holder.process.host = select.column_text(0);
  holder.process.pid = select.column_int64(1);
  holder.process.start = select.column_text(2);
  holder.acquired = select.column_text(3);
  holder.last_seen = select.column_text(4);
  holder.seconds_since_seen = select.column_double(5);
  return holder;
}

std::optional<RunLockHolder> TrialStore::acquire_run_lock(std::int64_t experiment_id,
                                                          const ProcessIdentity& me,
                                                          double stale_after_seconds) {
  require_writable("take the run lock");
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  if (auto holder = run_lock(experiment_id)) {
    if (holder->process != me && run_lock_holder_alive(*holder, me, stale_after_seconds))
      return holder;  // refused: the caller names the holder
  }
  Statement upsert(db_, path_,
                   std::string("INSERT INTO run_locks (experiment_id, host, pid, process_start, "
                               "acquired, last_seen) VALUES (?, ?, ?, ?, ") +
                       kNow + ", " + kNow +
                       ") ON CONFLICT (experiment_id) DO UPDATE SET host = excluded.host, "
                       "pid = excluded.pid, process_start = excluded.process_start, "
                       "acquired = excluded.acquired, last_seen = excluded.last_seen");
  upsert.bind(1, experiment_id).bind(2, me.host).bind(3, me.pid).bind(4, me.start);
  upsert.run();
  transaction.commit();
  return std::nullopt;
}

bool TrialStore::refresh_run_lock(std::int64_t experiment_id, const ProcessIdentity& me) {
  require_writable("refresh the run lock");
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  Statement update(db_, path_,
                   std::string("UPDATE run_locks SET last_seen = ") + kNow +
                       " WHERE experiment_id = ? AND host = ? AND pid = ? AND process_start = ?");
  update.bind(1, experiment_id).bind(2, me.host).bind(3, me.pid).bind(4, me.start);
  const bool held = update.run() == 1;
  transaction.commit();
  return held;
}

void TrialStore::release_run_lock(std::int64_t experiment_id, const ProcessIdentity& me) {
  require_writable("release the run lock");
  Transaction transaction(db_, path_, Transaction::Kind::immediate);
  Statement remove(db_, path_,
                   "DELETE FROM run_locks WHERE experiment_id = ? AND host = ? AND pid = ? AND "
                   "process_start = ?");
  remove.bind(1, experiment_id).bind(2, me.host).bind(3, me.pid).bind(4, me.start);
  remove.run();
  transaction.commit();
}

}  // namespace tandem
