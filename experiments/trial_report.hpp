// Reports over stored trials, shared by `tandem trials` and the end of `tandem run`: choosing the
// experiment, sorting by a metric and rendering one row per trial with one column per metric.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/trial_store.hpp"
#include "experiments/table_output.hpp"
#include "search/strategy.hpp"

namespace tandem {

// The named experiment, or the only one in the database (error listing names otherwise).
ExperimentRecord select_experiment(const TrialStore& store, const std::string& name);

// The objectives stored with an experiment's config (empty if the config cannot be read).
std::vector<Objective> stored_objectives(const ExperimentRecord& experiment);

// Parses "METRIC", "METRIC:min" or "METRIC:max".
Objective parse_sort_key(const std::string& text);

// One row per trial; sorted by `sort` (complete trials with the metric first, best first) when
// given, else by number; at most `top` rows when top > 0.
TextTable trials_table(const std::vector<TrialRecord>& trials, const std::optional<Objective>& sort,
                       long long top);

}  // namespace tandem
