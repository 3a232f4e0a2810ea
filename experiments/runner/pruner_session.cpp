// The trial loop's pruning bookkeeping (see pruner_session.hpp).
#include "experiments/runner/pruner_session.hpp"

#include <algorithm>
#include <tuple>

#include "core/error.hpp"
#include "core/text.hpp"
#include "predictors/encodings.hpp"

namespace tandem {

PruningSession::PruningSession(const PrunerOptions& options, const std::string& experiment,
                               std::uint64_t seed, const SearchSpace& space)
    : options_(options), pruner_(make_pruner(options, experiment, seed)), space_(space) {
  if (pruner_->uses_architecture())
    encoder_ = std::make_unique<ArchitectureEncoder>(space_, EncodingKind::one_hot);
}

PruningSession::~PruningSession() = default;

PruningSession::Entry& PruningSession::add(const TrialRecord& trial, const Candidate& candidate) {
  history_.add(trial);
  Entry& entry = entries_[trial.number];
  entry.trial.number = trial.number;
  entry.trial.ask_index = history_.ask_index_of(trial.number);
  entry.trial.state = trial.state;
  entry.trial.metric = options_.metric;
  if (encoder_) entry.trial.architecture = encoder_->encode(candidate);
  number_of_id_[trial.id] = trial.number;
  return entry;
}

void PruningSession::load(const TrialStore& store, const std::vector<TrialRecord>& trials) {
  const std::string fallback = "val_" + options_.metric;
  for (const TrialRecord& trial : trials) {
    Entry& entry = add(trial, encoder_ ? space_.parse(trial.candidate) : Candidate{});
    std::map<int, double> direct, named_fallback;
    for (const IntermediateValue& value : store.intermediate_values(trial.id)) {
      if (value.name == options_.metric) direct[value.step] = value.value;
      if (options_.metric_from_objective && value.name == fallback)
        named_fallback[value.step] = value.value;
    }
    if (!direct.empty() || named_fallback.empty()) {
      entry.trial.values = std::move(direct);
    } else {
      entry.trial.values = std::move(named_fallback);
      entry.trial.metric = fallback;
    }
  }
}

void PruningSession::started(const TrialRecord& trial, const Candidate& candidate) {
  add(trial, candidate);
}

PruningSession::Entry& PruningSession::entry_of_id(std::int64_t trial_id) {
  auto found = number_of_id_.find(trial_id);
  TANDEM_ASSERT(found != number_of_id_.end());
  return entries_.at(found->second);
}

std::vector<const PrunerTrial*> PruningSession::peers_of(const Entry& entry) const {
  const std::optional<std::int64_t> asked_at = history_.asked_at(entry.trial.number);
  std::vector<std::pair<const Entry*, const TrialLineage*>> chosen;
  for (const auto& [number, other] : entries_) {
    const TrialLineage& lineage = history_.at(number);
    if (&other == &entry || !lineage.told) continue;
    const bool peer = asked_at ? (lineage.legacy ||
                                  (lineage.tell_seq && *lineage.tell_seq < *asked_at))
                               : (lineage.legacy && number < entry.trial.number);
    if (peer) chosen.emplace_back(&other, &lineage);
  }
  // In tell order (legacy trials first, in number order).
  std::sort(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.second->tell_seq.value_or(-1), a.second->number) <
           std::make_tuple(b.second->tell_seq.value_or(-1), b.second->number);
  });
  std::vector<const PrunerTrial*> peers;
  for (const auto& pick : chosen) peers.push_back(&pick.first->trial);
  return peers;
}

PruneDecision PruningSession::decide_stored(int number, int step) {
  auto found = entries_.find(number);
  if (found == entries_.end())
    throw Error("pruner: no trial #" + std::to_string(number) + " in this experiment");
  const Entry& entry = found->second;
  PrunerTrial judged = entry.trial;  // its values up to `step` only
  judged.values.erase(judged.values.upper_bound(step), judged.values.end());
  if (!judged.values.count(step)) return {};
  return pruner_->decide(judged, step, peers_of(entry));
}

PruneDecision PruningSession::report(std::int64_t trial_id, int step, const Metrics& values) {
  Entry& entry = entry_of_id(trial_id);
  std::optional<double> value = values.find(options_.metric);
  std::string name = options_.metric;
  if (!value && options_.metric_from_objective) {
    name = "val_" + options_.metric;
    value = values.find(name);
  }
  if (!value) {
    throw Error("pruner " + options_.name + ": the intermediate values reported at step " +
                std::to_string(step) + " (" + join(values.names(), ", ") + ") lack its metric '" +
                options_.metric + "'" +
                (options_.metric_from_objective ? " (or 'val_" + options_.metric + "')" : "") +
                "; set the pruner's options.metric to one of them");
  }
  entry.trial.metric = name;
  entry.trial.values[step] = *value;
  PruneDecision decision = decide_stored(entry.trial.number, step);
  if (decision.prune && !entry.stop_reason) entry.stop_reason = decision.reason;
  return decision;
}

TrialResult PruningSession::explain(std::int64_t trial_id, TrialResult result) const {
  auto found = number_of_id_.find(trial_id);
  if (found == number_of_id_.end() || result.status != TrialStatus::pruned) return result;
  const Entry& entry = entries_.at(found->second);
  if (entry.stop_reason) result.reason = *entry.stop_reason;
  return result;
}

bool PruningSession::decided_to_stop(std::int64_t trial_id) const {
  auto found = number_of_id_.find(trial_id);
  return found != number_of_id_.end() && entries_.at(found->second).stop_reason.has_value();
}

void PruningSession::finished(std::int64_t trial_id, const TrialResult& result,
                              std::optional<std::int64_t> tell_seq) {
  Entry& entry = entry_of_id(trial_id);
  entry.trial.state = result.status;
  history_.finished(entry.trial.number, tell_seq);
}

std::unique_ptr<PruningSession> make_pruning_session(const ExperimentConfig& config,
                                                     const SearchSpace& space) {
  if (!config.pruner) return nullptr;
  return std::make_unique<PruningSession>(*config.pruner, config.name, config.seed, space);
}

}  // namespace tandem
