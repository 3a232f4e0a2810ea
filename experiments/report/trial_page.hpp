// A trial's page in the report document: its record and values, its intermediate values, the
// candidate's cell diagrams and layer list (the space rebuilt from the stored config) and the
// per-layer cost from the experiment's `hw` evaluator, as JSON. Written into reports for the
// front and best trials, served by the dashboard's api/trial route; `tandem show --format json`
// shares the record fields.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/trial_store.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/report/json_writer.hpp"

namespace tandem {

using StepSeries = std::vector<std::pair<int, double>>;  // (step, value)
using TrialSeries = std::map<std::string, StepSeries>;   // by intermediate-value name

// [[step, value], ...]
void write_series(JsonWriter& json, const StepSeries& series);

// A trial's record and final values as keys of the object `json` has open: number, state,
// reason, space, candidate, accelerator, worker, started, finished, values.
void write_trial_fields(JsonWriter& json, const TrialRecord& trial);

// The experiment's stored config, parsed; nullopt when it does not parse with this tandem.
std::optional<ExperimentConfig> stored_config(const ExperimentRecord& experiment);

// Writes trial pages of one experiment; the space and the hw evaluator are rebuilt once.
class TrialPageWriter {
 public:
  TrialPageWriter(const ExperimentRecord& experiment, const std::optional<ExperimentConfig>& config);
  ~TrialPageWriter();
  TrialPageWriter(const TrialPageWriter&) = delete;
  TrialPageWriter& operator=(const TrialPageWriter&) = delete;

  // {number, state, ..., values, intermediate, cells, layers, graph_error, cost, cost_error}:
  // what cannot be rebuilt (an unknown space, no hw evaluator) is null with its reason.
  void write(JsonWriter& json, const TrialRecord& trial, const TrialSeries& intermediate);

  struct Context;

 private:
  std::unique_ptr<Context> context_;
};

// One trial's page, reading its intermediate values from `store`.
void write_trial_detail(JsonWriter& json, const TrialStore& store,
                        const ExperimentRecord& experiment, const TrialRecord& trial);

}  // namespace tandem
