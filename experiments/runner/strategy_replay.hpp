// Rebuilding a strategy from an experiment's stored trials, shared by `tandem run --resume`
// (trial_loop.cpp) and the ask/tell interface (ask_tell.cpp): the stored asks are replayed in ask
// order interleaved with the stored tells in tell order; each replayed ask must reproduce the
// stored candidates, and the state after the last tell must equal the stored one. Trials written
// before schema 3 (no ask_seq, tell_seq or retry_of) come first and replay as the sequential loop
// wrote them: one ask(1) and one tell per told trial, in number order.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "db/trial_store.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/runner/trial_history.hpp"
#include "search/strategy.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

// A candidate that was asked but whose result was never told: it runs again as a new trial.
struct Retry {
  Candidate candidate;
  int previous_number = 0;  // the latest attempt (stored as retry_of)
};

// What replaying the stored history leaves behind.
struct Replayed {
  long long told = 0;
  std::int64_t next_seq = 0;
  std::deque<Retry> retries;
};

// Called for each trial whose result is told during the replay, in tell order.
using ToldCallback = std::function<void(const TrialRecord&, const TrialResult&)>;

// Rebuilds `strategy` (fresh, in its initial state) from `trials` (every trial of the experiment,
// in number order); `history` holds their lineage. Raises tandem::Error (one line naming the
// experiment) when the replay does not reproduce the stored candidates or state.
Replayed replay(const ExperimentConfig& config, const SearchSpace& space, Strategy& strategy,
                TrialStore& store, const std::vector<TrialRecord>& trials,
                const TrialHistory& history, const ToldCallback& on_told = {});

// The lineage of the stored trials; records that tandem cannot have written are one error line.
TrialHistory stored_history(const ExperimentConfig& config, const std::vector<TrialRecord>& trials);

// Weight-sharing strategies store their search log with the experiment's first trial; handing it
// back lets them resume without re-running a finished supernet search (Strategy::restore_search).
void restore_search(Strategy& strategy, const TrialStore& store, const TrialRecord& first);

}  // namespace tandem
