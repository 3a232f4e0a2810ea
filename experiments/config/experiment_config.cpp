// Experiment YAML parsing and validation (see experiment_config.hpp, docs/config.md).
#include "experiments/config/experiment_config.hpp"

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

#include "core/constraint.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

ComponentConfig parse_component(const ConfigNode& node, const std::string& what) {
  ComponentConfig out;
  out.node = node;
  if (node.is_scalar()) {  // shorthand: `strategy: random`
    out.name = node.as_string();
    return out;
  }
  if (!node.is_map()) node.fail("expected a " + what + " name or {name: ..., options: {...}}");
  node.check_keys({"name", "options"});
  out.name = node.get_string("name");
  out.options = node.optional("options");
  if (out.options.present() && !out.options.is_map() && !out.options.is_null())
    out.options.fail("expected a mapping of " + what + " options");
  return out;
}

Objective parse_objective(const ConfigNode& node) {
  Objective objective;
  if (!node.is_map()) node.fail("expected {metric: NAME, direction: maximize|minimize}");
  node.check_keys({"metric", "direction", "reference"});
  objective.metric = node.get_string("metric");
  if (!node.has("direction"))
    node.fail("missing required key 'direction' for metric '" + objective.metric +
              "'; accepted: maximize, minimize");
  objective.minimize = node.get_choice("direction", "", {"maximize", "minimize"}) == "minimize";
  if (node.has("reference")) objective.reference = node.get_double("reference");
  return objective;
}

}  // namespace

ExperimentConfig ExperimentConfig::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the config file for reading");
  std::stringstream text;
  text << in.rdbuf();
  ExperimentConfig config = parse(text.str(), path);
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  config.directory = parent.empty() ? "." : parent.string();
  // One rule for every relative path a config names: from the config file's folder (as NNI and
  // Timeloop do), so a config and its files can be moved together and run from anywhere.
  if (!config.database.empty() && std::filesystem::path(config.database).is_relative())
    config.database = (std::filesystem::path(config.directory) / config.database)
                          .lexically_normal()
                          .string();
  return config;
}

ExperimentConfig ExperimentConfig::parse(const std::string& text, const std::string& source) {
  ConfigNode root = ConfigNode::parse(text, source);
  if (!root.is_map()) root.fail("an experiment config must be a YAML mapping (name:, space:, ...)");
  root.check_keys({"name", "seed", "space", "strategy", "evaluator", "evaluators", "objectives",
                   "constraints", "budget", "database", "pruner"});
  ExperimentConfig config;
  config.text = text;
  config.source = source;
  config.directory = ".";

  config.name = root.get_string("name");
  if (config.name.empty()) root.at("name").fail("the experiment name must not be empty");
  config.seed = root.get_uint64("seed", 0);
  config.space = parse_component(root.at("space"), "space");
  config.strategy = parse_component(root.at("strategy"), "strategy");

  if (root.has("evaluator") && root.has("evaluators"))
    root.at("evaluators").fail("give either 'evaluator' or 'evaluators', not both");
  if (root.has("evaluator")) {
    config.evaluators.push_back(parse_component(root.at("evaluator"), "evaluator"));
  } else if (root.has("evaluators")) {
    ConfigNode list = root.at("evaluators");
    if (!list.is_sequence() || list.size() == 0)
      list.fail("expected a non-empty list of evaluators, e.g. [{name: graph_stats}]");
    for (std::size_t i = 0; i < list.size(); ++i)
      config.evaluators.push_back(parse_component(list.element(i), "evaluator"));
  }

  config.objectives_node = root.at("objectives");
  ConfigNode objectives = config.objectives_node;
  if (objectives.is_map()) {
    config.objectives.push_back(parse_objective(objectives));
  } else {
    if (!objectives.is_sequence() || objectives.size() == 0)
      objectives.fail("expected a list of {metric: NAME, direction: maximize|minimize}");
    std::unordered_map<std::string, std::size_t> objective_of;  // metric -> its first objective
    for (std::size_t i = 0; i < objectives.size(); ++i) {
      const ConfigNode item = objectives.element(i);
      config.objectives.push_back(parse_objective(item));
      const auto [first, inserted] = objective_of.emplace(config.objectives[i].metric, i);
      if (!inserted)
        item.at("metric").fail("metric '" + config.objectives[i].metric +
                               "' is already objective " + std::to_string(first->second + 1) +
                               "; each metric may be one objective (one direction)");
    }
  }

  std::size_t with_reference = 0;
  for (const auto& objective : config.objectives) with_reference += objective.reference ? 1 : 0;
  if (with_reference != 0 && with_reference != config.objectives.size())
    config.objectives_node.fail("give a hypervolume 'reference' for every objective or for none");

  ConfigNode constraints = root.optional("constraints");
  if (constraints.present() && !constraints.is_null()) {
    if (!constraints.is_sequence())
      constraints.fail("expected a list of constraints such as \"latency_ms <= 5\"");
    for (std::size_t i = 0; i < constraints.size(); ++i) {
      ConfigNode item = constraints.element(i);
      Constraint::parse(item);  // the one constraint grammar: a malformed one fails here
      config.constraints.push_back(ConstraintConfig{item.as_string(), item});
    }
  }

  // Without a budget (an ask/tell experiment, driven one call at a time) `tandem run` needs
  // --trials (trial_loop.cpp).
  if (root.has("budget")) {
    ConfigNode budget = root.at("budget");
    if (!budget.is_map()) budget.fail("expected {trials: N, seconds: S}");
    budget.check_keys({"trials", "seconds"});
    config.budget.trials =
        budget.get_int_in("trials", 0, 0, std::numeric_limits<long long>::max());
    config.budget.seconds = budget.get_double("seconds", 0.0);
    if (config.budget.seconds < 0)
      budget.at("seconds").fail("expected a number of seconds >= 0, got " +
                                format_number(config.budget.seconds));
    if (config.budget.trials == 0 && config.budget.seconds == 0)
      budget.fail("set trials or seconds (or both) to a positive value");
  }

  config.database = root.get_string("database", "");
  if (ConfigNode pruner = root.optional("pruner"); pruner.present() && !pruner.is_null())
    config.pruner = parse_pruner_options(pruner, config.objectives);
  return config;
}

std::string ExperimentConfig::identity() const {
  ConfigNode root = ConfigNode::parse(text, source);
  std::string out = "name: " + name + "\nseed: " + std::to_string(seed) + "\n";
  for (const char* key : {"space", "strategy", "evaluator", "evaluators", "objectives",
                          "constraints", "pruner"}) {
    ConfigNode node = root.optional(key);
    if (node.present()) out += std::string(key) + ": " + node.to_yaml() + "\n";
  }
  return out;
}

}  // namespace tandem
