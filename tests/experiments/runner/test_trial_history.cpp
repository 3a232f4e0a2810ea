// TrialHistory, the one owner of trial lineage, on hand-built trial records: roots of retry
// chains, which results were told, which asked candidates still need a re-run (and which attempt
// the re-run names), the next ask/tell number, and one-line errors for records tandem cannot
// have written. Lineage follows the typed failure cause and never the reason text.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "experiments/runner/trial_history.hpp"

using namespace tandem;

namespace {

TrialRecord legacy(int number, TrialStatus state, FailureCause cause = FailureCause::none,
                   std::string reason = "") {
  TrialRecord trial;
  trial.number = number;
  trial.state = state;
  trial.cause = cause;
  trial.reason = std::move(reason);
  return trial;
}

TrialRecord asked(int number, std::int64_t ask_seq, std::optional<std::int64_t> tell_seq,
                  FailureCause cause = FailureCause::none) {
  TrialRecord trial;
  trial.number = number;
  trial.ask_seq = ask_seq;
  trial.tell_seq = tell_seq;
  trial.cause = cause;
  trial.state = cause == FailureCause::none ? TrialStatus::complete : TrialStatus::failed;
  return trial;
}

TrialRecord retry(int number, int retry_of, std::optional<std::int64_t> tell_seq,
                  FailureCause cause = FailureCause::none) {
  TrialRecord trial = asked(number, 0, tell_seq, cause);
  trial.ask_seq.reset();
  trial.retry_of = retry_of;
  return trial;
}

}  // namespace

TEST_CASE("legacy trials are told unless interrupted or lost, whatever their reason text says") {
  const TrialHistory history({
      legacy(0, TrialStatus::complete),
      legacy(1, TrialStatus::failed, FailureCause::interrupted, "interrupted"),
      legacy(2, TrialStatus::failed, FailureCause::worker_lost, "worker lost"),
      // An evaluator's own message that happens to read "interrupted" is an ordinary failure.
      legacy(3, TrialStatus::failed, FailureCause::error, "interrupted"),
      legacy(4, TrialStatus::pruned),
  });
  CHECK(history.told(0));
  CHECK_FALSE(history.told(1));
  CHECK_FALSE(history.told(2));
  CHECK(history.told(3));
  CHECK(history.told(4));
  for (int n = 0; n < 5; ++n) {
    CHECK(history.root_of(n) == n);
    CHECK(history.ask_index_of(n) == n);  // each is its own candidate (none re-runs)
    CHECK(history.at(n).legacy);
    CHECK_FALSE(history.asked_at(n).has_value());
  }
  // The sequential loop that wrote them asks again instead: nothing is queued for a re-run.
  CHECK(history.pending_reruns().empty());
  CHECK(history.next_seq() == 0);
  CHECK(was_told(legacy(5, TrialStatus::failed, FailureCause::error, "worker lost")));
  CHECK_FALSE(was_told(legacy(6, TrialStatus::running)));
}

TEST_CASE("retry chains lead to the asked trial, and only never-told candidates re-run") {
  // ask #0 proposed trials 0 and 1 (seq 0); #0 was told (seq 1); #1's worker was lost; its retry
  // #2 was interrupted; #3 (ask seq 2) was lost; #4 retries #2 and is told (seq 3); #5 retries #3
  // and is lost again.
  const TrialHistory history({
      asked(0, 0, 1),
      asked(1, 0, std::nullopt, FailureCause::worker_lost),
      retry(2, 1, std::nullopt, FailureCause::interrupted),
      asked(3, 2, std::nullopt, FailureCause::worker_lost),
      retry(4, 2, 3),
      retry(5, 3, std::nullopt, FailureCause::worker_lost),
  });
  CHECK(history.root_of(0) == 0);
  CHECK(history.root_of(1) == 1);
  CHECK(history.root_of(2) == 1);
  CHECK(history.root_of(4) == 1);
  CHECK(history.root_of(5) == 3);
  CHECK(history.asked_at(4) == 0);  // the retry of a retry is judged as of the original ask
  // Asked candidates are numbered 0, 1, 2 in trial order; retries share their original's index,
  // so the trial numbers an uninterrupted run would give are 0, 1, 1, 2, 1, 2.
  const std::vector<int> ask_index = {0, 1, 1, 2, 1, 2};
  for (int n = 0; n < 6; ++n) CHECK(history.ask_index_of(n) == ask_index[n]);
  CHECK(history.asked_at(5) == 2);
  CHECK(history.told(0));
  CHECK_FALSE(history.told(1));
  CHECK_FALSE(history.told(2));
  CHECK(history.told(4));
  CHECK_FALSE(history.told(5));
  // Trial 1's candidate was told through #4; trial 3's never was: it re-runs naming #5.
  const auto pending = history.pending_reruns();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].root == 3);
  CHECK(pending[0].latest_attempt == 5);
  CHECK(history.next_seq() == 4);  // seqs 0..3 are taken
}

TEST_CASE("trials added and finished during a run update the lineage") {
  TrialHistory history({legacy(0, TrialStatus::complete)});
  TrialRecord running = asked(1, 0, std::nullopt);
  running.state = TrialStatus::running;
  history.add(running);
  CHECK_FALSE(history.told(1));
  history.finished(1, std::nullopt);  // lost
  CHECK_FALSE(history.told(1));
  REQUIRE(history.pending_reruns().size() == 1);
  TrialRecord again = retry(2, 1, std::nullopt);
  again.state = TrialStatus::running;
  history.add(again);
  history.finished(2, 1);
  CHECK(history.told(2));
  CHECK(history.root_of(2) == 1);
  CHECK(history.pending_reruns().empty());
  CHECK(history.next_seq() == 2);
}

TEST_CASE("records tandem cannot have written are one clear error") {
  CHECK_THROWS_WITH_AS(TrialHistory({asked(0, 0, 1), legacy(1, TrialStatus::complete)}),
                       "trial #1 has no ask/tell record but follows trials that do (the database "
                       "was modified by hand?)",
                       Error);
  CHECK_THROWS_WITH_AS(TrialHistory({asked(0, 0, 1), retry(1, 7, 2)}),
                       "trial #1 retries trial #7, which holds no asked candidate", Error);
  CHECK_THROWS_WITH_AS(TrialHistory({legacy(0, TrialStatus::complete), retry(1, 0, 2)}),
                       "trial #1 retries trial #0, which holds no asked candidate", Error);
  TrialRecord told_only = asked(0, 0, 1);
  told_only.ask_seq.reset();
  CHECK_THROWS_WITH_AS(TrialHistory({told_only}),
                       doctest::Contains("neither an ask number nor a retry_of"), Error);
}
