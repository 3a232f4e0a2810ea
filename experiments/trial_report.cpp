// Trial reports (see trial_report.hpp).
#include "experiments/trial_report.hpp"

#include <algorithm>
#include <set>

#include "core/text.hpp"
#include "experiments/experiment_config.hpp"

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
                       long long top) {
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

  std::set<std::string> metric_names;
  bool any_reason = false, any_accelerator = false;
  for (const auto* trial : order) {
    for (const auto& [name, value] : trial->values) metric_names.insert(name);
    any_reason = any_reason || !trial->reason.empty();
    any_accelerator = any_accelerator || !trial->accelerator.empty();
  }
  TextTable table;
  table.columns = {"number", "state"};
  for (const auto& name : metric_names) table.columns.push_back(name);
  table.columns.push_back("candidate");
  if (any_accelerator) table.columns.push_back("accelerator");
  if (any_reason) table.columns.push_back("reason");
  for (const auto* trial : order) {
    std::vector<std::string> row = {std::to_string(trial->number), to_string(trial->state)};
    for (const auto& name : metric_names) {
      auto value = trial->values.find(name);
      row.push_back(value ? format_number(*value) : "");
    }
    row.push_back(trial->candidate);
    if (any_accelerator) row.push_back(trial->accelerator);
    if (any_reason) row.push_back(trial->reason);
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace tandem
