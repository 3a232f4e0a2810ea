// ExperimentConfig: the parsed and validated experiment YAML (see docs/config.md for every key).
// Parsing checks structure and types with file:line:column errors; building the parts named in it
// (space, strategy, evaluators) is Experiment's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "experiments/pruners/pruner_options.hpp"
#include "core/objective.hpp"

namespace tandem {

struct ComponentConfig {
  std::string name;
  ConfigNode options;  // absent when not given
  ConfigNode node;     // the whole {name, options} mapping, for error locations
};

struct BudgetConfig {
  long long trials = 0;  // finished trials (0 = no limit)
  double seconds = 0;    // wall-clock seconds of one `tandem run` invocation (0 = no limit)
};

struct ConstraintConfig {
  std::string text;  // "latency_ms <= 5"
  ConfigNode node;
};

struct ExperimentConfig {
  std::string name;
  std::uint64_t seed = 0;
  ComponentConfig space;
  ComponentConfig strategy;
  std::vector<ComponentConfig> evaluators;
  std::vector<Objective> objectives;
  ConfigNode objectives_node;
  std::vector<ConstraintConfig> constraints;
  BudgetConfig budget;
  std::optional<PrunerOptions> pruner;  // `pruner:` (docs/pruners.md); none when absent or null
  std::string database;  // "" when not given (then --db is required); load() makes a relative
                         // path relative to the config file's folder
  std::string text;      // the file's text, verbatim
  std::string source;    // path of the file
  std::string directory; // folder of the file ("." for text configs)

  static ExperimentConfig load(const std::string& path);
  static ExperimentConfig parse(const std::string& text, const std::string& source);

  // What makes two runs the same experiment: everything but the budget and the database path.
  // A resumed run must match the stored experiment on this.
  std::string identity() const;
};

}  // namespace tandem
