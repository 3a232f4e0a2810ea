// The pruner registry: every registered pruner builds from `pruner: NAME` with its defaults and
// answers to its config name, parses its own options from its `options` node, and a pruner name
// registered twice is an InternalError.
#include <doctest/doctest.h>

#include <string>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "experiments/pruners/pruner.hpp"
#include "experiments/pruners/pruner_registry.hpp"

using namespace tandem;

namespace {

const std::vector<Objective> kMaximizeAccuracy = {Objective("accuracy", false)};

}  // namespace

TEST_CASE("every registered pruner builds from its name alone and answers to it") {
  for (const std::string& name : pruner_registry().names()) {
    CAPTURE(name);
    const PrunerOptions options =
        parse_pruner_options(ConfigNode::parse(name, "pruner.yaml"), kMaximizeAccuracy);
    CHECK(options.name == name);
    CHECK(options.metric == "accuracy");
    CHECK(options.metric_from_objective);
    CHECK_FALSE(options.minimize);
    CHECK(make_pruner(options, "exp", 1)->name() == name);
  }
}

TEST_CASE("a pruner's own options are checked by the pruner, the shared ones by the section") {
  // `metric` and `direction` are accepted by every pruner; anything else only by its own pruner.
  for (const std::string& name : pruner_registry().names()) {
    CAPTURE(name);
    const std::string yaml = "{name: " + name + ", options: {metric: loss, direction: minimize}}";
    const PrunerOptions options =
        parse_pruner_options(ConfigNode::parse(yaml, "pruner.yaml"), kMaximizeAccuracy);
    CHECK(options.metric == "loss");
    CHECK(options.minimize);
  }
  CHECK_THROWS_WITH_AS(
      parse_pruner_options(
          ConfigNode::parse("{name: hyperband, options: {n_warmup_steps: 2}}", "pruner.yaml"),
          kMaximizeAccuracy),
      doctest::Contains("unknown key 'n_warmup_steps'"), ConfigError);
}

TEST_CASE("a pruner name registered twice is an InternalError") {
  CHECK_THROWS_WITH_AS(
      pruner_registry().add("median", "percentile", "again",
                            [](const ConfigNode&, const PrunerContext&) -> std::unique_ptr<Pruner> {
                              return nullptr;
                            }),
      "pruner 'median' is registered twice", InternalError);
}
