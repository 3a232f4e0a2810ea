// MPI coordinator executor and worker loop (see mpi_executor.hpp). Messages are byte strings
// (MPI_BYTE) built by Packer: integers, doubles as their bit patterns (NaN and infinities arrive
// exactly) and length-prefixed strings. Every wait is MPI_Iprobe plus a short sleep, so idle ranks
// do not spin a core (OpenMPI's blocking calls busy-poll).
#include "experiments/runner/executors/mpi_executor.hpp"

#include "core/error.hpp"

#ifdef TANDEM_WITH_MPI

#include <mpi.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <bit>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "experiments/runner/trial_loop.hpp"  // default_worker_name

namespace tandem {
namespace {

// kStop: rank 0 asks a busy rank to end its trial early (a stop request on rank 0 — Ctrl-C or
// SIGTERM — and the channel a pruner's decision takes); the rank's Reporter::should_stop() turns
// true and the evaluator returns when it next checks.
// kCrash: a rank's evaluation raised something other than a tandem::Error (a bug); rank 0 ends the
// run with an InternalError instead of storing a result.
enum Tag : int {
  kHello = 1, kTrial = 2, kQuit = 3, kIntermediate = 4, kResult = 5, kHeartbeat = 6, kStop = 7,
  kCrash = 8
};

// The hello's second field: whether the rank built the experiment, or what stopped it.
enum Setup : std::int64_t { kSetupFailed = 0, kSetupBuilt = 1, kSetupInternalError = 2 };

using Clock = std::chrono::steady_clock;

class Packer {
 public:
  Packer& i64(std::int64_t value) {
    auto bits = static_cast<std::uint64_t>(value);
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    return *this;
  }
  Packer& f64(double value) { return i64(static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(value))); }
  Packer& str(const std::string& text) {
    i64(static_cast<std::int64_t>(text.size()));
    bytes_ += text;
    return *this;
  }
  Packer& metrics(const Metrics& values) {
    i64(static_cast<std::int64_t>(values.size()));
    for (const auto& [name, value] : values) str(name).f64(value);
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

class Unpacker {
 public:
  explicit Unpacker(const std::string& bytes) : bytes_(bytes) {}
  std::int64_t i64() {
    TANDEM_CHECK(position_ + 8 <= bytes_.size(), "truncated MPI message");
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[position_ + i])) << (8 * i);
    position_ += 8;
    return static_cast<std::int64_t>(bits);
  }
  double f64() { return std::bit_cast<double>(static_cast<std::uint64_t>(i64())); }
  std::string str() {
    auto size = static_cast<std::size_t>(i64());
    TANDEM_CHECK(position_ + size <= bytes_.size(), "truncated MPI message");
    std::string text = bytes_.substr(position_, size);
    position_ += size;
    return text;
  }
  Metrics metrics() {
    Metrics values;
    for (std::int64_t n = i64(); n > 0; --n) {
      std::string name = str();
      values.set(name, f64());
    }
    return values;
  }

 private:
  const std::string& bytes_;  // the received message, which outlives the Unpacker
  std::size_t position_ = 0;
};

bool send(int rank, Tag tag, const std::string& bytes) {
  return MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, rank, tag,
                  MPI_COMM_WORLD) == MPI_SUCCESS;
}

struct Received {
  int source = 0;
  int tag = 0;
  std::string bytes;
};

