// AskTellSession (see ask_tell.hpp).
#include "experiments/runner/ask_tell.hpp"

#include <chrono>
#include <cmath>
#include <map>
#include <thread>

#include "core/error.hpp"
#include "core/text.hpp"
#include "experiments/runner/pruner_session.hpp"
#include "experiments/runner/trial_loop.hpp"

namespace tandem {
namespace {

std::vector<std::string> experiment_names(const TrialStore& store) {
  std::vector<std::string> names;
  for (const ExperimentRecord& record : store.experiments()) names.push_back(record.name);
  return names;
}

bool same_value(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

}  // namespace

AskTellSession::AskTellSession(TrialStore& store, const std::string& name,
                               double lock_wait_seconds)
    : store_(store) {
  auto existing = store_.find_experiment(name);
  if (!existing) {
    const std::vector<std::string> names = experiment_names(store_);
    throw Error(store_.path() + ": no experiment '" + name + "'" + did_you_mean(name, names) +
                " (experiments: " + (names.empty() ? std::string("none") : join(names, ", ")) +
                "); create it with `tandem ask DB --config FILE`");
  }
  ExperimentConfig config = ExperimentConfig::parse(existing->config_text, store_.path());
  config.seed = existing->seed;
  experiment_ = std::make_unique<Experiment>(std::move(config), /*build_evaluators=*/false);
  open(name, lock_wait_seconds);
}

AskTellSession::AskTellSession(TrialStore& store, ExperimentConfig config,
                               double lock_wait_seconds)
    : store_(store) {
  const std::string name = config.name;
  experiment_ = std::make_unique<Experiment>(std::move(config), /*build_evaluators=*/false);
  const ExperimentConfig& wanted = experiment_->config();
  if (auto existing = store_.find_experiment(name)) {
    ExperimentConfig stored = ExperimentConfig::parse(existing->config_text, store_.path());
    stored.seed = existing->seed;
    if (stored.identity() != wanted.identity())
      throw Error("experiment '" + name + "' in " + store_.path() +
                  ": its stored configuration (seed " + std::to_string(existing->seed) +
                  ") differs from " + wanted.source +
                  " in space, strategy, evaluators, objectives, constraints, pruner or seed; "
                  "give the experiment another name");
  } else {
    store_.create_experiment(name, wanted.text, wanted.seed);
  }
  open(name, lock_wait_seconds);
}

AskTellSession::~AskTellSession() = default;

void AskTellSession::open(const std::string& name, double lock_wait_seconds) {
  const ExperimentConfig& config = experiment_->config();
  experiment_id_ = store_.find_experiment(name).value().id;
  // Another ask or tell holds the lock for a moment: wait for it. A `tandem run` holds it for
  // the whole run: after the wait its one-line refusal stands.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(lock_wait_seconds);
  for (;;) {
    try {
      lock_ = std::make_unique<RunLockKeeper>(store_, experiment_id_, name);
      break;
    } catch (const Error&) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  trials_ = store_.trials(experiment_id_);
  for (std::size_t i = 0; i < trials_.size(); ++i)
    TANDEM_CHECK(trials_[i].number == static_cast<int>(i),
                 "experiment '" + name + "': trial numbers are not 0, 1, 2, ... (the database "
                 "was modified by hand?)");
  strategy_ = experiment_->make_strategy();
  const TrialHistory history = stored_history(config, trials_);
  if (!trials_.empty()) restore_search(*strategy_, store_, trials_.front());
  Replayed replayed =
      replay(config, experiment_->space(), *strategy_, store_, trials_, history);
  strategy_->take_search_log();  // a re-run search's log is stored with trial #0 already
  next_seq_ = replayed.next_seq;
  for (Retry& retry : replayed.retries)  // a RUNNING attempt is being evaluated elsewhere
    if (trials_.at(static_cast<std::size_t>(retry.previous_number)).state != TrialStatus::running)
      retries_.push_back(std::move(retry));
}

std::vector<TrialRecord> AskTellSession::ask(std::size_t n, const std::string& worker) {
  const SearchSpace& space = experiment_->space();
  std::vector<TrialRecord> out;
  auto start = [&](const Candidate& candidate, const TrialOrigin& origin,
                   const std::vector<std::pair<int, Metrics>>& logged) {
    TrialRecord trial =
        store_.start_trial(experiment_id_, space.name(), space.to_string(candidate),
                           space.accelerator_string(candidate), worker, origin, logged);
    trials_.push_back(trial);
    out.push_back(std::move(trial));
  };
  while (out.size() < n && !retries_.empty()) {
    Retry retry = std::move(retries_.front());
    retries_.pop_front();
    start(retry.candidate, TrialOrigin{std::nullopt, retry.previous_number}, {});
  }
  if (out.size() == n || strategy_->finished()) return out;
  const std::size_t wanted = n - out.size();
  std::vector<Candidate> asked = strategy_->ask(wanted);
  if (asked.empty()) return out;  // finished, or waiting for results
  TANDEM_CHECK(asked.size() <= wanted, "strategy returned more candidates than asked for");
  const std::int64_t seq = next_seq_++;
  std::vector<std::pair<int, Metrics>> logged;
  for (SearchLogEntry& entry : strategy_->take_search_log())
    logged.emplace_back(entry.step, std::move(entry.values));
  for (const Candidate& candidate : asked) {
    start(candidate, TrialOrigin{seq, std::nullopt}, logged);
    logged.clear();  // stored with the first trial of the ask only
  }
  return out;
}

const TrialRecord& AskTellSession::running_trial(int number) const {
  const std::string name = experiment_->config().name;
  if (number < 0 || static_cast<std::size_t>(number) >= trials_.size())
    throw Error("experiment '" + name + "' has no trial #" + std::to_string(number) + " (" +
                std::to_string(trials_.size()) + " trials: #0 to #" +
                std::to_string(static_cast<long long>(trials_.size()) - 1) + ")");
  const TrialRecord& trial = trials_[static_cast<std::size_t>(number)];
  if (trial.state != TrialStatus::running)
    throw Error("trial #" + std::to_string(number) + " of experiment '" + name + "' is " +
                to_string(trial.state) + " already (finished " + trial.finished +
                "); only a RUNNING trial can be told");
  return trial;
}

TrialRecord AskTellSession::tell(const TellRequest& request) {
  const TrialRecord& trial = running_trial(request.number);
  const std::string where = "trial #" + std::to_string(request.number);

  std::map<std::pair<int, std::string>, double> stored;
  for (const IntermediateValue& value : store_.intermediate_values(trial.id))
    stored[{value.step, value.name}] = value.value;
  for (const auto& [step, values] : request.intermediate) {
    Metrics fresh;
    for (const auto& [name, value] : values) {
      auto found = stored.find({step, name});
      if (found == stored.end()) {
        fresh.set(name, value);
        stored[{step, name}] = value;
      } else if (!same_value(found->second, value)) {
        throw Error(where + " already has " + name + "=" + format_number(found->second) +
                    " at step " + std::to_string(step) + "; got " + format_number(value));
      }
    }
    if (!fresh.empty()) store_.log_intermediate(trial.id, step, fresh);
  }
  if (!request.state) return *store_.trial(experiment_id_, request.number);
  TANDEM_CHECK(*request.state != TrialStatus::running,
               where + ": a told trial must end COMPLETE, PRUNED, INFEASIBLE or FAILED");

  TrialResult result{*request.state, request.values, request.reason};
  if (result.status != TrialStatus::complete && result.reason.empty())
    result.reason = "told " + to_string(result.status) + " by tandem tell";
  if (result.status == TrialStatus::complete)
    for (const Constraint& constraint : experiment_->constraints())
      if (auto reason = constraint.violation(result.metrics)) {
        result = TrialResult::infeasible(*reason, result.metrics);
        break;
      }
  strategy_->tell(experiment_->space().parse(trial.candidate), result);
  const std::int64_t tell_seq = next_seq_++;
  store_.finish_trial(trial.id, result, strategy_->state(), tell_seq);
  store_hypervolume(store_, experiment_id_, experiment_->config().objectives);
  TrialRecord finished = *store_.trial(experiment_id_, request.number);
  trials_[static_cast<std::size_t>(request.number)] = finished;
  return finished;
}

PruneAdvice AskTellSession::advise(int number, int step) {
  running_trial(number);
  PruneAdvice advice;
  advice.step = step;
  std::unique_ptr<PruningSession> pruning =
      make_pruning_session(experiment_->config(), experiment_->space());
  if (!pruning) return advice;
  pruning->load(store_, store_.trials(experiment_id_));
  const PruneDecision decision = pruning->decide_stored(number, step);
  advice.prune = decision.prune;
  advice.reason = decision.reason;
  return advice;
}

}  // namespace tandem
