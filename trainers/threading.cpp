// ThreadArena and parallel_for on oneTBB (see threading.hpp).
#include "trainers/threading.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <thread>

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
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n, grain),
                    [&](const tbb::blocked_range<std::int64_t>& r) { body(r.begin(), r.end()); },
                    tbb::simple_partitioner());
}

}  // namespace tandem
