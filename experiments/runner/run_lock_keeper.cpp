// RunLockKeeper (see run_lock_keeper.hpp).
#include "experiments/runner/run_lock_keeper.hpp"

#include <chrono>
#include <cmath>
#include <memory>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

RunLockKeeper::RunLockKeeper(TrialStore& store, std::int64_t experiment_id,
                             const std::string& experiment_name)
    : store_(store),
      experiment_id_(experiment_id),
      experiment_name_(experiment_name),
      me_(ProcessIdentity::of_this_process()) {
  if (auto holder = store_.acquire_run_lock(experiment_id_, me_)) {
    throw Error("experiment '" + experiment_name_ + "' in " + store_.path() +
                " is being run by another tandem process (" + holder->process.describe() +
                ", since " + holder->acquired + ", last seen " +
                format_number(std::round(holder->seconds_since_seen)) +
                " s ago); wait for it to end or stop it, then run with --resume");
  }
  refresher_ = std::thread([this] { refresh_loop(); });
}

RunLockKeeper::~RunLockKeeper() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  refresher_.join();
  try {
    if (!lost_) store_.release_run_lock(experiment_id_, me_);
  } catch (const Error&) {
    // The row stays; the next run sees that this process is gone and takes the lock over.
  }
}

std::string RunLockKeeper::lost_message() const {
  return "experiment '" + experiment_name_ + "' in " + store_.path() +
         ": another tandem process took over the run lock (this one was silent for over " +
         format_number(kRunLockStaleSeconds) +
         " s); stopping so that the two do not write the same trials";
}

void RunLockKeeper::refresh_loop() {
  std::unique_ptr<TrialStore> own;  // one connection per thread (trial_store.hpp)
  std::unique_lock<std::mutex> lock(mutex_);
  const auto interval = std::chrono::duration<double>(kRunLockRefreshSeconds);
  while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
    try {
      if (!own) own = std::make_unique<TrialStore>(store_.path());
      if (!own->refresh_run_lock(experiment_id_, me_)) {
        lost_ = true;
        return;
      }
    } catch (const Error&) {
      // Busy or briefly unreadable: the next refresh tries again, well inside the stale limit.
    }
  }
}

}  // namespace tandem
