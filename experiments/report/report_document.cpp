// The report document (see report_document.hpp): experiments, trials, fronts, hypervolume
// histories, learning curves, alpha trajectories and trial pages as JSON.
#include "experiments/report/report_document.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "core/error.hpp"
#include "core/pareto.hpp"
#include "core/text.hpp"
#include "db/trial_front.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/report/trial_page.hpp"

namespace tandem {
namespace {

const char* const kStates[] = {"COMPLETE", "PRUNED", "INFEASIBLE", "FAILED", "RUNNING"};

std::vector<Objective> objectives_of(const std::optional<ExperimentConfig>& config) {
  return config ? config->objectives : std::vector<Objective>{};
}

// The configured hypervolume reference point, when every objective has one.
std::optional<std::vector<double>> reference_of(const std::vector<Objective>& objectives) {
  if (objectives.empty()) return std::nullopt;
  std::vector<double> point;
  for (const auto& objective : objectives) {
    if (!objective.reference) return std::nullopt;
    point.push_back(*objective.reference);
  }
  return point;
}

void write_objectives(JsonWriter& json, const std::vector<Objective>& objectives) {
  json.key("objectives").begin_array();
  for (const auto& objective : objectives)
    json.begin_object()
        .key("metric").value(objective.metric)
        .key("direction").value(objective.minimize ? "min" : "max")
        .end_object();
  json.end_array();
}

// Oriented value (larger is better) of a complete trial on `objective`.
std::optional<double> score(const TrialRecord& trial, const Objective& objective) {
  return oriented_value(TrialResult{trial.state, trial.values, trial.reason}, objective);
}

void write_best(JsonWriter& json, const std::vector<TrialRecord>& trials,
                const std::vector<Objective>& objectives) {
  json.key("best").begin_object();
  for (const auto& objective : objectives) {
    std::optional<double> best;
    for (const auto& trial : trials)
      if (auto value = score(trial, objective); value && (!best || *value > *best)) best = value;
    if (best) json.key(objective.metric).value(objective.minimize ? -*best : *best);
  }
  json.end_object();
}

void write_optimum(JsonWriter& json, const TrialStore& store, std::int64_t experiment_id,
                   const std::vector<Objective>& objectives) {
  json.key("optimum").begin_object();
  for (const auto& objective : objectives)
    if (auto value = store.experiment_value(experiment_id, "optimum/" + objective.metric))
      json.key(objective.metric).value(*value);
  json.end_object();
}

void write_hypervolume(JsonWriter& json, const TrialStore& store, std::int64_t experiment_id,
                       const std::vector<TrialRecord>& trials,
                       const std::vector<Objective>& objectives) {
  json.key("hypervolume");
  std::optional<double> volume;
  if (objectives.size() >= 2) {
    volume = store.experiment_value(experiment_id, "hypervolume");
    if (!volume) volume = experiment_hypervolume(trials, objectives, reference_of(objectives));
  }
  if (volume) json.value(*volume); else json.null();
}

// Objectives first, then every other metric in the order trials first report it.
std::vector<std::string> metric_order(const std::vector<TrialRecord>& trials,
                                      const std::vector<Objective>& objectives) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& objective : objectives)
    if (seen.insert(objective.metric).second) names.push_back(objective.metric);
  for (const auto& trial : trials)
    for (const auto& [name, value] : trial.values)
      if (seen.insert(name).second) names.push_back(name);
  return names;
}

