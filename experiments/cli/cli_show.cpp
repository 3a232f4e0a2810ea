// `tandem show DB TRIAL [--experiment NAME] [--format table|csv|json]`: one trial — its candidate,
// state, metrics, intermediate values and the per-layer table of its compute graph (shapes, MACs,
// params). `--format csv` prints the layer table alone; `--format json` the whole trial as one
// JSON object, so both can be read by another program.
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/cli/graph_report.hpp"
#include "experiments/cli/trial_report.hpp"
#include "experiments/report/json_writer.hpp"
#include "experiments/report/trial_page.hpp"

namespace tandem {
namespace {

// Names a weight-sharing search logs (search/oneshot/weight_sharing.hpp): architecture parameters, search
// losses and, at step 0, the derived candidates.
bool is_search_log_name(const std::string& name) {
  for (const char* prefix : {"alpha/", "beta/", "search/", "derived/"})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

// The search log as a trajectory: one row per value, one column per epoch (at most 8 epochs,
// evenly spaced, first and last included).
void print_search_trajectory(std::ostream& out, const std::vector<IntermediateValue>& log) {
  std::map<std::string, std::map<int, double>> series;
  std::set<int> epochs;
  std::optional<double> derived;
  for (const auto& v : log) {
    if (v.name == "derived/count") derived = v.value;
    if (v.step < 1) continue;
    series[v.name][v.step] = v.value;
    epochs.insert(v.step);
  }
  if (!series.empty()) {
    std::vector<int> all(epochs.begin(), epochs.end()), shown;
    const std::size_t columns = std::min<std::size_t>(8, all.size());
    for (std::size_t i = 0; i < columns; ++i) {
      const std::size_t at = columns == 1 ? all.size() - 1 : i * (all.size() - 1) / (columns - 1);
      if (shown.empty() || shown.back() != all[at]) shown.push_back(all[at]);
    }
    TextTable table{{"name"}, {}};
    for (int epoch : shown) table.columns.push_back("epoch " + std::to_string(epoch));
    for (const auto& [name, values] : series) {
      std::vector<std::string> row = {name};
      for (int epoch : shown) {
        auto found = values.find(epoch);
        std::ostringstream text;  // 4 significant digits: a trajectory, not a dump
        if (found != values.end()) text << std::setprecision(4) << found->second;
        row.push_back(text.str());
      }
      table.rows.push_back(std::move(row));
    }
    out << "\nsearch trajectory (" << all.size() << " epochs; alpha = softmax per key):\n";
    print_table(out, table, "table");
  }
  if (derived)
    out << "search result: " << format_number(*derived)
        << " derived architecture(s), handed out as trials in order\n";
}

// The trial as one JSON object: its record, final values, intermediate values by step and the
// layer table (the columns of the table format, numbers as numbers).
void print_trial_json(std::ostream& out, const ExperimentRecord& experiment,
                      const TrialRecord& trial, const std::vector<IntermediateValue>& log,
                      const ComputeGraph& graph) {
  JsonWriter json;
  json.begin_object().key("experiment").value(experiment.name);
  write_trial_fields(json, trial);
  json.key("intermediate").begin_array();
  for (const auto& v : log)
    json.begin_object().key("step").value(v.step).key("name").value(v.name).key("value").value(v.value)
        .end_object();
  json.end_array().key("layers").begin_array();
  const TextTable layers = graph_table(graph);
  for (const auto& row : layers.rows) {
    json.begin_object();
    for (std::size_t c = 0; c < layers.columns.size(); ++c) {
      json.key(layers.columns[c]);
      const bool number = layers.columns[c] == "macs" || layers.columns[c] == "params";
      if (number) json.value(static_cast<std::int64_t>(std::stoll(row[c]))); else json.value(row[c]);
    }
    json.end_object();
  }
  json.end_array().end_object();
  out << json.text() << "\n";
}

}  // namespace

int cli_show(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Show one trial and the layers of its network.");
  options.add_options()("experiment", "experiment name (default: the only one)",
                        cxxopts::value<std::string>()->default_value(""))(
      "format", "table (everything), csv (the layer table) or json (the whole trial as one object)",
      cxxopts::value<std::string>()->default_value("table"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB", "TRIAL"}, args)) return 0;
  std::string format = args["format"].as<std::string>();
  check_output_format(format);
  const std::string trial_text = args["TRIAL"].as<std::string>();
  const std::optional<long long> parsed = parse_integer_text(trial_text);
  if (!parsed || *parsed < 0 || *parsed > INT_MAX)
    throw Error("TRIAL '" + trial_text + "': expected a trial number >= 0");
  const int number = static_cast<int>(*parsed);

  TrialStore store(args["DB"].as<std::string>(), TrialStore::Mode::read_only);
  ExperimentRecord experiment = select_experiment(store, args["experiment"].as<std::string>());
  auto trial = store.trial(experiment.id, number);
  if (!trial)
    throw Error("experiment '" + experiment.name + "' has no trial #" + trial_text + " (it has " +
                std::to_string(store.trials(experiment.id).size()) + ")");

  // Rebuild the space exactly as the experiment configured it and lower the candidate.
  ExperimentConfig config = ExperimentConfig::parse(experiment.config_text, "stored config");
  auto space = space_registry().create(config.space.name, config.space.options);
  const ComputeGraph graph = space->to_graph(space->parse(trial->candidate));
  if (format == "csv") {
    print_table(std::cout, graph_table(graph), format);
    return 0;
  }
  if (format == "json") {
    print_trial_json(std::cout, experiment, *trial, store.intermediate_values(trial->id), graph);
    return 0;
  }

  std::cout << "experiment: " << experiment.name << "\ntrial:      #" << trial->number
            << "\nstate:      " << to_string(trial->state) << "\n";
  if (!trial->reason.empty()) std::cout << "reason:     " << trial->reason << "\n";
  std::cout << "space:      " << trial->space << "\ncandidate:  " << trial->candidate << "\n";
  if (!trial->accelerator.empty()) std::cout << "accelerator: " << trial->accelerator << "\n";
  std::cout << "worker:     " << trial->worker << "\nstarted:    " << trial->started
            << "\nfinished:   " << trial->finished << "\n";
  for (const auto& [name, value] : trial->values)
    std::cout << "  " << name << " = " << format_number(value) << "\n";
  auto intermediate = store.intermediate_values(trial->id);
  std::vector<IntermediateValue> search_log;
  std::erase_if(intermediate, [&](const IntermediateValue& v) {
    if (!is_search_log_name(v.name)) return false;
    search_log.push_back(v);
    return true;
  });
  if (!intermediate.empty()) {
    TextTable steps{{"step", "name", "value"}, {}};
    for (const auto& v : intermediate)
      steps.rows.push_back({std::to_string(v.step), v.name, format_number(v.value)});
    std::cout << "\nintermediate values:\n";
    print_table(std::cout, steps, "table");
  }
  print_search_trajectory(std::cout, search_log);

  std::cout << "\nnetwork (" << graph.size() << " layers):\n";
  print_table(std::cout, graph_table(graph), format);
  return 0;
}

}  // namespace tandem
