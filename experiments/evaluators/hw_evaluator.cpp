// Evaluator "hw": analytic latency / energy / area of the candidate's network on an accelerator,
// from hwmodels/. The accelerator is, in order of precedence:
//   options.accelerator       an inline model config ({model: systolic, rows: 16, ...})
//   options.accelerator_file  a YAML file (relative to the experiment file)
//   the candidate's accelerator part (joint spaces: the typed space.accelerator_description(
//   candidate)), with options.defaults ({frequency_mhz: 700, pooling: dense, ...}) for keys the
//   candidate does not set; one cost model is built per distinct description and cached.
// Metrics: latency_ms, energy_mj, area_mm2, cycles, utilization, macs, dram_bytes. A layer the
// accelerator cannot run makes the trial INFEASIBLE with the model's reason (constraints on
// these metrics are applied by the trial loop).
// options.onnx (a file relative to the experiment file) costs that network, read once
// (spaces/onnx_network.hpp), instead of the candidate's: an accelerator search for a fixed
// network of the user's.
// Multi-task spaces (SearchSpace::task_names() not empty): every task's network is costed on the
// one accelerator through CostModel::evaluate_tasks: a `heterogeneous` model runs them in
// parallel on its sub-accelerators (latency = the busiest sub-accelerator); any other model runs
// them one after another (latency, energy, cycles summed). The metrics above describe the
// whole workload; latency_ms.T adds each task's own latency (its layers' sum).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "spaces/onnx_network.hpp"
#include "experiments/evaluators/hw_evaluator.hpp"
#include "hwmodels/cost_model.hpp"
#include "hwmodels/workload.hpp"

namespace tandem {
namespace {

class HwEvaluator final : public CostReportingEvaluator {
 public:
  HwEvaluator(const SearchSpace& space, std::shared_ptr<const hw::CostModel> fixed,
              AcceleratorDescription::Parameters defaults,
              std::optional<ComputeGraph> network = std::nullopt)
      : space_(space),
        fixed_(std::move(fixed)),
        defaults_(std::move(defaults)),
        network_(std::move(network)) {}

  TrialResult evaluate(const Candidate& candidate, Reporter&) override {
    Metrics metrics;
    const hw::CostReport report = report_and_task_latencies(candidate, metrics);
    metrics.set("latency_ms", report.latency_ms());
    metrics.set("energy_mj", report.energy_mj());
    metrics.set("area_mm2", report.area_mm2);
    metrics.set("cycles", report.total.total_cycles());
    metrics.set("utilization", report.total.utilization);
    metrics.set("macs", static_cast<double>(report.total.macs));
    metrics.set("dram_bytes", report.total.dram.read_bytes + report.total.dram.write_bytes);
    if (!report.feasible) return TrialResult::infeasible(report.reason, metrics);
    return TrialResult::complete(metrics);
  }

  hw::CostReport cost_report(const Candidate& candidate) override {
    Metrics unused;
    return report_and_task_latencies(candidate, unused);
  }

  std::shared_ptr<const hw::CostModel> cost_model(const Candidate& candidate) override {
    return fixed_ ? fixed_ : model_for(candidate);
  }

  bool costs_fixed_network() const override { return network_.has_value(); }

  // Builds the accelerator of `candidate` (errors surface before the run starts).
  void check_accelerator(const Candidate& candidate) { model_for(candidate); }

  std::vector<std::string> metric_names() const override {
    std::vector<std::string> names = {"area_mm2",   "cycles", "dram_bytes", "energy_mj",
                                      "latency_ms", "macs",   "utilization"};
    for (const auto& task : space_.task_names()) names.push_back("latency_ms." + task);
    return names;
  }

 private:
  // The candidate's cost report; multi-task spaces also set latency_ms.T in `metrics`.
  hw::CostReport report_and_task_latencies(const Candidate& candidate, Metrics& metrics) {
    std::shared_ptr<const hw::CostModel> model = fixed_ ? fixed_ : model_for(candidate);
    if (network_) return model->evaluate(*network_);
    return space_.task_names().empty() ? model->evaluate(space_.to_graph(candidate))
                                       : evaluate_tasks(*model, candidate, metrics);
  }

  // Costs every task's network; sets latency_ms.T in `metrics` and returns the workload report.
  hw::CostReport evaluate_tasks(const hw::CostModel& model, const Candidate& candidate,
                                Metrics& metrics) const {
    const std::vector<std::string> tasks = space_.task_names();
    std::vector<hw::TaskWorkload> workloads;
    for (const auto& task : tasks) {
      const SearchSpace* network = nullptr;
      const Candidate part = space_.task_candidate(candidate, task, &network);
      workloads.push_back({task, hw::lower_graph(network->to_graph(part), model.lowering())});
    }
    const hw::CostReport report = model.evaluate_tasks(workloads);
    // Both list the layers task by task: a task's latency is the sum over its range.
    std::size_t begin = 0;
    for (std::size_t t = 0; t < tasks.size(); ++t) {
      const std::size_t end = std::min(report.layers.size(), begin + workloads[t].layers.size());
      double seconds = 0;
      for (std::size_t i = begin; i < end; ++i) seconds += report.layers[i].latency_s;
      metrics.set("latency_ms." + tasks[t], seconds * 1e3);
      begin = end;
    }
    return report;
  }

