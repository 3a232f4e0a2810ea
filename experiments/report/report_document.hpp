// The report document: everything `tandem report` and `tandem dashboard` show, computed from the
// trial database alone (plus the space and the cost model rebuilt from the stored config for a
// trial's graph and per-layer cost), as the JSON the page reads. docs/report.md describes the
// views; experiments/report/assets/ is the page. Fields are documented where they are written.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "db/trial_store.hpp"
#include "experiments/report/json_writer.hpp"

namespace tandem {

struct ReportOptions {
  // Trials whose page (graph, layers, per-layer cost) is written into a report: the Pareto
  // front, then the best trials of the first objective, at most this many.
  std::size_t detail_trials = 40;
  // Intermediate values (learning curves) kept per experiment, in points: every trial's when they
  // fit, else the front's and the best trials' first.
  std::size_t intermediate_points = 300'000;
  // Points of the hypervolume history.
  std::size_t hypervolume_points = 200;
};

// One experiment in full: summary, objectives, every trial (columnar), the Pareto front, the
// hypervolume history, learning curves, a weight-sharing search's alpha trajectory and, when
// `with_details`, the detail of the front and best trials.
void write_experiment(JsonWriter& json, const TrialStore& store, const ExperimentRecord& experiment,
                      const ReportOptions& options, bool with_details);

// The overview of every experiment (the dashboard polls it): id, name, status, space, strategy,
// counts per state, trial count, objectives, best values, hypervolume, last finished time.
void write_experiment_overview(JsonWriter& json, const TrialStore& store);

// The whole report of `experiments` (names; empty = every experiment in the file). `live` makes
// the dashboard's variant: no experiments inlined, the page fetches them. Unknown names raise
// tandem::Error listing the experiments in the file.
std::string report_document(const TrialStore& store, const std::string& database_name,
                            const std::vector<std::string>& experiments,
                            const ReportOptions& options, bool live);

}  // namespace tandem
