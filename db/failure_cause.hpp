// FailureCause: why a trial ended FAILED, as a typed fact stored next to its human-readable reason
// (trials.failure_cause, schema 5). Lineage decisions (was the result told? must the candidate run
// again?) read this, never the reason text, which is for people (`tandem trials`).
#pragma once

#include <string>

namespace tandem {

enum class FailureCause {
  none,         // the trial did not fail (running, complete, pruned, infeasible)
  error,        // the evaluation failed (an evaluator raised a tandem::Error); its result was told
  interrupted,  // the process evaluating it died or was killed; not told, runs again on --resume
  worker_lost,  // the worker evaluating it died or hung; not told, runs again
};

// "none", "error", "interrupted", "worker_lost" (the database spelling).
std::string to_string(FailureCause cause);
// The inverse; raises tandem::Error naming the text for anything else.
FailureCause failure_cause_from_string(const std::string& text);

}  // namespace tandem