// A pending message from `source` (MPI_ANY_SOURCE for any), if one has arrived.
std::optional<Received> poll(int source) {
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
  if (!flag) return std::nullopt;
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  Received message;
  message.source = status.MPI_SOURCE;
  message.tag = status.MPI_TAG;
  message.bytes.resize(static_cast<std::size_t>(count));
  MPI_Recv(message.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  return message;
}

void nap() { std::this_thread::sleep_for(std::chrono::microseconds(200)); }

std::string host_and_pid() { return default_worker_name(); }

std::chrono::duration<double> heartbeat_interval(const MpiOptions& options) {
  return std::chrono::duration<double>(std::clamp(options.heartbeat_timeout / 4.0, 0.05, 5.0));
}

// ---- rank 0 --------------------------------------------------------------------------------

class MpiExecutor final : public TrialExecutor {
 public:
  MpiExecutor(MpiSession& session, Experiment& experiment, const MpiOptions& options,
              StopToken stop)
      : session_(session), timeout_(options.heartbeat_timeout), stop_(stop) {
    if (session.size() < 2)
      throw Error("--mpi needs at least 2 ranks (rank 0 coordinates, the others evaluate); run it "
                  "as `mpirun -np K tandem run CONFIG --mpi` with K >= 2");
    ranks_.resize(static_cast<std::size_t>(session.size() - 1));
    const std::string identity = experiment.config().identity();
    // Every worker says hello: its name, and either the identity of the experiment it built or
    // the error that stopped it from building one.
    std::size_t greeted = 0;
    auto deadline = Clock::now() + std::chrono::duration<double>(std::max(timeout_, 60.0));
    while (greeted < ranks_.size()) {
      auto message = poll(MPI_ANY_SOURCE);
      if (!message) {
        if (Clock::now() > deadline)
          throw Error("--mpi: only " + std::to_string(greeted) + " of " +
                      std::to_string(ranks_.size()) + " worker ranks started");
        nap();
        continue;
      }
      if (message->tag != kHello) continue;
      Unpacker in(message->bytes);
      RankState& rank = ranks_[static_cast<std::size_t>(message->source - 1)];
      rank.name = in.str() + " rank " + std::to_string(message->source);
      const std::int64_t setup = in.i64();
      std::string text = in.str();
      const std::string who =
          "--mpi: rank " + std::to_string(message->source) + " (" + rank.name + ")";
      if (setup == kSetupInternalError) throw InternalError(who + ": " + text);
      if (setup != kSetupBuilt) throw Error(who + ": " + text);
      if (text != identity)
        throw Error("--mpi: rank " + std::to_string(message->source) + " (" + rank.name +
                    ") built a different experiment from its config than rank 0 (space, "
                    "strategy, evaluators, objectives, constraints or seed differ); every rank must "
                    "read the same config");
      ++greeted;
    }
  }

  std::size_t slots() const override { return ranks_.size(); }
  std::optional<std::size_t> free_slot() const override {
    for (std::size_t i = 0; i < ranks_.size(); ++i)
      if (ranks_[i].alive && !ranks_[i].busy) return i;
    return std::nullopt;
  }
  std::size_t free_slots() const override {
    std::size_t n = 0;
    for (const auto& rank : ranks_) n += rank.alive && !rank.busy;
    return n;
  }
  std::size_t live_slots() const override {
    std::size_t n = 0;
    for (const auto& rank : ranks_) n += rank.alive;
    return n;
  }
  std::string worker_name(std::size_t slot) const override { return ranks_.at(slot).name; }

  void dispatch(std::size_t slot, const TrialWork& work) override {
    RankState& rank = ranks_.at(slot);
    Packer out;
    out.i64(work.trial_id).i64(work.number).i64(static_cast<std::int64_t>(work.candidate.decisions.size()));
    for (int decision : work.candidate.decisions) out.i64(decision);
    rank.busy = true;
    rank.trial_id = work.trial_id;
    rank.last_seen = Clock::now();
    if (!send(static_cast<int>(slot + 1), kTrial, out.bytes())) rank.send_failed = true;
  }

  std::optional<ExecutorEvent> next(std::chrono::milliseconds timeout,
                                    const ReportSink& sink) override {
    auto deadline = Clock::now() + timeout;
    for (;;) {
      if (stop_.stop_requested()) {
        for (std::size_t slot = 0; slot < ranks_.size(); ++slot) {
          RankState& rank = ranks_[slot];
          if (!rank.alive || !rank.busy || rank.stop_sent_for == rank.trial_id) continue;
          send(static_cast<int>(slot + 1), kStop, Packer().i64(rank.trial_id).bytes());
          rank.stop_sent_for = rank.trial_id;
        }
      }
      while (auto message = poll(MPI_ANY_SOURCE)) {
        if (message->source < 1) continue;
        std::size_t slot = static_cast<std::size_t>(message->source - 1);
        RankState& rank = ranks_[slot];
        if (!rank.alive) continue;  // a rank given up on: whatever it still sends is dropped
        rank.last_seen = Clock::now();
        if (message->tag == kHeartbeat || message->tag == kHello) continue;
        Unpacker in(message->bytes);
        if (message->tag == kCrash) {
          in.i64();  // the trial, which stays RUNNING
          throw InternalError("--mpi: " + rank.name + ": " + in.str());
        }
        std::int64_t trial_id = in.i64();
        if (!rank.busy || trial_id != rank.trial_id) continue;
        if (message->tag == kIntermediate) {
          int step = static_cast<int>(in.i64());
          Metrics values = in.metrics();
          if (report_errors_.count(trial_id)) continue;
          try {
            if (sink(trial_id, step, values) && rank.stop_sent_for != trial_id) {  // pruned
              send(static_cast<int>(slot + 1), kStop, Packer().i64(trial_id).bytes());
              rank.stop_sent_for = trial_id;
            }
          } catch (const Error& error) {
            report_errors_[trial_id] = error.what();
          }
        } else if (message->tag == kResult) {
          ExecutorEvent event;
          event.slot = slot;
          event.trial_id = trial_id;
          event.result.status = static_cast<TrialStatus>(in.i64());
          event.result.reason = in.str();
          event.result.metrics = in.metrics();
          auto failed = report_errors_.find(trial_id);
          if (failed != report_errors_.end()) {
            event.result = TrialResult::failed(failed->second, event.result.metrics);
            report_errors_.erase(failed);
          }
          rank.busy = false;
          return event;
        }
      }
      // A busy rank that has been silent for the timeout (or could not be sent to) is lost.
      for (std::size_t slot = 0; slot < ranks_.size(); ++slot) {
        RankState& rank = ranks_[slot];
        if (!rank.alive || !rank.busy) continue;
        double silent = std::chrono::duration<double>(Clock::now() - rank.last_seen).count();
        if (!rank.send_failed && silent < timeout_) continue;
        rank.alive = false;
        rank.busy = false;
        session_.note_lost(static_cast<int>(slot + 1), rank.name);
        ExecutorEvent event;
        event.kind = ExecutorEvent::Kind::lost;
        event.slot = slot;
        event.trial_id = rank.trial_id;
        event.detail = rank.send_failed ? "could not send it the trial"
                                        : "no heartbeat for " + std::to_string(static_cast<int>(silent)) + " s";
        report_errors_.erase(rank.trial_id);
        return event;
      }
      if (Clock::now() >= deadline) return std::nullopt;
      nap();
    }
  }

  void shutdown() override { session_.release_workers(); }

 private:
  struct RankState {
    std::string name;
    bool alive = true;
    bool busy = false;
    bool send_failed = false;
    std::int64_t trial_id = 0;
    std::int64_t stop_sent_for = -1;  // the trial a kStop was sent for
    Clock::time_point last_seen;
  };
  MpiSession& session_;
  double timeout_;
  StopToken stop_;
  std::vector<RankState> ranks_;
  std::map<std::int64_t, std::string> report_errors_;
};

// ---- ranks 1..K-1 ---------------------------------------------------------------------------

// Collects what the evaluation thread reports and wakes the main thread, which sends it.
class Mailbox final : public Reporter {
 public:
  Mailbox(StopToken rank_stop, TrialContext trial) : rank_stop_(rank_stop), trial_(trial) {}
  TrialContext trial() const override { return trial_; }
  void report(int step, const Metrics& values) override {
    {
      std::lock_guard lock(mutex_);
      reports_.emplace_back(step, values);
    }
    wake_.notify_one();
  }
  bool should_stop() const override { return rank_stop_.stop_requested() || stop_.load(); }
  void request_stop() { stop_.store(true); }
  void finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
  }
  // Waits up to `timeout` for a report or the end of the evaluation; true when it has ended.
  bool wait(std::chrono::duration<double> timeout) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, timeout, [&] { return done_ || !reports_.empty(); });
    return done_;
  }
  std::deque<std::pair<int, Metrics>> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(reports_, {});
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  StopToken rank_stop_;             // this rank's own stop request
  TrialContext trial_;
  std::atomic<bool> stop_{false};   // rank 0 asked to stop this trial
  std::deque<std::pair<int, Metrics>> reports_;
};

}  // namespace