  std::shared_ptr<const hw::CostModel> model_for(const Candidate& candidate) {
    const std::optional<AcceleratorDescription> accelerator =
        space_.accelerator_description(candidate);
    if (!accelerator)
      throw ConfigError("evaluator 'hw': space '" + space_.name() +
                        "' has no accelerator part; give options.accelerator or "
                        "options.accelerator_file, or use a joint space");
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = cache_.find(*accelerator);
    if (found != cache_.end()) return found->second;
    // Cost models are configured by ConfigNode: the description's YAML, once per accelerator.
    // Each value the user wrote is reported where it was written (its origin).
    const AcceleratorDescription full = accelerator->with_defaults(defaults_);
    std::shared_ptr<const hw::CostModel> model = hw::create_cost_model(
        ConfigNode::parse(full.to_yaml(), "<accelerator of " + space_.to_string(candidate) + ">")
            .with_origins(full.origins()));
    if (cache_.size() > 4096) cache_.clear();
    cache_.emplace(*accelerator, model);
    return model;
  }

  const SearchSpace& space_;
  std::shared_ptr<const hw::CostModel> fixed_;
  AcceleratorDescription::Parameters defaults_;  // options.defaults, values as YAML flow text
  std::optional<ComputeGraph> network_;          // options.onnx: the network every trial costs
  std::mutex mutex_;
  std::map<AcceleratorDescription, std::shared_ptr<const hw::CostModel>> cache_;
};

}  // namespace

void register_hw_evaluator(EvaluatorRegistry& registry) {
  registry.add(
      "hw", "hardware",
      "analytic latency_ms, energy_mj, area_mm2, cycles, utilization, macs, dram_bytes from a "
      "cost model (options: accelerator | accelerator_file | the candidate's accelerator part, "
      "defaults; onnx: a fixed network to cost instead of the candidate's)",
      [](const EvaluatorContext& context) -> std::unique_ptr<Evaluator> {
        const ConfigNode& options = context.options;
        options.check_keys({"accelerator", "accelerator_file", "defaults", "onnx"});
        if (options.has("accelerator") && options.has("accelerator_file"))
          options.at("accelerator_file").fail("give either 'accelerator' or 'accelerator_file'");
        std::shared_ptr<const hw::CostModel> fixed;
        if (options.has("accelerator")) {
          fixed = hw::create_cost_model(options.at("accelerator"));
        } else if (options.has("accelerator_file")) {
          std::string path = options.get_string("accelerator_file");
          if (!path.empty() && path[0] != '/' && !context.config_dir.empty())
            path = context.config_dir + "/" + path;
          fixed = hw::load_cost_model(path);
        }
        AcceleratorDescription::Parameters defaults;
        if (options.has("defaults")) {
          ConfigNode node = options.at("defaults");
          if (!node.is_map()) node.fail("expected a mapping of cost-model parameters");
          const YAML::Node map = YAML::Load(node.to_yaml());
          for (const auto& entry : map) {
            YAML::Emitter value;
            value << YAML::Flow << entry.second;
            const std::string key = entry.first.as<std::string>();
            defaults.emplace_back(key, AcceleratorDescription::Value::yaml(
                                           value.c_str(),
                                           std::make_shared<const ConfigNode>(node.at(key))));
          }
        }
        std::optional<ComputeGraph> network;
        if (options.has("onnx")) {
          if (!context.space.task_names().empty())
            options.at("onnx").fail("onnx: a multitask space costs its own tasks' networks");
          std::string path = options.get_string("onnx");
          if (!path.empty() && path[0] != '/' && !context.config_dir.empty())
            path = context.config_dir + "/" + path;
          try {
            network = read_onnx_network(path);
          } catch (const Error& error) {
            options.at("onnx").fail(error.what());
          }
        }
        auto evaluator = std::make_unique<HwEvaluator>(context.space, std::move(fixed), defaults,
                                                       std::move(network));
        if (!options.has("accelerator") && !options.has("accelerator_file")) {
          // Fail before the run when the space has no accelerator part or the defaults are bad.
          Rng rng(context.seed);
          const Candidate probe = context.space.sample(rng);
          if (!context.space.accelerator_description(probe))
            throw ConfigError(options.location() + ": evaluator 'hw': space '" +
                              context.space.name() +
                              "' has no accelerator part; give options.accelerator or "
                              "options.accelerator_file, or use a joint space");
          evaluator->check_accelerator(probe);
          // Every choice of every decision, one at a time: a bad value (`rows: [8, 8.5]`) is a
          // config error before the run, not a FAILED trial when a candidate first picks it.
          const std::vector<Decision>& decisions = context.space.decisions();
          for (std::size_t d = 0; d < decisions.size(); ++d) {
            for (std::size_t c = 0; c < decisions[d].choices.size(); ++c) {
              Candidate variant = probe;
              variant.decisions[d] = static_cast<int>(c);
              if (context.space.is_valid(variant)) evaluator->check_accelerator(variant);
            }
          }
        }
        return evaluator;
      });
}

}  // namespace tandem
