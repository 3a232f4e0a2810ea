// The inline and thread executors of the trial loop (see parallel_executor.hpp).
#include "experiments/runner/executors/parallel_executor.hpp"

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <variant>

#include "core/error.hpp"

namespace tandem {
namespace {

// ---- inline: one slot, evaluated on the coordinator's thread --------------------------------

class SinkReporter final : public Reporter {
 public:
  SinkReporter(const ReportSink& sink, TrialContext trial, StopToken stop)
      : sink_(sink), trial_(trial), stop_(stop) {}
  TrialContext trial() const override { return trial_; }
  void report(int step, const Metrics& values) override {
    if (sink_(trial_.trial_id, step, values)) pruned_ = true;
  }
  bool should_stop() const override { return pruned_ || stop_.stop_requested(); }

 private:
  const ReportSink& sink_;
  TrialContext trial_;
  StopToken stop_;
  bool pruned_ = false;
};

class InlineExecutor final : public TrialExecutor {
 public:
  InlineExecutor(Experiment& experiment, std::string worker, StopToken stop)
      : experiment_(experiment), worker_(std::move(worker)), stop_(stop) {}
  std::size_t slots() const override { return 1; }
  std::optional<std::size_t> free_slot() const override {
    return work_ ? std::nullopt : std::optional<std::size_t>(0);
  }
  std::size_t free_slots() const override { return work_ ? 0 : 1; }
  std::size_t live_slots() const override { return 1; }
  std::string worker_name(std::size_t) const override { return worker_; }
  void dispatch(std::size_t, const TrialWork& work) override { work_ = work; }
  std::optional<ExecutorEvent> next(std::chrono::milliseconds, const ReportSink& sink) override {
    if (!work_) return std::nullopt;
    TrialWork work = std::move(*work_);
    work_.reset();
    SinkReporter reporter(sink, TrialContext{work.number, work.trial_id, 0}, stop_);
    ExecutorEvent event;
    event.trial_id = work.trial_id;
    event.result = experiment_.evaluate(work.candidate, reporter);  // bugs propagate from here
    return event;
  }
  void shutdown() override {}

 private:
  Experiment& experiment_;
  std::string worker_;
  StopToken stop_;
  std::optional<TrialWork> work_;
};

// ---- threads: N slots, one thread each --------------------------------------------------------

// The coordinator's answer to one report (stop the trial or not), awaited by the reporting thread.
class Verdict {
 public:
  void set(bool stop) {
    {
      std::lock_guard lock(mutex_);
      stop_ = stop;
      ready_ = true;
    }
    done_.notify_one();
  }
  // The answer; false when the executor shuts down first.
  bool wait(const std::atomic<bool>& closing) {
    std::unique_lock lock(mutex_);
    while (!ready_ && !closing.load())
      done_.wait_for(lock, std::chrono::milliseconds(50));
    return ready_ && stop_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  bool ready_ = false;
  bool stop_ = false;
};

struct IntermediateMessage {
  std::int64_t trial_id;
  int step;
  Metrics values;
  std::shared_ptr<Verdict> verdict;
};
// An evaluation raised something other than a tandem::Error: a bug, rethrown by the coordinator.
struct CrashMessage {
  std::exception_ptr error;
};
using Message = std::variant<IntermediateMessage, ExecutorEvent, CrashMessage>;

// What the worker threads send to the coordinator, in order.
class Outbox {
 public:
  void push(Message message) {
    {
      std::lock_guard lock(mutex_);
      messages_.push_back(std::move(message));
    }
    ready_.notify_one();
  }
  std::optional<Message> pop(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_until(lock, deadline, [&] { return !messages_.empty(); })) return std::nullopt;
    Message message = std::move(messages_.front());
    messages_.pop_front();
    return message;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Message> messages_;
};

// Reports wait for the coordinator's verdict, so a pruning decision about step s always stops
// the trial right after step s, whatever the thread timing.
class QueueReporter final : public Reporter {
 public:
  QueueReporter(Outbox& outbox, TrialContext trial, const std::atomic<bool>& closing,
                StopToken stop)
      : outbox_(outbox), trial_(trial), closing_(closing), stop_(stop) {}
  TrialContext trial() const override { return trial_; }
  void report(int step, const Metrics& values) override {
    auto verdict = std::make_shared<Verdict>();
    outbox_.push(IntermediateMessage{trial_.trial_id, step, values, verdict});
    if (verdict->wait(closing_)) pruned_ = true;
  }
  // Also true once the executor shuts down (e.g. the run ended on an internal error), so the
  // other evaluations in flight end early instead of holding up the shutdown.
  bool should_stop() const override {
    return pruned_ || stop_.stop_requested() || closing_.load();
  }

