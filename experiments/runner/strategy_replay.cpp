// Rebuilding a strategy from the stored trials (see strategy_replay.hpp).
#include "experiments/runner/strategy_replay.hpp"

#include <map>

#include "core/error.hpp"

namespace tandem {

namespace {

[[noreturn]] void replay_mismatch(const ExperimentConfig& config, const SearchSpace& space,
                                  const TrialRecord& trial, const std::vector<Candidate>& asked,
                                  std::size_t index) {
  throw Error("cannot resume experiment '" + config.name + "': replaying trial #" +
              std::to_string(trial.number) + " the strategy proposed " +
              (index >= asked.size() ? std::string("nothing") : space.to_string(asked[index])) +
              " but the database holds " + trial.candidate +
              " (was the strategy or tandem changed since the run began?)");
}

TrialResult stored_result(const TrialRecord& trial) {
  return TrialResult{trial.state, trial.values, trial.reason};
}

}  // namespace

Replayed replay(const ExperimentConfig& config, const SearchSpace& space, Strategy& strategy,
                TrialStore& store, const std::vector<TrialRecord>& trials,
                const TrialHistory& history, const ToldCallback& on_told) {
  Replayed out;
  std::optional<std::int64_t> last_told_id;
  auto tell = [&](const TrialRecord& trial) {
    TrialResult result = stored_result(trial);
    strategy.tell(space.parse(trial.candidate), result);
    if (on_told) on_told(trial, result);
    last_told_id = trial.id;
    ++out.told;
  };
  auto check_state = [&] {
    if (!last_told_id) return;
    auto stored_state = store.strategy_state(*last_told_id);
    if (stored_state && *stored_state != strategy.state()) {
      throw Error("cannot resume experiment '" + config.name +
                  "': the rebuilt strategy state differs from the stored one "
                  "(was the strategy or tandem changed since the run began?)");
    }
  };

  // Events of schema-3 trials: an ask() call (the trials it proposed, in number order) or a tell.
  struct Event {
    std::vector<const TrialRecord*> asked;
    const TrialRecord* told = nullptr;
  };
  std::map<std::int64_t, Event> events;
  for (const TrialRecord& trial : trials) {
    const TrialLineage& lineage = history.at(trial.number);
    if (lineage.legacy) {
      if (!lineage.told) continue;
      std::vector<Candidate> asked = strategy.ask(1);
      if (asked.size() != 1 || asked.front() != space.parse(trial.candidate))
        replay_mismatch(config, space, trial, asked, 0);
      tell(trial);
      continue;
    }
    if (trial.ask_seq) events[*trial.ask_seq].asked.push_back(&trial);
    if (trial.tell_seq) {
      Event& event = events[*trial.tell_seq];
      if (event.told || !event.asked.empty())
        throw Error("cannot resume experiment '" + config.name + "': ask/tell number " +
                    std::to_string(*trial.tell_seq) + " is stored twice");
      event.told = &trial;
    }
  }
  out.next_seq = history.next_seq();
  for (const PendingRerun& rerun : history.pending_reruns()) {
    const TrialRecord& asked = trials[static_cast<std::size_t>(rerun.root)];
    out.retries.push_back(Retry{space.parse(asked.candidate), rerun.latest_attempt});
  }
  if (events.empty()) {
    check_state();
    return out;
  }

  std::int64_t last_tell_seq = -1;
  for (const auto& [seq, event] : events)
    if (event.told) last_tell_seq = seq;
  if (last_tell_seq < 0) check_state();  // only legacy tells so far
  for (const auto& [seq, event] : events) {
    if (event.told) {
      if (!event.asked.empty())
        throw Error("cannot resume experiment '" + config.name + "': ask/tell number " +
                    std::to_string(seq) + " is stored twice");
      tell(*event.told);
      if (seq == last_tell_seq) check_state();
      continue;
    }
    std::vector<Candidate> asked = strategy.ask(event.asked.size());
    for (std::size_t i = 0; i < event.asked.size(); ++i) {
      if (i >= asked.size() || asked[i] != space.parse(event.asked[i]->candidate))
        replay_mismatch(config, space, *event.asked[i], asked, i);
    }
  }
  return out;
}

TrialHistory stored_history(const ExperimentConfig& config,
                            const std::vector<TrialRecord>& trials) {
  try {
    return TrialHistory(trials);
  } catch (const Error& error) {
    throw Error("cannot resume experiment '" + config.name + "': " + error.what());
  }
}

void restore_search(Strategy& strategy, const TrialStore& store, const TrialRecord& first) {
  std::map<int, Metrics> by_step;
  for (const IntermediateValue& value : store.intermediate_values(first.id))
    by_step[value.step].set(value.name, value.value);
  if (by_step.empty()) return;
  std::vector<SearchLogEntry> log;
  for (auto& [step, values] : by_step) log.push_back(SearchLogEntry{step, std::move(values)});
  strategy.restore_search(log);
}

}  // namespace tandem
