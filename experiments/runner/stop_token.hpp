// Stopping a run early. A StopSource owns one lock-free atomic flag; a StopToken is a cheap,
// copyable read-only view of it that the trial loop and its executors (and, through their
// Reporters, evaluators) poll. Nothing reads a global: whoever starts a run hands it a token.
// The process-wide source for SIGINT/SIGTERM lives here too, because a signal handler may touch
// nothing but a lock-free atomic (async-signal-safe): the handler only stores to that flag.
#pragma once

#include <atomic>

namespace tandem {

class StopToken {
 public:
  StopToken() = default;  // a token that never asks to stop
  bool stop_requested() const noexcept {
    return flag_ != nullptr && flag_->load(std::memory_order_relaxed);
  }

 private:
  friend class StopSource;
  explicit StopToken(const std::atomic<bool>* flag) : flag_(flag) {}
  const std::atomic<bool>* flag_ = nullptr;
};

// Must outlive every token it hands out.
class StopSource {
 public:
  static_assert(std::atomic<bool>::is_always_lock_free,
                "a stop request must be async-signal-safe (a lock-free atomic)");
  StopSource() = default;
  StopSource(const StopSource&) = delete;
  StopSource& operator=(const StopSource&) = delete;

  void request_stop() noexcept { flag_.store(true, std::memory_order_relaxed); }
  void clear() noexcept { flag_.store(false, std::memory_order_relaxed); }
  bool stop_requested() const noexcept { return flag_.load(std::memory_order_relaxed); }
  StopToken token() const noexcept { return StopToken(&flag_); }

 private:
  std::atomic<bool> flag_{false};
};

// The source that SIGINT and SIGTERM request a stop on, once install_stop_handlers() ran.
StopSource& signal_stop_source();
// Installs the SIGINT/SIGTERM handlers: the first signal requests a stop on signal_stop_source()
// (the run ends after the trials in flight); a second one ends the process at once.
void install_stop_handlers();

}  // namespace tandem
