// The trial loop and resume (see trial_loop.hpp).
#include "experiments/runner/trial_loop.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <limits>
#include <map>

#include "core/error.hpp"
#include "core/text.hpp"
#include "experiments/runner/executors/parallel_executor.hpp"
#include "experiments/runner/progress.hpp"
#include "experiments/runner/pruner_session.hpp"
#include "experiments/runner/run_lock_keeper.hpp"
#include "experiments/runner/strategy_replay.hpp"
#include "db/trial_front.hpp"

namespace tandem {
namespace {

std::string default_worker() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return std::string(host) + ":" + std::to_string(getpid());
}

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

}  // namespace

std::string default_worker_name() { return default_worker(); }

// Multi-objective experiments keep their hypervolume in experiment_values (reference point:
// the config's objectives[].reference, else the worst observed value of each objective).
void store_hypervolume(TrialStore& store, std::int64_t experiment_id,
                       const std::vector<Objective>& objectives) {
  if (objectives.size() < 2) return;
  std::optional<std::vector<double>> reference;
  if (objectives.front().reference) {
    reference.emplace();
    for (const auto& objective : objectives) reference->push_back(objective.reference.value());
  }
  auto volume = experiment_hypervolume(store.trials(experiment_id), objectives, reference);
  if (volume) store.set_experiment_value(experiment_id, "hypervolume", *volume);
}

RunSummary run_experiment(Experiment& experiment, TrialStore& store, const RunOptions& options) {
  const std::string worker = options.worker.empty() ? default_worker() : options.worker;
  if (options.workers == 0) throw Error("--workers 0: expected an integer >= 1");
  std::unique_ptr<TrialExecutor> executor =
      options.workers == 1
          ? make_inline_executor(experiment, worker, options.stop)
          : make_thread_executor(experiment, options.workers, worker, options.stop);
  RunSummary summary = run_experiment(experiment, store, options, *executor);
  executor->shutdown();
  return summary;
}

