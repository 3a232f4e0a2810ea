// A trial's page in the report document (see trial_page.hpp).
#include "experiments/report/trial_page.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "experiments/evaluators/hw_evaluator.hpp"

namespace tandem {

// The stored config, parsed; nullopt when it no longer parses (a config of an older tandem).
std::optional<ExperimentConfig> stored_config(const ExperimentRecord& experiment) {
  try {
    return ExperimentConfig::parse(experiment.config_text,
                                   "stored config of experiment '" + experiment.name + "'");
  } catch (const Error&) {
    return std::nullopt;
  }
}

void write_series(JsonWriter& json, const StepSeries& series) {
  json.begin_array();
  for (const auto& [step, value] : series) json.begin_array().value(step).value(value).end_array();
  json.end_array();
}

void write_trial_fields(JsonWriter& json, const TrialRecord& trial) {
  json.key("number").value(trial.number)
      .key("state").value(to_string(trial.state))
      .key("reason").value(trial.reason)
      .key("space").value(trial.space)
      .key("candidate").value(trial.candidate)
      .key("accelerator").value(trial.accelerator)
      .key("worker").value(trial.worker)
      .key("started").value(trial.started)
      .key("finished").value(trial.finished);
  json.key("values").begin_object();
  for (const auto& [name, value] : trial.values) json.key(name).value(value);
  json.end_object();
}

// The space and the hw evaluator of an experiment, rebuilt from its stored config once, for the
// trial pages.
struct TrialPageWriter::Context {
  std::unique_ptr<SearchSpace> space;
  std::string space_error;
  std::unique_ptr<Evaluator> hw;
  CostReportingEvaluator* cost = nullptr;
  std::string cost_error;

  Context(const ExperimentRecord& experiment, const std::optional<ExperimentConfig>& config) {
    if (!config) {
      space_error = cost_error = "the stored config of experiment '" + experiment.name +
                                 "' does not parse with this tandem";
      return;
    }
    try {
      space = space_registry().create(config->space.name, config->space.options);
    } catch (const Error& error) {
      space_error = cost_error = error.what();
      return;
    }
    auto hw_config = std::find_if(config->evaluators.begin(), config->evaluators.end(),
                                  [](const ComponentConfig& c) { return c.name == "hw"; });
    if (hw_config == config->evaluators.end()) {
      cost_error = "the experiment has no hw evaluator";
      return;
    }
    try {
      // Relative accelerator files resolve from the current folder (the config's folder is not
      // stored).
      EvaluatorContext context{*space, hw_config->options, experiment.seed, "",
                               experiment.name};
      hw = evaluator_registry().create("hw", context);
      cost = dynamic_cast<CostReportingEvaluator*>(hw.get());
      if (!cost) cost_error = "the hw evaluator gives no per-layer report";
    } catch (const Error& error) {
      cost_error = error.what();
    }
  }
};

namespace {

void write_cost(JsonWriter& json, const hw::CostReport& report) {
  json.begin_object()
      .key("model").value(report.model)
      .key("area_mm2").value(report.area_mm2)
      .key("latency_ms").value(report.latency_ms())
      .key("energy_mj").value(report.energy_mj())
      .key("cycles").value(report.total.total_cycles())
      .key("utilization").value(report.total.utilization)
      .key("feasible").value(report.feasible)
      .key("reason").value(report.reason);
  json.key("components").begin_array();
  for (const char* component : {"mac", "rf", "noc", "sram", "dram"}) json.value(component);
  json.end_array().key("layers").begin_array();
  for (const auto& layer : report.layers) {
    json.begin_object()
        .key("name").value(layer.name)
        .key("latency_ms").value(layer.latency_s * 1e3)
        .key("cycles").value(layer.total_cycles())
        .key("utilization").value(layer.utilization)
        .key("macs").value(static_cast<std::int64_t>(layer.macs))
        .key("energy_pj").begin_object()
        .key("mac").value(layer.energy.mac_pj)
        .key("rf").value(layer.energy.rf_pj)
        .key("noc").value(layer.energy.noc_pj)
        .key("sram").value(layer.energy.sram_pj)
        .key("dram").value(layer.energy.dram_pj)
        .end_object()
        .end_object();
  }
  json.end_array().end_object();
}

void write_detail(JsonWriter& json, const TrialRecord& trial, const TrialSeries& intermediate,
                  TrialPageWriter::Context& context) {
  json.begin_object();
  write_trial_fields(json, trial);
  json.key("intermediate").begin_object();
  for (const auto& [name, series] : intermediate) {
    json.key(name);
    write_series(json, series);
  }
  json.end_object();

  std::optional<Candidate> candidate;
  std::string graph_error = context.space_error;
  if (context.space) {
    try {
      candidate = context.space->parse(trial.candidate);
    } catch (const Error& error) {
      graph_error = error.what();
    }
  }
  json.key("cells").begin_array();
  if (candidate)
    for (const CellDiagram& cell : context.space->cell_diagrams(*candidate)) {
      json.begin_object().key("name").value(cell.name).key("nodes").begin_array();
      for (const auto& node : cell.nodes) json.value(node);
      json.end_array().key("edges").begin_array();
      for (const auto& edge : cell.edges)
        json.begin_object()
            .key("from").value(edge.from)
            .key("to").value(edge.to)
            .key("op").value(edge.op)
            .end_object();
      json.end_array().end_object();
    }
  json.end_array().key("layers").begin_array();
  if (candidate) {
    try {
      const ComputeGraph graph = context.space->to_graph(*candidate);
      for (LayerId id : graph.topological_order()) {
        const Layer& layer = graph.layer(id);
        json.begin_object()
            .key("name").value(layer.name)
            .key("op").value(to_string(layer.kind))
            .key("output_shape").value(layer.output.to_string())
            .key("macs").value(static_cast<std::int64_t>(graph.layer_macs(id)))
            .key("params").value(static_cast<std::int64_t>(graph.layer_params(id)))
            .end_object();
      }
    } catch (const Error& error) {
      graph_error = error.what();
    }
  }
  json.end_array().key("graph_error");
  if (graph_error.empty()) json.null(); else json.value(graph_error);

  std::string cost_error = context.cost_error;
  json.key("cost");
  if (candidate && context.cost) {
    try {
      write_cost(json, context.cost->cost_report(*candidate));
    } catch (const Error& error) {
      cost_error = error.what();
      json.null();
    }
  } else {
    if (!candidate && cost_error.empty()) cost_error = graph_error;
    json.null();
  }
  json.key("cost_error");
  if (cost_error.empty()) json.null(); else json.value(cost_error);
  json.end_object();
}

}  // namespace

TrialPageWriter::TrialPageWriter(const ExperimentRecord& experiment,
                                 const std::optional<ExperimentConfig>& config)
    : context_(std::make_unique<Context>(experiment, config)) {}

TrialPageWriter::~TrialPageWriter() = default;

void TrialPageWriter::write(JsonWriter& json, const TrialRecord& trial,
                            const TrialSeries& intermediate) {
  write_detail(json, trial, intermediate, *context_);
}

void write_trial_detail(JsonWriter& json, const TrialStore& store,
                        const ExperimentRecord& experiment, const TrialRecord& trial) {
  TrialPageWriter page(experiment, stored_config(experiment));
  TrialSeries intermediate;
  for (const IntermediateValue& value : store.intermediate_values(trial.id))
    intermediate[value.name].emplace_back(value.step, value.value);
  page.write(json, trial, intermediate);
}

}  // namespace tandem