void write_trials(JsonWriter& json, const std::vector<TrialRecord>& trials,
                  const std::vector<std::string>& metrics) {
  json.key("trials").begin_object();
  json.key("number").begin_array();
  for (const auto& trial : trials) json.value(trial.number);
  json.end_array().key("state").begin_array();
  for (const auto& trial : trials) json.value(to_string(trial.state));
  json.end_array().key("candidate").begin_array();
  for (const auto& trial : trials) json.value(trial.candidate);
  // The accelerator text and the times are on the trial's page (details / api/trial): at
  // 100,000 trials they would double the size of the page.
  json.end_array().key("reason").begin_array();
  for (const auto& trial : trials) json.value(trial.reason);
  json.end_array().key("values").begin_object();
  for (const auto& metric : metrics) {
    json.key(metric).begin_array();
    for (const auto& trial : trials)
      if (auto value = trial.values.find(metric)) json.value(*value); else json.null();
    json.end_array();
  }
  json.end_object().end_object();
}


double stored_number(const std::string& text, const std::string& kind) {
  if (kind == "nan") return NAN;
  if (kind == "inf") return INFINITY;
  if (kind == "-inf") return -INFINITY;
  return std::strtod(text.c_str(), nullptr);
}

// Every intermediate value of the experiment's trials, by trial number (one query).
std::map<int, TrialSeries> intermediate_values(const TrialStore& store, std::int64_t experiment_id) {
  const QueryResult result = store.query(
      "SELECT t.number, i.step, i.name, i.value, i.value_kind FROM intermediate_values i "
      "JOIN trials t ON t.id = i.trial_id WHERE t.experiment_id = " +
      std::to_string(experiment_id) + " ORDER BY t.number, i.name, i.step");
  std::map<int, TrialSeries> out;
  for (const auto& row : result.rows)
    out[std::stoi(row[0])][row[2]].emplace_back(std::stoi(row[1]), stored_number(row[3], row[4]));
  return out;
}

// alpha/<key>/<op> values (the architecture weights a weight-sharing search logs per epoch) of
// the first trial that has them, as {trial, edges: {key: {op: [[epoch, weight]]}}}; the names are
// removed from `values` (they have their own view).
void write_search_trajectory(JsonWriter& json, std::map<int, TrialSeries>& values) {
  json.key("search_trajectory");
  for (auto& [number, series] : values) {
    std::map<std::string, std::map<std::string, StepSeries>> edges;
    for (auto it = series.begin(); it != series.end();) {
      const std::string& name = it->first;
      const std::size_t slash = name.rfind('/');
      if (name.rfind("alpha/", 0) == 0 && slash > 6) {
        edges[name.substr(6, slash - 6)][name.substr(slash + 1)] = it->second;
        it = series.erase(it);
      } else {
        ++it;
      }
    }
    if (edges.empty()) continue;
    json.begin_object().key("trial").value(number).key("edges").begin_object();
    for (const auto& [edge, ops] : edges) {
      json.key(edge).begin_object();
      for (const auto& [op, points] : ops) {
        json.key(op);
        write_series(json, points);
      }
      json.end_object();
    }
    json.end_object().end_object();
    for (auto& [other, other_series] : values)  // later trials' alpha values are not curves
      std::erase_if(other_series, [](const auto& entry) { return entry.first.rfind("alpha/", 0) == 0; });
    return;
  }
  json.null();
}

// The trials whose learning curves fit in `budget` points: the `priority` trials first, then
// the rest by number.
void write_intermediate(JsonWriter& json, const std::map<int, TrialSeries>& values,
                        const std::vector<int>& priority, std::size_t budget) {
  std::vector<int> order = priority;
  for (const auto& [number, series] : values) order.push_back(number);
  std::set<int> written;
  json.key("intermediate").begin_object();
  for (int number : order) {
    auto found = values.find(number);
    if (found == values.end() || found->second.empty() || !written.insert(number).second) continue;
    std::size_t points = 0;
    for (const auto& [name, series] : found->second) points += series.size();
    if (points > budget) continue;
    budget -= points;
    json.key(std::to_string(number)).begin_object();
    for (const auto& [name, series] : found->second) {
      json.key(name);
      write_series(json, series);
    }
    json.end_object();
  }
  json.end_object();
}

