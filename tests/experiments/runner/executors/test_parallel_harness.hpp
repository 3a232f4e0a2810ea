// Shared helpers for the parallel and MPI trial tests: a synthetic experiment config, reading the
// stored trials, and comparing two runs as sets of trial records (ordering aside).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "db/trial_store.hpp"
#include "experiments/runner/trial_loop.hpp"
#include "tests/experiments/cli_harness.hpp"

namespace tandem::testing {

// nb201 cells evaluated by the synthetic evaluator (score = hash of the cell, fixed cost).
inline std::string synthetic_config(const std::string& name, const std::string& strategy,
                                    double sleep_seconds, int steps = 2) {
  return "name: " + name + "\n"
         "seed: 11\n"
         "space: {name: nb201, options: {width: 4, cells_per_stage: 1}}\n"
         "strategy: " + strategy + "\n"
         "evaluators: [{name: synthetic, options: {sleep_seconds: " + std::to_string(sleep_seconds) +
         ", steps: " + std::to_string(steps) + "}}]\n"
         "objectives: [{metric: score, direction: maximize}]\n"
         "budget: {trials: 1000000}\n";
}

inline std::vector<TrialRecord> stored(const std::string& db, const std::string& experiment) {
  TrialStore store(db, TrialStore::Mode::read_only);
  auto found = store.find_experiment(experiment);
  REQUIRE(found);
  return store.trials(found->id);
}

// The told trials as (candidate, state, values) tuples, sorted: a run's result up to ordering.
using RecordKey = std::tuple<std::string, std::string, std::vector<std::pair<std::string, double>>>;
inline std::vector<RecordKey> told_set(const std::vector<TrialRecord>& trials) {
  std::vector<RecordKey> out;
  for (const auto& t : trials) {
    if (!was_told(t)) continue;
    std::vector<std::pair<std::string, double>> values(t.values.begin(), t.values.end());
    out.emplace_back(t.candidate, to_string(t.state), values);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Numbers 0, 1, 2, ... with nothing left RUNNING.
inline void check_numbers_and_states(const std::vector<TrialRecord>& trials) {
  for (std::size_t i = 0; i < trials.size(); ++i) {
    CHECK(trials[i].number == static_cast<int>(i));
    CHECK(trials[i].state != TrialStatus::running);
  }
}

}  // namespace tandem::testing
