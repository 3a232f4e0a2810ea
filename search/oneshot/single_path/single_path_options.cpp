// The `hardware` section, label smoothing and checked numbers of the single-path strategies (see
// single_path_options.hpp).
#include "search/oneshot/single_path/single_path_options.hpp"

#include <cmath>

namespace tandem {

double read_positive(const ConfigNode& node, const std::string& key, double fallback) {
  const double value = node.get_double(key, fallback);
  if (!(value > 0.0 && std::isfinite(value)))
    node.at(key).fail(key + " " + node.at(key).scalar_text() + ": expected a number > 0");
  return value;
}

double read_non_negative(const ConfigNode& node, const std::string& key, double fallback) {
  const double value = node.get_double(key, fallback);
  if (!(value >= 0.0 && std::isfinite(value)))
    node.at(key).fail(key + " " + node.at(key).scalar_text() + ": expected a number >= 0");
  return value;
}

double read_label_smoothing(const ConfigNode& node, double fallback) {
  const double value = node.get_double("label_smoothing", fallback);
  if (!(value >= 0.0 && value < 1.0))
    node.at("label_smoothing").fail("label_smoothing " + node.at("label_smoothing").scalar_text() +
                                    ": expected a number in [0, 1)");
  return value;
}

CostConstraintOptions read_cost_constraint(const ConfigNode& node, const std::string& config_dir) {
  node.check_keys({"accelerator", "accelerator_file", "metric", "target", "loss", "alpha", "beta",
                   "lambda", "multiplier_lr", "multiplier_init", "project"});
  CostConstraintOptions o;
  if (node.has("accelerator") == node.has("accelerator_file"))
    node.fail("hardware: give exactly one of 'accelerator' (a cost-model config such as {model: "
              "systolic, rows: 16, cols: 16}) or 'accelerator_file'");
  if (node.has("accelerator")) {
    o.model = hw::create_cost_model(node.at("accelerator"));
  } else {
    std::string path = node.get_string("accelerator_file");
    if (!path.empty() && path[0] != '/' && !config_dir.empty()) path = config_dir + "/" + path;
    o.model = hw::load_cost_model(path);
  }
  const std::string metric = node.get_choice("metric", "latency_ms", {"latency_ms", "energy_mj", "cycles"});
  o.metric = cost_metric_from_string(metric);
  o.target = read_positive(node, "target", 0.0);
  o.loss = node.get_choice("loss", o.loss, {"mul#log", "add#linear", "lagrangian"});
  o.alpha = read_positive(node, "alpha", o.alpha);
  o.beta = read_positive(node, "beta", o.beta);
  o.lambda = read_non_negative(node, "lambda", o.lambda);
  o.multiplier_lr = read_positive(node, "multiplier_lr", o.multiplier_lr);
  o.multiplier_init = read_non_negative(node, "multiplier_init", o.multiplier_init);
  o.project = node.get_bool("project", o.loss == "lagrangian");
  if (o.loss == "mul#log" && std::abs(std::log(o.target)) < 1e-9)
    node.at("target").fail("mul#log divides by log(target): a target of 1 is not usable (use "
                           "another unit, e.g. metric: cycles, or loss: add#linear)");
  return o;
}

}  // namespace tandem
