// The trial loop and resume (see trial_loop.hpp).
#include "experiments/trial_loop.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>

#include "core/text.hpp"
#include "experiments/progress.hpp"

namespace tandem {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int signal_number) {
  g_stop.store(true);
  std::signal(signal_number, SIG_DFL);  // a second signal ends the process at once
}

std::string default_worker() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return std::string(host) + ":" + std::to_string(getpid());
}

// Stores intermediate values of one trial as the evaluator reports them.
class StoreReporter final : public Reporter {
 public:
  StoreReporter(TrialStore& store, std::int64_t trial_id) : store_(store), trial_id_(trial_id) {}
  void report(int step, const Metrics& values) override {
    store_.log_intermediate(trial_id_, step, values);
  }
  bool should_stop() const override { return stop_requested(); }

 private:
  TrialStore& store_;
  std::int64_t trial_id_;
};

// Tracks the best value of the first objective for the progress line.
class BestTracker {
 public:
  explicit BestTracker(Objective objective) : objective_(std::move(objective)) {}
  void add(int number, const TrialResult& result) {
    auto value = oriented_value(result, objective_);
    if (value && (!best_ || *value > *best_)) {
      best_ = value;
      number_ = number;
    }
  }
  std::string text() const {
    if (!best_) return "";
    double shown = objective_.minimize ? -*best_ : *best_;
    return objective_.metric + "=" + format_number(shown) + " (#" + std::to_string(number_) + ")";
  }

 private:
  Objective objective_;
  std::optional<double> best_;
  int number_ = 0;
};

TrialResult stored_result(const TrialRecord& trial) {
  return TrialResult{trial.state, trial.values, trial.reason};
}

}  // namespace

void install_stop_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}
bool stop_requested() { return g_stop.load(); }
void request_stop() { g_stop.store(true); }
void clear_stop_request() { g_stop.store(false); }

bool was_told(const TrialRecord& trial) {
  return trial.state != TrialStatus::running &&
         !(trial.state == TrialStatus::failed &&
           (trial.reason == kInterruptedReason || trial.reason == "worker lost"));
}

RunSummary run_experiment(Experiment& experiment, TrialStore& store, const RunOptions& options) {
  const ExperimentConfig& config = experiment.config();
  const SearchSpace& space = experiment.space();
  RunSummary summary;
  auto started = std::chrono::steady_clock::now();

  std::unique_ptr<Strategy> strategy = experiment.make_strategy();
  BestTracker best(config.objectives.front());
  long long finished = 0;  // told trials, counted against budget.trials

  auto existing = store.find_experiment(config.name);
  if (existing && !options.resume) {
    throw Error("experiment '" + config.name + "' already exists in " + store.path() + " (" +
                std::to_string(store.trials(existing->id).size()) +
                " trials); pass --resume to continue it, or give the experiment another name");
  }
  if (existing) {
    ExperimentConfig stored = ExperimentConfig::parse(existing->config_text, store.path());
    stored.seed = existing->seed;
    if (stored.identity() != config.identity()) {
      throw Error("cannot resume experiment '" + config.name + "' in " + store.path() +
                  ": its stored configuration (seed " + std::to_string(existing->seed) +
                  ") differs from " + config.source +
                  " in space, strategy, evaluators, objectives, constraints or seed (only budget "
                  "and database may change on resume)");
    }
    summary.experiment_id = existing->id;
    summary.interrupted = store.fail_running_trials(existing->id, kInterruptedReason);
    // Replay the stored history through the strategy.
    std::optional<std::int64_t> last_told_id;
    for (const TrialRecord& trial : store.trials(existing->id)) {
      if (!was_told(trial)) continue;
      std::vector<Candidate> asked = strategy->ask(1);
      Candidate stored_candidate = space.parse(trial.candidate);
      if (asked.size() != 1 || asked.front() != stored_candidate) {
        throw Error("cannot resume experiment '" + config.name + "': replaying trial #" +
                    std::to_string(trial.number) + " the strategy proposed " +
                    (asked.empty() ? std::string("nothing") : space.to_string(asked.front())) +
                    " but the database holds " + trial.candidate +
                    " (was the strategy or tandem changed since the run began?)");
      }
      TrialResult result = stored_result(trial);
      strategy->tell(stored_candidate, result);
      best.add(trial.number, result);
      last_told_id = trial.id;
      ++finished;
    }
    if (last_told_id) {
      auto stored_state = store.strategy_state(*last_told_id);
      if (stored_state && *stored_state != strategy->state()) {
        throw Error("cannot resume experiment '" + config.name +
                    "': the rebuilt strategy state differs from the stored one "
                    "(was the strategy or tandem changed since the run began?)");
      }
    }
    summary.replayed = finished;
    store.set_experiment_status(existing->id, "running");
  } else {
    summary.experiment_id = store.create_experiment(config.name, config.text, config.seed);
  }

  const long long trial_budget = options.trials ? *options.trials : config.budget.trials;
  const double second_budget = config.budget.seconds;
  const std::string worker = options.worker.empty() ? default_worker() : options.worker;
  Progress progress(options.progress_stream, trial_budget, second_budget, options.show_progress);

  // Liveness for readers of the database (heartbeats table): at start, then every 10 s.
  auto last_heartbeat = std::chrono::steady_clock::now();
  store.heartbeat(summary.experiment_id, worker);
  auto heartbeat_if_due = [&] {
    auto now = std::chrono::steady_clock::now();
    if (now - last_heartbeat < std::chrono::seconds(10)) return;
    store.heartbeat(summary.experiment_id, worker);
    last_heartbeat = now;
  };

  auto out_of_time = [&] {
    if (second_budget <= 0) return false;
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return elapsed >= second_budget;
  };

  while ((trial_budget == 0 || finished < trial_budget) && !out_of_time() && !stop_requested() &&
         !strategy->finished()) {
    std::vector<Candidate> asked = strategy->ask(1);
    if (asked.empty()) break;
    const Candidate& candidate = asked.front();
    TrialRecord trial = store.start_trial(summary.experiment_id, space.name(),
                                          space.to_string(candidate),
                                          space.accelerator_string(candidate), worker);
    StoreReporter reporter(store, trial.id);
    TrialResult result = experiment.evaluate(candidate, reporter);
    strategy->tell(candidate, result);
    store.finish_trial(trial.id, result, strategy->state());
    best.add(trial.number, result);
    ++finished;
    ++summary.new_trials;
    progress.update(finished, best.text());
    heartbeat_if_due();
  }
  progress.finish(finished, best.text());

  summary.stopped_by_signal = stop_requested();
  store.set_experiment_status(summary.experiment_id,
                              summary.stopped_by_signal ? "interrupted" : "finished");
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace tandem