 private:
  Outbox& outbox_;
  TrialContext trial_;
  const std::atomic<bool>& closing_;
  StopToken stop_;
  bool pruned_ = false;
};

class ThreadExecutor final : public TrialExecutor {
 public:
  ThreadExecutor(Experiment& experiment, std::size_t workers, std::string worker, StopToken stop)
      : worker_(std::move(worker)), arena_threads_(threads_per_worker(workers)), stop_(stop) {
    TANDEM_CHECK(workers >= 1, "a thread executor needs at least one worker");
    // Build every Experiment here, on the coordinator's thread (registries are not thread-safe).
    for (std::size_t i = 0; i < workers; ++i) {
      auto slot = std::make_unique<Slot>();
      if (i == 0) {
        slot->experiment = &experiment;
      } else {
        slot->owned = std::make_unique<Experiment>(experiment.config());
        slot->experiment = slot->owned.get();
      }
      slots_.push_back(std::move(slot));
    }
    for (std::size_t i = 0; i < workers; ++i)
      slots_[i]->thread = std::thread([this, i] { work_loop(*slots_[i], i); });
  }
  ~ThreadExecutor() override { shutdown(); }

  std::size_t slots() const override { return slots_.size(); }
  std::optional<std::size_t> free_slot() const override {
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (!slots_[i]->busy) return i;
    return std::nullopt;
  }
  std::size_t free_slots() const override {
    return static_cast<std::size_t>(
        std::count_if(slots_.begin(), slots_.end(), [](const auto& s) { return !s->busy; }));
  }
  std::size_t live_slots() const override { return slots_.size(); }
  std::string worker_name(std::size_t slot) const override {
    return worker_ + "/t" + std::to_string(slot);
  }
  void dispatch(std::size_t slot, const TrialWork& work) override {
    Slot& target = *slots_.at(slot);
    TANDEM_CHECK(!target.busy, "dispatch to a busy worker slot");
    target.busy = true;
    {
      std::lock_guard lock(target.mutex);
      target.work = work;
    }
    target.wake.notify_one();
  }
  std::optional<ExecutorEvent> next(std::chrono::milliseconds timeout,
                                    const ReportSink& sink) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (auto message = outbox_.pop(deadline)) {
      if (auto* values = std::get_if<IntermediateMessage>(&*message)) {
        // A trial whose report failed stops at once (it ends FAILED with the report's error).
        if (report_errors_.count(values->trial_id)) {
          values->verdict->set(true);
          continue;
        }
        try {
          values->verdict->set(sink(values->trial_id, values->step, values->values));
        } catch (const Error& error) {
          report_errors_[values->trial_id] = error.what();
          values->verdict->set(true);
        }
        continue;
      }
      if (auto* crash = std::get_if<CrashMessage>(&*message)) std::rethrow_exception(crash->error);
      ExecutorEvent event = std::get<ExecutorEvent>(std::move(*message));
      slots_[event.slot]->busy = false;
      auto failed = report_errors_.find(event.trial_id);
      if (failed != report_errors_.end()) {
        event.result = TrialResult::failed(failed->second, event.result.metrics);
        report_errors_.erase(failed);
      }
      return event;
    }
    return std::nullopt;
  }
  void shutdown() override {
    closing_.store(true);  // reporters stop waiting for verdicts
    for (auto& slot : slots_) {
      {
        std::lock_guard lock(slot->mutex);
        slot->quit = true;
      }
      slot->wake.notify_one();
    }
    for (auto& slot : slots_)
      if (slot->thread.joinable()) slot->thread.join();
  }

 private:
  struct Slot {
    Experiment* experiment = nullptr;
    std::unique_ptr<Experiment> owned;
    std::thread thread;
    std::mutex mutex;
    std::condition_variable wake;
    std::optional<TrialWork> work;  // guarded by mutex
    bool quit = false;              // guarded by mutex
    bool busy = false;              // coordinator's view only
  };

  void work_loop(Slot& slot, std::size_t index) {
    oneapi::tbb::task_arena arena(arena_threads_);
    for (;;) {
      TrialWork work;
      {
        std::unique_lock lock(slot.mutex);
        slot.wake.wait(lock, [&] { return slot.quit || slot.work.has_value(); });
        if (!slot.work) return;  // quit with nothing to do
        work = std::move(*slot.work);
        slot.work.reset();
      }
      ExecutorEvent event;
      event.slot = index;
      event.trial_id = work.trial_id;
      QueueReporter reporter(outbox_,
                             TrialContext{work.number, work.trial_id, static_cast<int>(index)},
                             closing_, stop_);
      try {
        arena.execute([&] { event.result = slot.experiment->evaluate(work.candidate, reporter); });
      } catch (...) {  // not a tandem::Error (evaluate turns those into FAILED): a bug
        outbox_.push(CrashMessage{std::current_exception()});
        continue;
      }
      outbox_.push(std::move(event));
    }
  }

  std::string worker_;
  int arena_threads_;
  std::vector<std::unique_ptr<Slot>> slots_;
  Outbox outbox_;
  StopToken stop_;
  std::atomic<bool> closing_{false};
  std::map<std::int64_t, std::string> report_errors_;  // coordinator thread only
};

}  // namespace

int threads_per_worker(std::size_t workers) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<int>(std::max<std::size_t>(1, cores / std::max<std::size_t>(1, workers)));
}

std::unique_ptr<TrialExecutor> make_inline_executor(Experiment& experiment, std::string worker,
                                                    StopToken stop) {
  return std::make_unique<InlineExecutor>(experiment, std::move(worker), stop);
}

std::unique_ptr<TrialExecutor> make_thread_executor(Experiment& experiment, std::size_t workers,
                                                    std::string worker, StopToken stop) {
  return std::make_unique<ThreadExecutor>(experiment, workers, std::move(worker), stop);
}

}  // namespace tandem
