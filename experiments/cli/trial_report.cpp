// Trial reports (see trial_report.hpp).
#include "experiments/cli/trial_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <set>

#include "core/text.hpp"
#include "experiments/config/experiment_config.hpp"
#include "core/pareto.hpp"

namespace tandem {

ExperimentRecord select_experiment(const TrialStore& store, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& experiment : store.experiments()) names.push_back(experiment.name);
  if (!name.empty()) {
    auto found = store.find_experiment(name);
    if (!found)
      throw Error("no experiment '" + name + "' in " + store.path() + did_you_mean(name, names) +
                  "; experiments: " + (names.empty() ? std::string("none") : join(names, ", ")));
    return *found;
  }
  if (names.empty()) throw Error(store.path() + " holds no experiments yet");
  if (names.size() > 1)
    throw Error(store.path() + " holds several experiments; choose one with --experiment NAME: " +
                join(names, ", "));
  return store.experiments().front();
}

std::vector<Objective> stored_objectives(const ExperimentRecord& experiment) {
  try {
    return ExperimentConfig::parse(experiment.config_text, "stored config").objectives;
  } catch (const Error&) {
    return {};
  }
}

Objective parse_sort_key(const std::string& text) {
  Objective objective;
  auto colon = text.rfind(':');
  objective.metric = text.substr(0, colon);
  if (colon != std::string::npos) {
    std::string direction = text.substr(colon + 1);
    if (direction != "min" && direction != "max")
      throw Error("--sort '" + text + "': direction must be min or max (e.g. accuracy:max)");
    objective.minimize = direction == "min";
  }
  if (objective.metric.empty()) throw Error("--sort needs a metric name, e.g. --sort macs:min");
  return objective;
}

TextTable trials_table(const std::vector<TrialRecord>& trials, const std::optional<Objective>& sort,
                       long long top, const std::vector<std::string>& metrics, bool for_humans) {
  std::vector<const TrialRecord*> order;
  for (const auto& trial : trials) order.push_back(&trial);
  if (sort) {
    std::stable_sort(order.begin(), order.end(), [&](const TrialRecord* a, const TrialRecord* b) {
      auto va = oriented_value(TrialResult{a->state, a->values, a->reason}, *sort);
      auto vb = oriented_value(TrialResult{b->state, b->values, b->reason}, *sort);
      if (va && vb) return *va > *vb;
      return va.has_value() && !vb.has_value();
    });
  }
  if (top > 0 && static_cast<long long>(order.size()) > top) order.resize(top);

  std::vector<std::string> metric_names = metrics;
  bool any_reason = false;
  if (metric_names.empty()) {
    std::set<std::string> all;
    for (const auto* trial : order)
      for (const auto& [name, value] : trial->values) all.insert(name);
    metric_names.assign(all.begin(), all.end());
  }
  for (const auto* trial : order) any_reason = any_reason || !trial->reason.empty();
  auto number = [&](double value) {
    if (!for_humans || !std::isfinite(value)) return format_number(value);
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return std::string(text);
  };
  TextTable table;
  table.columns = {"number", "state"};
  for (const auto& name : metric_names) table.columns.push_back(name);
  table.columns.push_back("candidate");
  if (any_reason) table.columns.push_back("reason");
  for (const auto* trial : order) {
    std::vector<std::string> row = {std::to_string(trial->number), to_string(trial->state)};
    for (const auto& name : metric_names) {
      auto value = trial->values.find(name);
      row.push_back(value ? number(*value) : "");
    }
    row.push_back(trial->candidate);
    if (any_reason) row.push_back(trial->reason);
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::vector<double> parse_reference_point(const std::string& text, std::size_t objectives) {
  std::vector<double> out;
  for (const auto& item : split(text, ',')) {
    const std::string value = trim(item);
    char* end = nullptr;
    const double number = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !std::isfinite(number))
      throw Error("--reference '" + text + "': '" + value + "' is not a number");
    out.push_back(number);
  }
  if (out.size() != objectives)
    throw Error("--reference '" + text + "': " + std::to_string(out.size()) + " values for " +
                std::to_string(objectives) + " objectives; give one value per objective, in order");
  return out;
}

TextTable experiment_summary_table(const TrialStore& store, const ExperimentRecord& experiment,
                                   const std::vector<Objective>& objectives,
                                   const std::optional<std::vector<double>>& reference) {
  const std::vector<TrialRecord> trials = store.trials(experiment.id);
  TextTable table;
  table.columns = {"key", "value"};
  auto add = [&](const std::string& key, const std::string& value) {
    table.rows.push_back({key, value});
  };
  add("experiment", experiment.name);
  add("status", experiment.status);
  add("trials", std::to_string(trials.size()));
  for (TrialStatus status : {TrialStatus::complete, TrialStatus::pruned, TrialStatus::infeasible,
                             TrialStatus::failed, TrialStatus::running}) {
    long long count = 0;
    for (const auto& trial : trials) count += trial.state == status;
    std::string name = to_string(status);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    add(name, std::to_string(count));
  }
  std::vector<std::string> names;
  for (const auto& objective : objectives) {
    names.push_back(objective.to_string());
    std::optional<double> best;
    int number = 0;
    for (const auto& trial : trials) {
      auto value = oriented_value(TrialResult{trial.state, trial.values, trial.reason}, objective);
      if (value && (!best || *value > *best)) {
        best = value;
        number = trial.number;
      }
    }
    add("best " + objective.to_string(),
        best ? format_number(objective.minimize ? -*best : *best) + " (#" + std::to_string(number) + ")"
             : "none");
  }
  if (objectives.size() >= 2) {
    add("objectives", join(names, ","));
    add("pareto front", std::to_string(pareto_trials(trials, objectives).size()) + " trials");
    std::vector<double> used;
    auto volume = experiment_hypervolume(trials, objectives, reference, &used);
    std::vector<std::string> used_text;
    for (double v : used) used_text.push_back(format_number(v));
    add("hypervolume", volume ? format_number(*volume) : "none");
    add("reference point", volume ? join(used_text, ",") + (reference ? "" : " (worst observed)") : "none");
    // The value the run stored with the experiment (table experiment_values), when present.
    if (auto stored = store.experiment_value(experiment.id, "hypervolume"))
      add("stored hypervolume", format_number(*stored));
  }
  return table;
}

}  // namespace tandem