bool mpi_built_in() { return true; }

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
  int local_size = 1, local_rank = 0, coordinator_here = 0, is_coordinator = rank_ == 0 ? 1 : 0;
  MPI_Comm_size(local, &local_size);
  MPI_Comm_rank(local, &local_rank);
  MPI_Allreduce(&is_coordinator, &coordinator_here, 1, MPI_INT, MPI_SUM, local);
  MPI_Comm_free(&local);
  local_workers_ = std::max(1, local_size - coordinator_here);
  // Ranks are ordered by world rank on the node, so the coordinator (rank 0), when here, is first.
  local_worker_index_ = std::max(0, local_rank - coordinator_here);
}

MpiSession::~MpiSession() {
  release_workers();
  if (rank_ == 0 && !lost_.empty()) {
    std::string names;
    for (const auto& name : lost_) names += (names.empty() ? "" : ", ") + name;
    std::fprintf(stderr,
                 "tandem: lost worker(s) %s; every result is stored — if a lost rank is hung "
                 "rather than dead, the job ends once it is killed\n",
                 names.c_str());
  }
  MPI_Finalize();
}

void MpiSession::release_workers() {
  if (rank_ != 0 || released_) return;
  released_ = true;
  std::vector<MPI_Request> requests;
  static const char nothing = 0;
  for (int rank = 1; rank < size_; ++rank) {
    if (std::find(lost_ranks_.begin(), lost_ranks_.end(), rank) != lost_ranks_.end())
      continue;  // dead or hung: sending could block
    MPI_Request request;
    MPI_Isend(&nothing, 0, MPI_BYTE, rank, kQuit, MPI_COMM_WORLD, &request);
    requests.push_back(request);
  }
  MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
}

void MpiSession::note_lost(int rank, const std::string& worker) {
  lost_ranks_.push_back(rank);
  lost_.push_back(worker);
}

