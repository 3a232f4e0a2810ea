// Trial lineage from stored records (see trial_history.hpp).
#include "experiments/runner/trial_history.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace tandem {
namespace {

bool is_legacy(const TrialRecord& trial) {
  return !trial.ask_seq && !trial.tell_seq && !trial.retry_of;
}

// Schema-3 trials are told exactly when they carry a tell number; legacy trials (no numbers) when
// they finished and were neither interrupted nor lost with their worker.
bool told_by_record(const TrialRecord& trial) {
  if (!is_legacy(trial)) return trial.tell_seq.has_value();
  return trial.state != TrialStatus::running && trial.cause != FailureCause::interrupted &&
         trial.cause != FailureCause::worker_lost;
}

}  // namespace

bool was_told(const TrialRecord& trial) { return told_by_record(trial); }

TrialHistory::TrialHistory(const std::vector<TrialRecord>& trials) {
  for (const TrialRecord& trial : trials) add(trial);
}

void TrialHistory::add(const TrialRecord& trial) {
  TrialLineage lineage;
  lineage.number = trial.number;
  lineage.root = trial.number;
  lineage.legacy = is_legacy(trial);
  lineage.ask_seq = trial.ask_seq;
  lineage.tell_seq = trial.tell_seq;
  lineage.told = told_by_record(trial);
  if (lineage.legacy) {
    if (seen_schema_3_)
      throw Error("trial #" + std::to_string(trial.number) +
                  " has no ask/tell record but follows trials that do (the database was "
                  "modified by hand?)");
    lineage.ask_index = asked_++;
    trials_[trial.number] = lineage;
    return;
  }
  seen_schema_3_ = true;
  if (!trial.ask_seq) {
    if (!trial.retry_of)
      throw Error("trial #" + std::to_string(trial.number) +
                  " has a tell number but neither an ask number nor a retry_of (the database was "
                  "modified by hand?)");
    auto previous = trials_.find(*trial.retry_of);
    if (previous == trials_.end() || previous->second.legacy)
      throw Error("trial #" + std::to_string(trial.number) + " retries trial #" +
                  std::to_string(*trial.retry_of) + ", which holds no asked candidate");
    lineage.root = previous->second.root;
    lineage.ask_index = previous->second.ask_index;
  } else {
    lineage.ask_index = asked_++;
  }
  trials_[trial.number] = lineage;
  latest_attempt_[lineage.root] = trial.number;
  root_told_[lineage.root] = root_told_[lineage.root] || lineage.told;
  next_seq_ = std::max(next_seq_, std::max(trial.ask_seq.value_or(0),
                                           trial.tell_seq.value_or(0)) + 1);
}

void TrialHistory::finished(int number, std::optional<std::int64_t> tell_seq) {
  auto found = trials_.find(number);
  TANDEM_ASSERT(found != trials_.end());
  TrialLineage& lineage = found->second;
  lineage.tell_seq = tell_seq;
  lineage.told = tell_seq.has_value();
  if (lineage.legacy) return;
  root_told_[lineage.root] = root_told_[lineage.root] || lineage.told;
  if (tell_seq) next_seq_ = std::max(next_seq_, *tell_seq + 1);
}

const TrialLineage& TrialHistory::at(int number) const {
  auto found = trials_.find(number);
  if (found == trials_.end())
    throw InternalError("trial history: no trial #" + std::to_string(number));
  return found->second;
}

std::vector<PendingRerun> TrialHistory::pending_reruns() const {
  std::vector<PendingRerun> pending;
  for (const auto& [root, attempt] : latest_attempt_)
    if (!root_told_.at(root)) pending.push_back(PendingRerun{root, attempt});
  return pending;
}

}  // namespace tandem
