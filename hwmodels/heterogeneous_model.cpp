// HeterogeneousModel: sub-accelerator construction, assignment, parallel latency and specs
// (see heterogeneous_model.hpp).
#include "hwmodels/heterogeneous_model.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"
#include "hwmodels/eyeriss_model.hpp"
#include "hwmodels/systolic_model.hpp"

namespace tandem::hw {

const std::vector<ParameterDoc>& HeterogeneousOptions::parameters() {
  static const std::vector<ParameterDoc> docs = {
      {"sub_accelerators", "",
       "list of {template: os|ws|rs, bandwidth_share: fraction, + template sizes: os/ws rows, "
       "cols, ifmap_sram_kb, filter_sram_kb, ofmap_sram_kb; rs pe_rows, pe_cols, glb_kb}"},
      {"assignment", "tasks", "tasks (network i -> task_assignment[i]) | layers (fastest)"},
      {"task_assignment", "[0, 1, ...]", "sub-accelerator index of each network"},
      {"dram_bytes_per_cycle", "32", "chip DRAM bandwidth, split by bandwidth_share"},
      {"frequency_mhz", "500", "clock of every sub-accelerator"},
      {"word_bytes", "1", "bytes per word"},
      {"energy_table", "accelergy_45nm", "per-access energy table of every sub-accelerator"},
      {"specs", "{}", "{max_latency_ms, max_energy_mj, max_area_mm2}: violations are infeasible"},
  };
  return docs;
}

HeterogeneousOptions HeterogeneousOptions::parse(const ConfigNode& node) {
  check_model_keys(node, parameters());
  HeterogeneousOptions o;
  o.dram_bytes_per_cycle = get_positive_double(node, "dram_bytes_per_cycle", 32);
  o.frequency_mhz = get_positive_double(node, "frequency_mhz", 500);
  const int word_bytes = static_cast<int>(node.get_int_in("word_bytes", 1, 1, 8));
  const EnergyTable energy = parse_energy_table(node.optional("energy_table"), "accelergy_45nm");
  o.per_layer = node.get_choice("assignment", "tasks", {"tasks", "layers"}) == "layers";

  ConfigNode list = node.at("sub_accelerators");
  if (!list.is_sequence() || list.size() == 0)
    list.fail("expected a non-empty list of sub-accelerators");
  double share_sum = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    ConfigNode entry = list.element(i);
    const std::string tmpl = entry.get_choice("template", "", {"os", "ws", "rs"});
    if (tmpl.empty()) entry.at("template");  // missing: error with location
    SubAccelerator sub;
    sub.template_name = tmpl;
    sub.bandwidth_share =
        get_positive_double(entry, "bandwidth_share", 1.0 / double(list.size()));
    if (sub.bandwidth_share > 1) entry.at("bandwidth_share").fail("expected a fraction in (0, 1]");
    share_sum += sub.bandwidth_share;
    const double bandwidth = o.dram_bytes_per_cycle * sub.bandwidth_share;
    if (tmpl == "rs") {
      entry.check_keys({"template", "bandwidth_share", "pe_rows", "pe_cols", "glb_kb"});
      EyerissOptions e;
      e.array.pe_rows = static_cast<int>(get_positive_int(entry, "pe_rows", 12));
      e.array.pe_cols = static_cast<int>(get_positive_int(entry, "pe_cols", 14));
      e.array.word_bytes = word_bytes;
      e.glb_kb = get_positive_double(entry, "glb_kb", 108);
      e.dram_bytes_per_cycle = bandwidth;
      e.frequency_mhz = o.frequency_mhz;
      e.energy = energy;
      sub.model = std::make_shared<EyerissModel>(e);
    } else {
      entry.check_keys({"template", "bandwidth_share", "rows", "cols", "ifmap_sram_kb",
                        "filter_sram_kb", "ofmap_sram_kb"});
      SystolicOptions s;
      s.dataflow = tmpl == "os" ? Dataflow::os : Dataflow::ws;
      s.rows = static_cast<int>(get_positive_int(entry, "rows", 16));
      s.cols = static_cast<int>(get_positive_int(entry, "cols", 16));
      s.ifmap_sram_kb = get_positive_double(entry, "ifmap_sram_kb", 64);
      s.filter_sram_kb = get_positive_double(entry, "filter_sram_kb", 64);
      s.ofmap_sram_kb = get_positive_double(entry, "ofmap_sram_kb", 64);
      s.word_bytes = word_bytes;
      s.dram_bytes_per_cycle = bandwidth;
      s.frequency_mhz = o.frequency_mhz;
      s.energy = energy;
      sub.model = std::make_shared<SystolicArrayModel>(s);
    }
    o.subs.push_back(std::move(sub));
  }
  if (share_sum > 1 + 1e-9)
    list.fail("bandwidth_share values sum to " + format_number(share_sum) + ", expected <= 1");

