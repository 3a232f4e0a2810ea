// Parsing and validation of the `pruner:` section (see pruner_options.hpp, docs/pruners.md): the
// name, metric and direction shared by every pruner; each pruner's file parses its own options.
#include "experiments/pruners/pruner_options.hpp"

#include <limits>

#include "core/text.hpp"
#include "experiments/pruners/pruner_registry.hpp"

namespace tandem {
namespace {

constexpr long long kLargest = std::numeric_limits<int>::max();

}  // namespace

std::optional<int> auto_or_int_option(const ConfigNode& options, const std::string& key,
                                      std::optional<int> fallback, long long low) {
  if (!options.has(key)) return fallback;
  const ConfigNode value = options.at(key);
  if (value.is_scalar() && value.scalar_text() == "auto") return std::nullopt;
  long long number = 0;
  try {
    number = value.as_int();
  } catch (const ConfigError&) {
    value.fail(key + " '" + value.scalar_text() +
               "': expected 'auto' or an integer >= " + std::to_string(low));
  }
  if (number < low || number > kLargest)
    value.fail(key + " " + value.scalar_text() +
               ": expected 'auto' or an integer >= " + std::to_string(low));
  return static_cast<int>(number);
}

int int_option(const ConfigNode& options, const std::string& key, int fallback, long long low) {
  return static_cast<int>(options.get_int_in(key, fallback, low, kLargest));
}

void check_pruner_option_keys(const ConfigNode& options, const std::vector<std::string>& keys) {
  std::vector<std::string> accepted = {"metric", "direction"};
  accepted.insert(accepted.end(), keys.begin(), keys.end());
  options.check_keys(accepted);
}

PrunerOptions parse_pruner_options(const ConfigNode& node,
                                   const std::vector<Objective>& objectives) {
  const PrunerRegistry& registry = pruner_registry();
  const std::vector<std::string>& names = registry.names_in_registration_order();
  PrunerOptions out;
  out.node = node;
  ConfigNode options;
  ConfigNode name_node = node;
  if (node.is_map()) {
    node.check_keys({"name", "options"});
    name_node = node.at("name");
    options = node.optional("options");
    if (options.present() && !options.is_map() && !options.is_null())
      options.fail("expected a mapping of pruner options");
  } else if (!node.is_scalar()) {
    node.fail("expected a pruner name or {name: NAME, options: {...}}; accepted names: " +
              join(names, ", "));
  }
  out.name = name_node.as_string();
  if (!registry.contains(out.name))
    name_node.fail("unknown pruner '" + out.name + "'" + did_you_mean(out.name, names) +
                   "; accepted: " + join(names, ", "));
  out.options = options;

  // The judged metric and its direction: an objective's direction, or `direction` for another
  // metric (required then).
  out.metric_from_objective = !options.has("metric");
  out.metric = out.metric_from_objective ? objectives.front().metric : options.get_string("metric");
  if (out.metric.empty()) options.at("metric").fail("the pruner metric must not be empty");
  const Objective* objective = nullptr;
  for (const auto& o : objectives)
    if (o.metric == out.metric) objective = &o;
  if (options.has("direction")) {
    const bool minimize =
        options.get_choice("direction", "", {"maximize", "minimize"}) == "minimize";
    if (objective && objective->minimize != minimize)
      options.at("direction")
          .fail("direction " + options.at("direction").scalar_text() + " contradicts objective " +
                out.metric + " (" + (objective->minimize ? "minimize" : "maximize") +
                "); leave direction out for an objective's metric");
    out.minimize = minimize;
  } else if (objective) {
    out.minimize = objective->minimize;
  } else {
    options.at("metric").fail("pruner metric '" + out.metric +
                              "' is not an objective: give its direction (maximize or minimize)");
  }

  // The pruner's own options are validated now, at config load time, by building it once.
  registry.create(out.name, out.options, PrunerContext{out.minimize, "", 0});
  return out;
}

}  // namespace tandem
