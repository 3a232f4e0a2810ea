// RunLockKeeper: holds an experiment's run lock (db/run_lock.hpp) for the life of one
// run_experiment call. It takes the lock or raises a one-line tandem::Error naming the live
// holder; a thread with its own connection to the database refreshes the lock every
// kRunLockRefreshSeconds, so a holder busy in a long trial still shows it is alive; the
// destructor stops the thread and releases the lock. If another process took the lock over
// (this one looked dead, e.g. it was paused longer than kRunLockStaleSeconds on another host),
// lost() turns true and the trial loop stops with an error instead of writing beside it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "db/trial_store.hpp"

namespace tandem {

class RunLockKeeper {
 public:
  RunLockKeeper(TrialStore& store, std::int64_t experiment_id, const std::string& experiment_name);
  ~RunLockKeeper();
  RunLockKeeper(const RunLockKeeper&) = delete;
  RunLockKeeper& operator=(const RunLockKeeper&) = delete;

  bool lost() const { return lost_.load(); }
  // The one-line error for a lost lock.
  std::string lost_message() const;

 private:
  void refresh_loop();

  TrialStore& store_;
  std::int64_t experiment_id_;
  std::string experiment_name_;
  ProcessIdentity me_;
  std::atomic<bool> lost_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread refresher_;
};

}  // namespace tandem