  if (node.has("task_assignment")) {
    ConfigNode tasks = node.at("task_assignment");
    if (!tasks.is_sequence()) tasks.fail("expected a list of sub-accelerator indices");
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      ConfigNode index = tasks.element(i);
      const long long value = index.as_int();
      if (value < 0 || value >= static_cast<long long>(o.subs.size()))
        index.fail("got " + std::to_string(value) + ", expected a sub-accelerator index in [0, " +
                   std::to_string(o.subs.size() - 1) + "]");
      o.task_assignment.push_back(static_cast<int>(value));
    }
  }
  ConfigNode specs = node.optional("specs");
  specs.check_keys({"max_latency_ms", "max_energy_mj", "max_area_mm2"});
  o.specs.max_latency_ms = get_positive_double(specs, "max_latency_ms", 0, true);
  o.specs.max_energy_mj = get_positive_double(specs, "max_energy_mj", 0, true);
  o.specs.max_area_mm2 = get_positive_double(specs, "max_area_mm2", 0, true);

  o.yaml = "{model: heterogeneous, assignment: " + std::string(o.per_layer ? "layers" : "tasks") +
           ", frequency_mhz: " + format_number(o.frequency_mhz) +
           ", dram_bytes_per_cycle: " + format_number(o.dram_bytes_per_cycle) +
           ", sub_accelerators: [";
  for (std::size_t i = 0; i < o.subs.size(); ++i)
    o.yaml += (i ? ", " : "") + o.subs[i].model->describe();
  o.yaml += "]}";
  return o;
}

double HeterogeneousModel::area_mm2() const {
  double total = 0;
  for (const auto& sub : options_.subs) total += sub.model->area_mm2();
  return total;
}

LayerCost HeterogeneousModel::on_sub(const LayerWorkload& layer, std::size_t sub) const {
  LayerCost cost = options_.subs[sub].model->evaluate_layer(layer);
  cost.mapping = "sub " + std::to_string(sub) + " (" + options_.subs[sub].template_name + "): " +
                 cost.mapping;
  return cost;
}

LayerCost HeterogeneousModel::best_sub(const LayerWorkload& layer, std::size_t& chosen) const {
  LayerCost best;
  bool have = false;
  for (std::size_t i = 0; i < options_.subs.size(); ++i) {
    LayerCost cost = on_sub(layer, i);
    const bool better = !have || (cost.feasible && !best.feasible) ||
                        (cost.feasible == best.feasible && cost.latency_s < best.latency_s);
    if (better) {
      best = std::move(cost);
      chosen = i;
      have = true;
    }
  }
  return best;
}

LayerCost HeterogeneousModel::evaluate_layer(const LayerWorkload& layer) const {
  std::size_t chosen = 0;
  if (options_.per_layer) return best_sub(layer, chosen);
  return on_sub(layer, options_.task_assignment.empty() ? 0 : options_.task_assignment[0]);
}

CostReport HeterogeneousModel::evaluate(const std::vector<LayerWorkload>& layers) const {
  return evaluate_tasks({TaskWorkload{"", layers}});
}

CostReport HeterogeneousModel::evaluate_tasks(const std::vector<TaskWorkload>& tasks) const {
  CostReport report;
  report.model = name();
  report.area_mm2 = area_mm2();
  report.frequency_hz = frequency_hz();
  std::vector<double> busy(options_.subs.size(), 0.0);  // seconds of work per sub-accelerator
  double longest_task = 0;
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    std::size_t assigned = 0;
    if (!options_.per_layer) {
      if (t >= options_.task_assignment.size() && tasks.size() > 1 &&
          options_.task_assignment.size() > 0)
        throw ConfigError("heterogeneous: task_assignment has " +
                          std::to_string(options_.task_assignment.size()) +
                          " entries but the workload has " + std::to_string(tasks.size()) +
                          " networks");
      assigned = t < options_.task_assignment.size()
                     ? static_cast<std::size_t>(options_.task_assignment[t])
                     : t % options_.subs.size();
    }
    double task_time = 0;
    for (const LayerWorkload& layer : tasks[t].layers) {
      std::size_t sub = assigned;
      LayerCost cost = options_.per_layer ? best_sub(layer, sub) : on_sub(layer, assigned);
      if (tasks.size() > 1) cost.name = "task" + std::to_string(t) + "/" + cost.name;
      busy[sub] += cost.latency_s;
      task_time += cost.latency_s;
      report.layers.push_back(std::move(cost));
    }
    longest_task = std::max(longest_task, task_time);
  }
  finalize_sequential(report, 0);
  // Parallel sub-accelerators: the chip finishes when the busiest one does (and, per layer,
  // no earlier than the longest network's own chain of layers).
  double chip = *std::max_element(busy.begin(), busy.end());
  if (options_.per_layer) chip = std::max(chip, longest_task);
  report.total.latency_s = chip;
  const DesignSpecs& s = options_.specs;
  auto violate = [&](const std::string& what, double value, double limit, const char* unit) {
    if (limit > 0 && value > limit && report.feasible) {
      report.feasible = false;
      report.reason = what + " " + format_number(value) + " " + unit + " exceeds the spec " +
                      format_number(limit) + " " + unit;
    }
  };
  violate("latency", report.latency_ms(), s.max_latency_ms, "ms");
  violate("energy", report.energy_mj(), s.max_energy_mj, "mJ");
  violate("area", report.area_mm2, s.max_area_mm2, "mm^2");
  report.total.feasible = report.feasible;
  report.total.reason = report.reason;
  return report;
}

}  // namespace tandem::hw
