// constraint_filter speaks the one constraint grammar (core/constraint.hpp): `macs<=1e8` without
// spaces works inside the wrapper as at the top level, and bad constraints fail with one line
// naming the option, the text and what is accepted.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "search/strategy.hpp"
#include "search/wrappers/strategy_wrappers.hpp"

using namespace tandem;

namespace {

const std::vector<Objective> kObjectives = {{"accuracy", false}};

std::unique_ptr<Strategy> make_filter(const SearchSpace& space, const std::string& yaml) {
  const ConfigNode options = ConfigNode::parse(yaml, "options.yaml");
  StrategyContext context{space, options, 3, kObjectives};
  return strategy_registry().create("constraint_filter", context);
}

std::string error_of(const std::string& yaml) {
  auto space = space_registry().create("nb201", ConfigNode());
  try {
    make_filter(*space, yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("constraint_filter: 'macs<=1e8' without spaces filters like 'macs <= 1e8'") {
  auto space = space_registry().create("nb201", ConfigNode());
  // NB201 cells at the default 16 channels span about 15M to 220M MACs; 5e7 rejects many.
  auto tight = make_filter(*space, "{strategy: random, constraints: ['macs<=5e7']}");
  auto spaced = make_filter(*space, "{strategy: random, constraints: ['macs <= 5e7']}");
  for (int i = 0; i < 30; ++i) {
    const auto a = tight->ask(1);
    const auto b = spaced->ask(1);
    REQUIRE(a.size() == 1);
    CHECK(a == b);  // same grammar, same seed: the same candidates
    CHECK(space->to_graph(a[0]).total_macs() <= 50000000);
    tight->tell(a[0], TrialResult::complete({}));
    spaced->tell(b[0], TrialResult::complete({}));
  }
  CHECK(dynamic_cast<ConstraintFilter&>(*tight).rejected() > 0);
  CHECK(dynamic_cast<ConstraintFilter&>(*tight).rejected() ==
        dynamic_cast<ConstraintFilter&>(*spaced).rejected());
}

TEST_CASE("constraint_filter: every operator, with and without spaces, is accepted") {
  for (const char* text : {"macs<=1e8", "params< 400000", "layers >=1", "layers>0",
                           "macs == 5", "macs<1e9", "params >= 0"}) {
    CAPTURE(text);
    CHECK(error_of(std::string("{strategy: random, constraints: ['") + text + "']}") == "");
  }
}

TEST_CASE("constraint_filter: bad constraints are one line naming the option and the text") {
  CHECK(error_of("{strategy: random, constraints: ['flops<=3']}") ==
        "options.yaml:1:34: 'constraints[0]': constraint 'flops<=3': unknown graph metric "
        "'flops'; accepted: macs, params, layers");
  CHECK(error_of("{strategy: random, constraints: ['mac <= 3']}") ==
        "options.yaml:1:34: 'constraints[0]': constraint 'mac <= 3': unknown graph metric 'mac' "
        "(did you mean 'macs'?); accepted: macs, params, layers");
  CHECK(error_of("{strategy: random, constraints: ['macs < = 3']}") ==
        "options.yaml:1:34: 'constraints[0]': malformed constraint 'macs < = 3': '= 3' is not a "
        "number; expected METRIC OP NUMBER with OP one of <=, <, >=, >, == (spaces around OP "
        "optional), e.g. \"latency_ms <= 5\" or \"macs<=1e8\"");
  CHECK(error_of("{strategy: random, constraints: 'macs <= 3'}") ==
        "options.yaml:1:33: 'constraints': expected a list of constraints such as [\"macs <= "
        "1e8\"]");
}
