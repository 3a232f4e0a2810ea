// The Evaluator and Reporter interfaces: an evaluator turns a Candidate into a TrialResult and may
// report intermediate values (per epoch, per step) through the Reporter, which stores them and
// tells the evaluator when to stop early (pruning). Concrete evaluators live in experiments/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/trial.hpp"

namespace tandem {

// Which trial a Reporter reports for and where it is evaluated: what an evaluator that hands the
// trial to another program (the `command` evaluator) tells that program.
struct TrialContext {
  int number = -1;            // the trial's number in its experiment; -1 outside a run
  std::int64_t trial_id = 0;  // its row in the trial store; 0 outside a run
  // Which of the concurrent workers on this machine evaluates it: the thread slot under
  // `--workers N` (0..N-1), the rank's index among the worker ranks on its node under `--mpi`.
  int worker_index = 0;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  // The trial being evaluated (a default TrialContext outside a run).
  virtual TrialContext trial() const { return {}; }
  // Records intermediate values at `step` (epoch, iteration...).
  virtual void report(int step, const Metrics& values) = 0;
  // True when the trial should stop now (a pruner decided, or the run is shutting down).
  virtual bool should_stop() const = 0;
};

// A Reporter that records nothing and never stops (for one-off evaluations and tests).
class NullReporter final : public Reporter {
 public:
  void report(int, const Metrics&) override {}
  bool should_stop() const override { return false; }
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual TrialResult evaluate(const Candidate& candidate, Reporter& reporter) = 0;
  // The metric names a complete result carries; objectives and constraints naming another metric
  // are rejected before the run starts. Empty means "not known in advance" (no check).
  virtual std::vector<std::string> metric_names() const { return {}; }
  // The best value `metric` can take over the whole space (minimum when `minimize`), when the
  // evaluator knows it exactly, e.g. the optimum of a benchmark table; nullopt otherwise. Stored
  // with the experiment so reports can draw it.
  virtual std::optional<double> best_possible(const std::string& /*metric*/,
                                              bool /*minimize*/) const {
    return std::nullopt;
  }
};

}  // namespace tandem
