// CostModel: sequential summation, the registry, model creation from config and the shared
// parameter checks (see cost_model.hpp).
#include "hwmodels/cost_model.hpp"

#include <map>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem::hw {

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& other) {
  mac_pj += other.mac_pj;
  rf_pj += other.rf_pj;
  noc_pj += other.noc_pj;
  sram_pj += other.sram_pj;
  dram_pj += other.dram_pj;
  return *this;
}

void finalize_sequential(CostReport& report, double pe_count) {
  LayerCost total;
  total.name = "total";
  for (const LayerCost& layer : report.layers) {
    total.macs += layer.macs;
    total.compute_cycles += layer.compute_cycles;
    total.stall_cycles += layer.stall_cycles;
    total.latency_s += layer.latency_s;
    total.energy += layer.energy;
    total.rf += layer.rf;
    total.sram += layer.sram;
    total.dram += layer.dram;
    total.noc_bytes += layer.noc_bytes;
    if (!layer.feasible && report.feasible) {
      report.feasible = false;
      report.reason = "layer '" + layer.name + "': " + layer.reason;
    }
  }
  if (pe_count > 0 && total.total_cycles() > 0) {
    total.utilization = static_cast<double>(total.macs) / (total.total_cycles() * pe_count);
  } else if (total.latency_s > 0) {  // no PE count: time-weighted mean of the layers'
    double weighted = 0;
    for (const LayerCost& layer : report.layers) weighted += layer.utilization * layer.latency_s;
    total.utilization = weighted / total.latency_s;
  }
  total.feasible = report.feasible;
  total.reason = report.reason;
  report.total = std::move(total);
}

CostReport CostModel::evaluate(const std::vector<LayerWorkload>& layers) const {
  CostReport report;
  report.model = name();
  report.area_mm2 = area_mm2();
  report.frequency_hz = frequency_hz();
  report.layers.reserve(layers.size());
  for (const LayerWorkload& layer : layers) report.layers.push_back(evaluate_layer(layer));
  finalize_sequential(report, pe_count());
  return report;
}

CostReport CostModel::evaluate_tasks(const std::vector<TaskWorkload>& tasks) const {
  std::vector<LayerWorkload> all;
  for (const TaskWorkload& task : tasks)
    for (LayerWorkload layer : task.layers) {
      if (tasks.size() > 1) layer.name = task.task + "/" + layer.name;
      all.push_back(std::move(layer));
    }
  return evaluate(all);
}

CostModelRegistry& cost_model_registry() {
  static CostModelRegistry registry("cost model", {"analytic", "measured"});
  return registry;
}

namespace {
std::map<std::string, std::vector<ParameterDoc>>& parameter_table() {
  static std::map<std::string, std::vector<ParameterDoc>> table;
  return table;
}
}  // namespace

const std::vector<ParameterDoc>& cost_model_parameters(const std::string& model) {
  static const std::vector<ParameterDoc> none;
  auto found = parameter_table().find(model);
  return found == parameter_table().end() ? none : found->second;
}

void set_cost_model_parameters(const std::string& model, std::vector<ParameterDoc> parameters) {
  parameter_table()[model] = std::move(parameters);
}

std::unique_ptr<CostModel> create_cost_model(const ConfigNode& config) {
  if (!config.is_map()) config.fail("expected a mapping with a 'model' key");
  const CostModelRegistry& registry = cost_model_registry();
  ConfigNode model_node = config.at("model");
  const std::string model = model_node.as_string();
  if (!registry.contains(model))
    model_node.fail("unknown cost model '" + model + "'" + did_you_mean(model, registry.names()) +
                    "; available: " + join(registry.names(), ", "));
  std::unique_ptr<CostModel> created = registry.create(model, config);
  const std::string pooling =
      config.get_choice("pooling", "skip", {"skip", "depthwise", "dense"});
  LoweringOptions lowering;
  lowering.pooling = pooling == "dense"       ? PoolingCost::dense
                     : pooling == "depthwise" ? PoolingCost::depthwise
                                              : PoolingCost::skip;
  created->set_lowering(lowering);
  return created;
}

std::unique_ptr<CostModel> load_cost_model(const std::string& yaml_path) {
  return create_cost_model(ConfigNode::load_file(yaml_path));
}

double get_positive_double(const ConfigNode& node, const std::string& key, double fallback,
                           bool allow_zero) {
  ConfigNode child = node.optional(key);
  if (!child.present() || child.is_null()) return fallback;
  const double value = child.as_double();
  if (value < 0 || (!allow_zero && value == 0) || !(value == value))
    child.fail("got " + format_number(value) + ", expected a " +
               (allow_zero ? "number >= 0" : "positive number"));
  return value;
}

double get_required_positive_double(const ConfigNode& node, const std::string& key,
                                    bool allow_zero) {
  node.at(key);  // "missing required key" with the location
  return get_positive_double(node, key, 0, allow_zero);
}

long long get_positive_int(const ConfigNode& node, const std::string& key, long long fallback) {
  return node.get_int_in(key, fallback, 1, std::numeric_limits<int>::max());
}

void check_model_keys(const ConfigNode& node, const std::vector<ParameterDoc>& parameters) {
  std::vector<std::string> allowed = {"model", "name", "pooling"};
  for (const auto& parameter : parameters) allowed.push_back(parameter.name);
  node.check_keys(allowed);
}

}  // namespace tandem::hw
