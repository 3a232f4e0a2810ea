// Reports over stored trials, shared by `tandem trials` and the end of `tandem run`: choosing the
// experiment, sorting by a metric and rendering one row per trial with one column per metric; the
// summary of several objectives (the front and hypervolume of stored trials: db/trial_front.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/trial_store.hpp"
#include "experiments/cli/table_output.hpp"
#include "core/objective.hpp"
#include "db/trial_front.hpp"

namespace tandem {

// The named experiment, or the only one in the database (error listing names otherwise).
ExperimentRecord select_experiment(const TrialStore& store, const std::string& name);

// The objectives stored with an experiment's config (empty if the config cannot be read).
std::vector<Objective> stored_objectives(const ExperimentRecord& experiment);

// Parses "METRIC", "METRIC:min" or "METRIC:max".
Objective parse_sort_key(const std::string& text);

// One row per trial; sorted by `sort` (complete trials with the metric first, best first) when
// given, else by number; at most `top` rows when top > 0. `metrics` limits the metric columns
// (empty = every metric); `for_humans` prints 6 significant digits instead of the exact value.
// (The accelerator part of a joint candidate is in its candidate string; `tandem show` prints
// the full accelerator configuration.)
TextTable trials_table(const std::vector<TrialRecord>& trials, const std::optional<Objective>& sort,
                       long long top, const std::vector<std::string>& metrics = {},
                       bool for_humans = false);

// Parses "V1,V2,..." (the --reference argument), one number per objective.
std::vector<double> parse_reference_point(const std::string& text, std::size_t objectives);

// `tandem trials --summary`: one row per fact (trial counts per state, best value per objective,
// Pareto-front size, hypervolume and its reference point, and the hypervolume stored with the
// experiment when the database has one).
TextTable experiment_summary_table(const TrialStore& store, const ExperimentRecord& experiment,
                                   const std::vector<Objective>& objectives,
                                   const std::optional<std::vector<double>>& reference);

}  // namespace tandem
