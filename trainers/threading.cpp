// ThreadArena and parallel_for on oneTBB (see threading.hpp).
#include "trainers/threading.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define TANDEM_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TANDEM_THREAD_SANITIZER 1
#endif
#endif

namespace tandem {

struct ThreadArena::Impl {
  tbb::task_arena arena;
  explicit Impl(int threads) : arena(threads) {}
};

ThreadArena::ThreadArena(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_ = threads;
  impl_ = std::make_unique<Impl>(threads);
}

ThreadArena::~ThreadArena() = default;

void ThreadArena::execute(const std::function<void()>& work) {
  impl_->arena.execute(work);  // re-entering the arena we are already in runs directly
}

int current_thread_count() { return tbb::this_task_arena::max_concurrency(); }

void parallel_for(std::int64_t n, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  if (n <= grain || current_thread_count() <= 1) {
    body(0, n);
    return;
  }
#ifdef TANDEM_THREAD_SANITIZER
  // ThreadSanitizer builds (make tsan): Debian's libtbb is not instrumented, so TSan cannot see
  // its task hand-offs and reports every tbb::parallel_for as a race inside TBB's own range
  // objects. Here the chunks run on std::threads, whose start and join TSan understands, so what
  // it reports is a race between the kernel's own chunks.
  const std::int64_t chunks = std::min<std::int64_t>(current_thread_count(), (n + grain - 1) / grain);
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto run_chunk = [&](std::int64_t c) {
    try {
      body(c * n / chunks, (c + 1) * n / chunks);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (std::int64_t c = 1; c < chunks; ++c) threads.emplace_back(run_chunk, c);
  run_chunk(0);
  for (std::thread& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
  return;
#endif
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n, grain),
                    [&](const tbb::blocked_range<std::int64_t>& r) { body(r.begin(), r.end()); },
                    tbb::simple_partitioner());
}

}  // namespace tandem