std::unique_ptr<TrialExecutor> make_mpi_executor(MpiSession& session, Experiment& experiment,
                                                 const MpiOptions& options, StopToken stop) {
  return std::make_unique<MpiExecutor>(session, experiment, options, stop);
}

void mpi_worker_loop(MpiSession& session, Experiment* experiment, std::exception_ptr setup_failure,
                     const MpiOptions& options, StopToken stop) {
  std::int64_t setup = kSetupBuilt;
  std::string text = experiment ? experiment->config().identity() : "";
  if (!experiment) {
    setup = kSetupFailed;
    text = "the experiment could not be built";
    try {
      if (setup_failure) std::rethrow_exception(setup_failure);
    } catch (const Error& error) {
      text = error.what();
    } catch (const std::exception& error) {
      setup = kSetupInternalError;
      text = error.what();
    } catch (...) {
      setup = kSetupInternalError;
    }
  }
  Packer hello;
  hello.str(host_and_pid()).i64(setup).str(text);
  send(0, kHello, hello.bytes());
  oneapi::tbb::task_arena arena(
      threads_per_worker(static_cast<std::size_t>(session.workers_on_this_node())));
  const auto interval = heartbeat_interval(options);

  std::deque<Received> held;  // messages that arrived during an evaluation, handled after it
  for (;;) {
    std::optional<Received> message;
    if (!held.empty()) {
      message = std::move(held.front());
      held.pop_front();
    } else {
      message = poll(0);
    }
    if (!message) {
      nap();
      continue;
    }
    if (message->tag == kStop) continue;  // for a trial that has already ended
    if (message->tag == kQuit) return;
    if (message->tag != kTrial || !experiment) continue;
    Unpacker in(message->bytes);
    std::int64_t trial_id = in.i64();
    const auto number = static_cast<int>(in.i64());
    Candidate candidate;
    for (std::int64_t n = in.i64(); n > 0; --n) candidate.decisions.push_back(static_cast<int>(in.i64()));

    Mailbox mailbox(stop, TrialContext{number, trial_id, session.worker_index_on_this_node()});
    TrialResult result;
    std::optional<std::string> crash;  // what an evaluation raised other than a tandem::Error
    std::thread evaluation([&] {
      try {
        arena.execute([&] { result = experiment->evaluate(candidate, mailbox); });
      } catch (const std::exception& error) {  // evaluate turns tandem::Errors into FAILED
        crash = error.what();
      } catch (...) {
        crash = "an unknown exception";
      }
      mailbox.finish();
    });
    auto last_beat = Clock::now();
    auto flush = [&] {
      for (auto& [step, values] : mailbox.take()) {
        Packer out;
        out.i64(trial_id).i64(step).metrics(values);
        send(0, kIntermediate, out.bytes());
        last_beat = Clock::now();
      }
    };
    for (bool done = false; !done;) {
      done = mailbox.wait(std::min<std::chrono::duration<double>>(interval,
                                                                  std::chrono::milliseconds(50)));
      while (auto incoming = poll(0)) {
        if (incoming->tag == kStop && Unpacker(incoming->bytes).i64() == trial_id)
          mailbox.request_stop();
        else
          held.push_back(std::move(*incoming));
      }
      flush();
      if (Clock::now() - last_beat >= interval) {
        send(0, kHeartbeat, Packer().i64(trial_id).bytes());
        last_beat = Clock::now();
      }
    }
    evaluation.join();
    flush();
    if (crash) {  // a bug: rank 0 ends the run and leaves the trial RUNNING
      send(0, kCrash, Packer().i64(trial_id).str(*crash).bytes());
      continue;
    }
    Packer out;
    out.i64(trial_id).i64(static_cast<std::int64_t>(result.status)).str(result.reason).metrics(result.metrics);
    send(0, kResult, out.bytes());
  }
}

}  // namespace tandem

#else  // no MPI in this build

namespace tandem {

namespace {
[[noreturn]] void no_mpi() {
  throw Error("--mpi: this tandem was built without MPI; install libopenmpi-dev and openmpi-bin "
              "and rebuild (cmake -DTANDEM_WITH_MPI=ON), or use --workers N on one machine");
}
}  // namespace

bool mpi_built_in() { return false; }
MpiSession::MpiSession(int*, char***) { no_mpi(); }
MpiSession::~MpiSession() = default;
void MpiSession::release_workers() {}
void MpiSession::note_lost(int, const std::string& worker) { lost_.push_back(worker); }
std::unique_ptr<TrialExecutor> make_mpi_executor(MpiSession&, Experiment&, const MpiOptions&,
                                                 StopToken) {
  no_mpi();
}
void mpi_worker_loop(MpiSession&, Experiment*, std::exception_ptr, const MpiOptions&, StopToken) {
  no_mpi();
}

}  // namespace tandem

#endif