RunSummary run_experiment(Experiment& experiment, TrialStore& store, const RunOptions& options,
                          TrialExecutor& executor) {
  const ExperimentConfig& config = experiment.config();
  const SearchSpace& space = experiment.space();
  if (config.evaluators.empty())
    throw Error(config.source + ": experiment '" + config.name +
                "' has no evaluators; `tandem run` needs at least one (a config without "
                "evaluators is driven from outside by `tandem ask` and `tandem tell`)");
  if (!options.trials && config.budget.trials == 0 && config.budget.seconds == 0)
    throw Error(config.source + ": experiment '" + config.name +
                "' has no budget; add `budget: {trials: N}` (or seconds), or pass --trials N");
  RunSummary summary;
  auto started = std::chrono::steady_clock::now();

  std::unique_ptr<Strategy> strategy = experiment.make_strategy();
  std::unique_ptr<PruningSession> pruning = make_pruning_session(config, space);  // docs/pruners.md
  BestTracker best(config.objectives.front());
  long long finished = 0;  // told trials, counted against budget.trials
  std::int64_t next_seq = 0;
  std::deque<Retry> retries;

  std::unique_ptr<RunLockKeeper> lock;  // one writer per experiment (db/run_lock.hpp)
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
                  " in space, strategy, evaluators, objectives, constraints, pruner or seed (only "
                  "budget and database may change on resume)");
    }
    summary.experiment_id = existing->id;
    // Before anything is written: a live second writer would corrupt the history.
    lock = std::make_unique<RunLockKeeper>(store, existing->id, config.name);
    summary.interrupted = store.fail_running_trials(existing->id, kInterruptedReason,
                                                    FailureCause::interrupted);
    std::vector<TrialRecord> trials = store.trials(existing->id);
    for (std::size_t i = 0; i < trials.size(); ++i)
      TANDEM_CHECK(trials[i].number == static_cast<int>(i),
                   "cannot resume experiment '" + config.name + "': trial numbers are not 0, 1, "
                   "2, ... (the database was modified by hand?)");
    const TrialHistory history = stored_history(config, trials);
    if (pruning) pruning->load(store, trials);  // pruning decisions rebuild from the database
    if (!trials.empty()) restore_search(*strategy, store, trials.front());
    Replayed replayed = replay(config, space, *strategy, store, trials, history,
                               [&](const TrialRecord& trial, const TrialResult& result) {
                                 best.add(trial.number, result);
                               });
    strategy->take_search_log();  // a re-run search's log is stored with trial #0 already
    finished = replayed.told;
    next_seq = replayed.next_seq;
    retries = std::move(replayed.retries);
    summary.replayed = finished;
    store.set_experiment_status(existing->id, "running");
  } else {
    summary.experiment_id = store.create_experiment(config.name, config.text, config.seed);
    lock = std::make_unique<RunLockKeeper>(store, summary.experiment_id, config.name);
  }
  // What reports draw as "table optimum" (docs/report.md); also set on resume for older files.
  for (const auto& [metric, value] : experiment.known_optima())
    if (!store.experiment_value(summary.experiment_id, "optimum/" + metric))
      store.set_experiment_value(summary.experiment_id, "optimum/" + metric, value);

  const long long trial_budget = options.trials ? *options.trials : config.budget.trials;
  const double second_budget = config.budget.seconds;

  const std::string worker = options.worker.empty() ? default_worker() : options.worker;
  Progress progress(options.progress_stream, trial_budget, second_budget, options.show_progress);

  struct Running {
    Candidate candidate;
    int number = 0;
    std::size_t slot = 0;
  };
  std::map<std::int64_t, Running> running;  // by trial id

  // Liveness for readers of the database (heartbeats table): at start, then every 10 s, for the
  // coordinator and for the workers evaluating a trial (the executor detects lost ones).
  auto last_heartbeat = std::chrono::steady_clock::now();
  store.heartbeat(summary.experiment_id, worker);
  auto heartbeat_if_due = [&] {
    auto now = std::chrono::steady_clock::now();
    if (now - last_heartbeat < std::chrono::seconds(10)) return;
    store.heartbeat(summary.experiment_id, worker);
    for (const auto& [id, trial] : running) {
      std::string name = executor.worker_name(trial.slot);
      if (name != worker) store.heartbeat(summary.experiment_id, name);
    }
    last_heartbeat = now;
  };

  auto out_of_time = [&] {
    if (second_budget <= 0) return false;
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return elapsed >= second_budget;
  };

  auto room = [&]() -> long long {          // trials that may still start under the budget
    if (trial_budget == 0) return std::numeric_limits<long long>::max();
    return trial_budget - finished - static_cast<long long>(running.size());
  };
  auto start = [&](std::size_t slot, const Candidate& candidate, const TrialOrigin& origin,
                   const std::vector<SearchLogEntry>& search_log = {}) {
    // A weight-sharing search's log (strategy.hpp) lands with the trial in one transaction: a
    // kill between its steps left a partial log that no resume could complete.
    std::vector<std::pair<int, Metrics>> logged;
    for (const SearchLogEntry& entry : search_log) logged.emplace_back(entry.step, entry.values);
    TrialRecord trial = store.start_trial(summary.experiment_id, space.name(),
                                          space.to_string(candidate),
                                          space.accelerator_string(candidate),
                                          executor.worker_name(slot), origin, logged);
    if (pruning) pruning->started(trial, candidate);
    running[trial.id] = Running{candidate, trial.number, slot};
    executor.dispatch(slot, TrialWork{trial.id, trial.number, candidate});
  };
  ReportSink sink = [&](std::int64_t trial_id, int step, const Metrics& values) {
    store.log_intermediate(trial_id, step, values);
    return pruning && pruning->report(trial_id, step, values).prune;  // true: stop the trial
  };

  for (;;) {
    // Fill the idle slots: candidates of lost or interrupted trials first, then new asks.
    while (room() > 0 && !out_of_time() && !options.stop.stop_requested() &&
           executor.free_slots() > 0) {
      if (!retries.empty()) {
        Retry retry = std::move(retries.front());
        retries.pop_front();
        start(*executor.free_slot(), retry.candidate, TrialOrigin{std::nullopt,
                                                                 retry.previous_number});
        ++summary.retried;
        continue;
      }
      if (strategy->finished()) break;
      std::size_t wanted =
          static_cast<std::size_t>(std::min<long long>(room(), executor.free_slots()));
      std::vector<Candidate> asked = strategy->ask(wanted);
      if (asked.empty()) break;  // finished, or waiting for results
      TANDEM_CHECK(asked.size() <= wanted, "strategy returned more candidates than asked for");
      const std::int64_t seq = next_seq++;
      std::vector<SearchLogEntry> search_log = strategy->take_search_log();
      for (const Candidate& candidate : asked) {
        start(*executor.free_slot(), candidate, TrialOrigin{seq, std::nullopt}, search_log);
        search_log.clear();  // stored with the first trial of the ask only
      }
    }
    if (running.empty()) {
      bool more_to_do = !retries.empty() || (room() > 0 && !strategy->finished());
      if (executor.live_slots() == 0 && more_to_do && !out_of_time() &&
          !options.stop.stop_requested()) {
        store.set_experiment_status(summary.experiment_id, "interrupted");
        throw Error("experiment '" + config.name + "': every worker was lost after " +
                    std::to_string(summary.new_trials) +
                    " new trials; continue with --resume once workers are available");
      }
      break;
    }

    std::optional<ExecutorEvent> event = executor.next(std::chrono::milliseconds(200), sink);
    heartbeat_if_due();
    if (lock->lost()) throw Error(lock->lost_message());
    if (!event) continue;
    auto found = running.find(event->trial_id);
    TANDEM_CHECK(found != running.end(), "an executor reported an unknown trial");
    Running trial = std::move(found->second);
    running.erase(found);
    if (event->kind == ExecutorEvent::Kind::lost) {
      store.finish_trial(event->trial_id, TrialResult::failed(kWorkerLostReason), std::nullopt,
                         std::nullopt, FailureCause::worker_lost);
      if (pruning)
        pruning->finished(event->trial_id, TrialResult::failed(kWorkerLostReason), std::nullopt);
      retries.push_back(Retry{trial.candidate, trial.number});
      ++summary.lost;
      if (options.show_progress && options.progress_stream)
        std::fprintf(options.progress_stream, "tandem: trial #%d: worker %s lost (%s); re-running\n",
                     trial.number, executor.worker_name(event->slot).c_str(),
                     event->detail.c_str());
      continue;
    }
    // A trial cut short by Ctrl-C / SIGTERM was not pruned: the user stopped the run. It ends
    // as a kill -9 leaves it (FAILED "interrupted", not told), so --resume runs it again and the
    // history equals an uninterrupted run's.
    if (options.stop.stop_requested() && event->result.status == TrialStatus::pruned &&
        !(pruning && pruning->decided_to_stop(event->trial_id))) {
      store.finish_trial(event->trial_id, TrialResult::failed(kInterruptedReason), std::nullopt,
                         std::nullopt, FailureCause::interrupted);
      ++summary.stopped_trials;
      continue;
    }
    if (pruning) event->result = pruning->explain(event->trial_id, std::move(event->result));
    strategy->tell(trial.candidate, event->result);
    const std::int64_t tell_seq = next_seq++;
    store.finish_trial(event->trial_id, event->result, strategy->state(), tell_seq);
    if (pruning) pruning->finished(event->trial_id, event->result, tell_seq);
    best.add(trial.number, event->result);
    ++finished;
    ++summary.new_trials;
    progress.update(finished, best.text());
  }
  progress.finish(finished, best.text());

  summary.stopped_by_signal = options.stop.stop_requested();
  store_hypervolume(store, summary.experiment_id, config.objectives);
  store.set_experiment_status(summary.experiment_id,
                              summary.stopped_by_signal ? "interrupted" : "finished");
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace tandem