// Front trials (best first), then the best trials of the first objective.
std::vector<int> priority_trials(const std::vector<TrialRecord>& trials,
                                 const std::vector<Objective>& objectives,
                                 const std::vector<TrialRecord>& front) {
  std::vector<int> order;
  for (const auto& trial : front) order.push_back(trial.number);
  if (objectives.empty()) return order;
  std::vector<std::pair<double, int>> ranked;
  for (const auto& trial : trials)
    if (auto value = score(trial, objectives.front())) ranked.emplace_back(-*value, trial.number);
  std::sort(ranked.begin(), ranked.end());
  for (const auto& [value, number] : ranked) order.push_back(number);
  return order;
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace

void write_experiment(JsonWriter& json, const TrialStore& store, const ExperimentRecord& experiment,
                      const ReportOptions& options, bool with_details) {
  const std::optional<ExperimentConfig> config = stored_config(experiment);
  const std::vector<Objective> objectives = objectives_of(config);
  const std::vector<TrialRecord> trials = store.trials(experiment.id);

  json.begin_object()
      .key("id").value(experiment.id)
      .key("name").value(experiment.name)
      .key("status").value(experiment.status)
      .key("seed").raw(std::to_string(experiment.seed))
      .key("created").value(experiment.created)
      .key("space").value(config ? config->space.name : (trials.empty() ? "" : trials[0].space))
      .key("strategy").value(config ? config->strategy.name : "")
      .key("config").value(experiment.config_text);
  std::map<std::string, int> counts;
  for (const auto& trial : trials) ++counts[to_string(trial.state)];
  json.key("counts").begin_object();
  for (const char* state : kStates) json.key(state).value(counts[state]);
  json.end_object().key("trial_count").value(static_cast<std::int64_t>(trials.size()));
  write_objectives(json, objectives);
  json.key("reference_point");
  std::vector<double> used;
  const auto volume = objectives.size() >= 2
                          ? experiment_hypervolume(trials, objectives, reference_of(objectives), &used)
                          : std::nullopt;
  if (volume) {
    json.begin_array();
    for (double v : used) json.value(v);
    json.end_array();
  } else {
    json.null();
  }
  write_hypervolume(json, store, experiment.id, trials, objectives);
  write_best(json, trials, objectives);
  write_optimum(json, store, experiment.id, objectives);
  const std::vector<std::string> metrics = metric_order(trials, objectives);
  json.key("metrics").begin_array();
  for (const auto& metric : metrics) json.value(metric);
  json.end_array();
  write_trials(json, trials, metrics);

  const std::vector<TrialRecord> front =
      objectives.empty() ? std::vector<TrialRecord>{} : pareto_trials(trials, objectives);
  json.key("front").begin_array();
  if (objectives.size() >= 2)
    for (const auto& trial : front) json.value(trial.number);
  json.end_array().key("hypervolume_history").begin_array();
  if (objectives.size() >= 2)
    for (const auto& [number, hv] :
         hypervolume_history(trials, objectives, reference_of(objectives), options.hypervolume_points))
      json.begin_array().value(number).value(hv).end_array();
  json.end_array();

  std::map<int, TrialSeries> intermediate = intermediate_values(store, experiment.id);
  write_search_trajectory(json, intermediate);
  const std::vector<int> priority = priority_trials(trials, objectives, front);
  write_intermediate(json, intermediate, priority, options.intermediate_points);

  json.key("details").begin_object();
  if (with_details && options.detail_trials > 0) {
    TrialPageWriter page(experiment, config);
    std::set<int> written;
    for (int number : priority) {
      if (written.size() >= options.detail_trials) break;
      if (!written.insert(number).second) continue;
      json.key(std::to_string(number));
      page.write(json, trials[static_cast<std::size_t>(number)], intermediate[number]);
    }
  }
  json.end_object().end_object();
}

void write_experiment_overview(JsonWriter& json, const TrialStore& store) {
  const QueryResult summary = store.query(
      "SELECT experiment_id, trials, running, complete, pruned, infeasible, failed, "
      "last_finished FROM experiment_summary ORDER BY experiment_id");
  std::map<std::int64_t, const std::vector<std::string>*> rows;
  for (const auto& row : summary.rows) rows[std::stoll(row[0])] = &row;
  json.begin_array();
  for (const ExperimentRecord& experiment : store.experiments()) {
    const std::optional<ExperimentConfig> config = stored_config(experiment);
    const std::vector<Objective> objectives = objectives_of(config);
    const auto found = rows.find(experiment.id);
    auto count = [&](std::size_t column) -> std::int64_t {
      return found == rows.end() ? 0 : std::stoll((*found->second)[column]);
    };
    json.begin_object()
        .key("id").value(experiment.id)
        .key("name").value(experiment.name)
        .key("status").value(experiment.status)
        .key("created").value(experiment.created)
        .key("space").value(config ? config->space.name : "")
        .key("strategy").value(config ? config->strategy.name : "")
        .key("counts").begin_object()
        .key("RUNNING").value(count(2))
        .key("COMPLETE").value(count(3))
        .key("PRUNED").value(count(4))
        .key("INFEASIBLE").value(count(5))
        .key("FAILED").value(count(6))
        .end_object()
        .key("trial_count").value(count(1));
    write_objectives(json, objectives);
    json.key("best").begin_object();
    for (const auto& objective : objectives) {  // one indexed query per objective
      std::string metric = objective.metric;
      std::string quoted;
      for (char c : metric) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      const QueryResult best = store.query(
          std::string("SELECT ") + (objective.minimize ? "MIN" : "MAX") +
          "(v.value) FROM trial_values v JOIN trials t ON t.id = v.trial_id WHERE "
          "t.experiment_id = " + std::to_string(experiment.id) +
          " AND t.state = 'COMPLETE' AND v.name = '" + quoted + "' AND v.value_kind = 'finite'");
      if (!best.rows.empty() && best.rows[0][0] != "NULL")
        json.key(metric).value(std::strtod(best.rows[0][0].c_str(), nullptr));
    }
    json.end_object().key("hypervolume");
    const auto volume = store.experiment_value(experiment.id, "hypervolume");
    if (volume && objectives.size() >= 2) json.value(*volume); else json.null();
    json.key("last_finished");
    if (found == rows.end() || (*found->second)[7] == "NULL") json.null();
    else json.value((*found->second)[7]);
    json.end_object();
  }
  json.end_array();
}

std::string report_document(const TrialStore& store, const std::string& database_name,
                            const std::vector<std::string>& experiments,
                            const ReportOptions& options, bool live) {
  std::vector<ExperimentRecord> chosen;
  const std::vector<ExperimentRecord> all = store.experiments();
  if (experiments.empty()) {
    chosen = all;
  } else {
    std::vector<std::string> names;
    for (const auto& record : all) names.push_back(record.name);
    for (const auto& name : experiments) {
      auto found = std::find_if(all.begin(), all.end(),
                                [&](const ExperimentRecord& record) { return record.name == name; });
      if (found == all.end())
        throw Error("no experiment '" + name + "' in " + store.path() + did_you_mean(name, names) +
                    "; experiments: " + (names.empty() ? std::string("none") : join(names, ", ")));
      chosen.push_back(*found);
    }
  }
  JsonWriter json;
  json.begin_object()
      .key("format").value("tandem-report")
      .key("version").value(1)
      .key("database").value(database_name)
      .key("generated").value(utc_now())
      .key("live");
  if (live) json.begin_object().key("poll_ms").value(2000).end_object(); else json.null();
  json.key("experiments").begin_array();
  if (!live)
    for (const auto& experiment : chosen) write_experiment(json, store, experiment, options, true);
  json.end_array().end_object();
  return json.take();
}

}  // namespace tandem
