// Building and running the parts of an experiment (see experiment.hpp).
#include "experiments/runner/experiment.hpp"

#include <algorithm>
#include <new>

#include "core/text.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "hwmodels/cost_model.hpp"

namespace tandem {
namespace {

// Re-raises a registry "unknown name" error at the config location of the name.
template <class RegistryType>
void require_name(const RegistryType& registry, const ComponentConfig& component) {
  try {
    registry.require(component.name);
  } catch (const Error& error) {
    ConfigNode where = component.node.is_map() ? component.node.at("name") : component.node;
    where.fail(error.what());
  }
}

// Errors raised while building a component from its options are config errors of that component.
template <class Build>
auto build_at(const ComponentConfig& component, const std::string& what, Build build) {
  try {
    return build();
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& error) {
    component.node.fail(what + " '" + component.name + "': " + error.what());
  }
}

}  // namespace

Experiment::Experiment(ExperimentConfig config, bool build_evaluators)
    : config_(std::move(config)) {
  require_name(space_registry(), config_.space);
  space_ = build_at(config_.space, "space",
                    [&] { return space_registry().create(config_.space.name, config_.space.options); });

  // Parsed first: strategies that handle constraints natively read them (StrategyContext).
  for (const auto& constraint : config_.constraints)
    constraints_.push_back(Constraint::parse(constraint.text, constraint.node));

  require_name(strategy_registry(), config_.strategy);
  // Validates the strategy options (and loads a weight-sharing strategy's dataset) now, before
  // anything touches the database.
  validated_strategy_ = build_strategy();

  std::vector<std::string> measured;
  // Without evaluators (an ask/tell experiment) the metrics are whatever its caller tells.
  bool all_declared = build_evaluators && !config_.evaluators.empty();
  for (const auto& component : config_.evaluators) {
    if (!build_evaluators) break;
    require_name(evaluator_registry(), component);
    auto evaluator = build_at(component, "evaluator", [&] {
      EvaluatorContext context{*space_, component.options, config_.seed, config_.directory,
                               config_.name};
      return evaluator_registry().create(component.name, context);
    });
    auto names = evaluator->metric_names();
    if (names.empty()) all_declared = false;
    measured.insert(measured.end(), names.begin(), names.end());
    evaluators_.push_back(std::move(evaluator));
  }
  std::sort(measured.begin(), measured.end());

  if (all_declared) {
    auto known = [&](const std::string& metric) {
      return std::binary_search(measured.begin(), measured.end(), metric);
    };
    for (std::size_t i = 0; i < config_.objectives.size(); ++i) {
      const std::string& metric = config_.objectives[i].metric;
      if (!known(metric)) {
        ConfigNode node = config_.objectives_node.is_sequence()
                              ? config_.objectives_node.element(i)
                              : config_.objectives_node;
        node.at("metric").fail("unknown objective metric '" + metric + "'" +
                               did_you_mean(metric, measured) +
                               "; the evaluators measure: " + join(measured, ", "));
      }
    }
    for (std::size_t i = 0; i < constraints_.size(); ++i) {
      const std::string& metric = constraints_[i].metric();
      if (!known(metric))
        config_.constraints[i].node.fail("constraint on unknown metric '" + metric + "'" +
                                         did_you_mean(metric, measured) +
                                         "; the evaluators measure: " + join(measured, ", "));
    }
  }
}

std::unique_ptr<Strategy> Experiment::make_strategy() const {
  if (validated_strategy_) return std::move(validated_strategy_);
  return build_strategy();
}

std::unique_ptr<Strategy> Experiment::build_strategy() const {
  return build_at(config_.strategy, "strategy", [&] {
    StrategyContext context{*space_, config_.strategy.options, config_.seed, config_.objectives};
    context.config_dir = config_.directory;
    context.constraints = constraints_;
    return strategy_registry().create(config_.strategy.name, context);
  });
}

std::map<std::string, double> Experiment::known_optima() const {
  std::map<std::string, double> optima;
  for (const Objective& objective : config_.objectives)
    for (const auto& evaluator : evaluators_)  // a later evaluator's metric overrides an earlier
      if (auto best = evaluator->best_possible(objective.metric, objective.minimize))
        optima[objective.metric] = *best;
  return optima;
}

TrialResult Experiment::evaluate(const Candidate& candidate, Reporter& reporter) {
  Metrics merged;
  try {
    for (auto& evaluator : evaluators_) {
      TrialResult result = evaluator->evaluate(candidate, reporter);
      for (const auto& [name, value] : result.metrics) merged.set(name, value);
      if (result.status != TrialStatus::complete) {
        result.metrics = merged;
        return result;
      }
    }
  } catch (const std::bad_alloc&) {
    return TrialResult::failed("out of memory", merged);
  } catch (const Error& error) {
    return TrialResult::failed(error.what(), merged);
  }
  for (const auto& constraint : constraints_) {
    if (auto reason = constraint.violation(merged)) return TrialResult::infeasible(*reason, merged);
  }
  return TrialResult::complete(merged);
}

}  // namespace tandem
