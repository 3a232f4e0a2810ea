// Threading for the training engine: every kernel parallelises with tandem::parallel_for, which
// runs on the oneTBB arena the caller is in. A model executes inside its own ThreadArena (a
// tbb::task_arena with a fixed thread count), so `--threads T` is honoured and several trials
// training at once each get their own bounded share of the cores instead of oversubscribing.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace tandem {

class ThreadArena {
 public:
  // threads <= 0: all hardware threads.
  explicit ThreadArena(int threads = 0);
  ~ThreadArena();
  ThreadArena(const ThreadArena&) = delete;
  ThreadArena& operator=(const ThreadArena&) = delete;

  int threads() const { return threads_; }
  // Runs `work` inside this arena (directly when the caller is already in it).
  void execute(const std::function<void()>& work);

 private:
  int threads_ = 1;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The number of threads of the arena the caller runs in.
int current_thread_count();

// Calls body(begin, end) on disjoint chunks covering [0, n), in parallel when worthwhile.
// `grain`: the smallest chunk worth a task (in iterations).
void parallel_for(std::int64_t n, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body);

}  // namespace tandem
