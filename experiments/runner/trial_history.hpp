// TrialHistory: the one owner of trial lineage, built from an experiment's stored TrialRecords (in
// number order) and extended as trials start and finish. It answers, from typed facts only (ask /
// tell numbers, retry_of, state and FailureCause; never the reason text):
//   - the root of a retry chain: the asked trial whose candidate a trial (re-)evaluates;
//   - whether a trial's result was told to the strategy;
//   - which asked candidates were never told (their trials were interrupted or lost with their
//     worker) and must run again, with the latest attempt each retry names in retry_of.
// Trials written before schema 3 ("legacy": no ask_seq, tell_seq or retry_of) are their own
// roots and are told unless they were interrupted or lost; they are never re-run (the sequential
// loop that wrote them asks the strategy again instead). The trial loop (resume) and the pruning
// session (peers of a trial) both read lineage from here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/trial_store.hpp"

namespace tandem {

// The reason texts shown to people (`tandem trials`) for the two causes whose trials re-run.
inline constexpr const char* kInterruptedReason = "interrupted";
inline constexpr const char* kWorkerLostReason = "worker lost";

// True when a stored trial's result was handed to the strategy (see TrialHistory::told).
bool was_told(const TrialRecord& trial);

// The lineage of one trial.
struct TrialLineage {
  int number = 0;
  int root = 0;                          // number of the asked trial it (re-)evaluates
  // The position of its candidate among the experiment's asked candidates (roots in number order,
  // from 0): the number the trial has in a run nothing interrupted. Interrupted attempts and their
  // re-runs take trial numbers but not positions, so rules keyed by trial (Hyperband's bracket)
  // key by this and resume exactly.
  int ask_index = 0;
  bool legacy = false;                   // written before schema 3
  std::optional<std::int64_t> ask_seq;   // its own (roots only)
  std::optional<std::int64_t> tell_seq;
  bool told = false;
};

// An asked candidate whose result was never told: it runs again as a trial with retry_of set.
struct PendingRerun {
  int root = 0;            // the asked trial (its candidate is the one to run)
  int latest_attempt = 0;  // the trial number the re-run names in retry_of
};

class TrialHistory {
 public:
  TrialHistory() = default;
  // Every trial of one experiment, in number order. Raises tandem::Error (one line) when the
  // records cannot come from tandem: see add().
  explicit TrialHistory(const std::vector<TrialRecord>& trials);

  // A trial just started (or the next stored one). Raises tandem::Error for a legacy trial after
  // schema-3 ones, a retry of a trial that holds no asked candidate, or a trial whose origin is
  // neither an ask nor a retry.
  void add(const TrialRecord& trial);
  // A started trial finished: told with `tell_seq`, or (nullopt) not told (its worker was lost).
  void finished(int number, std::optional<std::int64_t> tell_seq);

  bool contains(int number) const { return trials_.count(number) > 0; }
  // The lineage of a trial added before; InternalError for an unknown number.
  const TrialLineage& at(int number) const;
  int root_of(int number) const { return at(number).root; }
  int ask_index_of(int number) const { return at(number).ask_index; }
  bool told(int number) const { return at(number).told; }
  // The ask() call that proposed the candidate a trial evaluates (its root's); none for legacy.
  std::optional<std::int64_t> asked_at(int number) const { return at(root_of(number)).ask_seq; }

  // Asked candidates never told, in ask order of their roots (trial number order).
  std::vector<PendingRerun> pending_reruns() const;
  // The next number of the experiment's ask/tell counter (0 when nothing was numbered yet).
  std::int64_t next_seq() const { return next_seq_; }

 private:
  std::map<int, TrialLineage> trials_;  // by number
  std::map<int, int> latest_attempt_;   // root -> latest attempt
  std::map<int, bool> root_told_;       // root -> some attempt was told (schema-3 roots)
  bool seen_schema_3_ = false;
  int asked_ = 0;  // asked candidates so far (roots)
  std::int64_t next_seq_ = 0;
};

}  // namespace tandem
