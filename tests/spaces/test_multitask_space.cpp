// The `multitask` space: decisions per task then hw, text round trips, ParseError positions,
// per-task candidates, option errors.
#include <doctest/doctest.h>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "spaces/multitask_space.hpp"
#include "spaces/search_space.hpp"

using namespace tandem;

namespace {

std::unique_ptr<SearchSpace> make(const std::string& yaml) {
  return space_registry().create("multitask", ConfigNode::parse(yaml, "s.yaml"));
}

const char* kTwoTasks =
    "tasks:\n"
    "  - {name: cifar10, space: nb201}\n"
    "  - {name: cifar100, space: nb201, options: {classes: 100}}\n"
    "accelerator: {space: heterogeneous_hw}\n";

const std::string kCellA =
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|"
    "skip_connect~2|";
const std::string kCellB =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "nor_conv_3x3~2|";

}  // namespace

TEST_CASE("multitask space: decisions are the tasks' then the accelerator's, prefixed") {
  auto space = make(kTwoTasks);
  auto nb201 = space_registry().create("nb201", ConfigNode());
  auto hw = space_registry().create("heterogeneous_hw", ConfigNode());
  const auto& d = space->decisions();
  REQUIRE(d.size() == 2 * nb201->decisions().size() + hw->decisions().size());
  const std::size_t n = nb201->decisions().size();
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(d[i].name == "cifar10." + nb201->decisions()[i].name);
    CHECK(d[n + i].name == "cifar100." + nb201->decisions()[i].name);
    CHECK(d[i].choices == nb201->decisions()[i].choices);
  }
  for (std::size_t i = 0; i < hw->decisions().size(); ++i)
    CHECK(d[2 * n + i].name == "hw." + hw->decisions()[i].name);
  CHECK(space->task_names() == std::vector<std::string>{"cifar10", "cifar100"});
  CHECK(space->summary() == "multitask: cifar10: nb201, cifar100: nb201 x heterogeneous_hw");
  // Other spaces have no tasks.
  CHECK(nb201->task_names().empty());
  Rng rng(0);
  CHECK_THROWS_AS(nb201->task_candidate(nb201->sample(rng), "x", nullptr), ConfigError);
}

TEST_CASE("multitask space: random candidates round trip and split into their parts") {
  auto space = make(kTwoTasks);
  auto nb201 = space_registry().create("nb201", ConfigNode());
  auto hw = space_registry().create("heterogeneous_hw", ConfigNode());
  const std::size_t n = nb201->decisions().size();
  Rng rng(7);
  for (int i = 0; i < 50; ++i) {
    const Candidate c = space->sample(rng);
    const std::string text = space->to_string(c);
    CHECK(space->parse(text) == c);
    const SearchSpace* s10 = nullptr;
    const SearchSpace* s100 = nullptr;
    const Candidate c10 = space->task_candidate(c, "cifar10", &s10);
    const Candidate c100 = space->task_candidate(c, "cifar100", &s100);
    REQUIRE(s10 != nullptr);
    REQUIRE(s100 != nullptr);
    CHECK(s10->name() == "nb201");
    CHECK(s100->graph_options().classes == 100);
    CHECK(c10.decisions == std::vector<int>(c.decisions.begin(), c.decisions.begin() + long(n)));
    CHECK(c100.decisions ==
          std::vector<int>(c.decisions.begin() + long(n), c.decisions.begin() + long(2 * n)));
    const Candidate accel{std::vector<int>(c.decisions.begin() + long(2 * n), c.decisions.end())};
    CHECK(text == s10->to_string(c10) + " ; " + s100->to_string(c100) + " @ " +
                      hw->to_string(accel));
    CHECK(space->architecture_string(c) == s10->to_string(c10) + " ; " + s100->to_string(c100));
    CHECK(space->accelerator_string(c) == hw->accelerator_string(accel));
  }
  // A known text: the parts are the nb201 parses of the two cells.
  const Candidate c = space->parse(kCellA + " ; " + kCellB + " @ " +
                                   hw->to_string(hw->sample(rng)));
  CHECK(space->task_candidate(c, "cifar10", nullptr) == nb201->parse(kCellA));
  CHECK(space->task_candidate(c, "cifar100", nullptr) == nb201->parse(kCellB));
  CHECK_THROWS_WITH_AS(space->task_candidate(c, "imagenet", nullptr),
                       doctest::Contains("tasks: cifar10, cifar100"), ConfigError);
  CHECK_THROWS_WITH_AS(space->to_graph(c), doctest::Contains("`task:`"), ConfigError);
}

TEST_CASE("multitask space: networks only, without an accelerator") {
  auto space = make("tasks: [{name: a, space: nb201}, {name: b, space: nb201}]\n");
  Rng rng(3);
  const Candidate c = space->sample(rng);
  CHECK(space->to_string(c).find(" @ ") == std::string::npos);
  CHECK(space->parse(space->to_string(c)) == c);
  CHECK(space->accelerator_string(c).empty());
}

TEST_CASE("multitask space: malformed text raises ParseError naming the position") {
  auto space = make(kTwoTasks);
  Rng rng(1);
  const std::string accel = space->to_string(space->sample(rng));
  const std::string hw_text = accel.substr(accel.rfind(" @ "));
  auto error_of = [&](const std::string& text) -> std::string {
    try {
      space->parse(text);
    } catch (const ParseError& error) {
      return error.what();
    }
    return "(no ParseError)";
  };
  auto contains = [](const std::string& message, const std::string& part) {
    INFO(message);
    CHECK(message.find(part) != std::string::npos);
  };
  // No " @ ": the position is the end of the text.
  contains(error_of(kCellA + " ; " + kCellB),
           "at character " + std::to_string(kCellA.size() + 3 + kCellB.size()));
  // One network for two tasks: at the end of the networks.
  contains(error_of(kCellA + hw_text),
           "at character " + std::to_string(kCellA.size()) + ": expected 2 task networks");
  // Three networks: at the extra separator.
  const std::size_t extra = kCellA.size() + 3 + kCellB.size();
  contains(error_of(kCellA + " ; " + kCellB + " ; " + kCellA + hw_text),
           "at character " + std::to_string(extra) + ":");
  // A bad second cell: the task and where its text starts.
  contains(error_of(kCellA + " ; |bogus~0|" + hw_text),
           "in task 'cifar100' (from character " + std::to_string(kCellA.size() + 3) + ")");
  // A bad accelerator.
  CHECK_THROWS_WITH_AS(space->parse(kCellA + " ; " + kCellB + " @ count=9"),
                       doctest::Contains("in the accelerator part"), ParseError);
}

TEST_CASE("multitask space: option errors") {
  CHECK_THROWS_WITH_AS(make("tasks: []\n"), doctest::Contains("at least one"), ConfigError);
  CHECK_THROWS_WITH_AS(make("tasks: [{name: a, space: nb201}, {name: a, space: nb201}]\n"),
                       doctest::Contains("repeated"), ConfigError);
  CHECK_THROWS_WITH_AS(make("tasks: [{name: 'a b', space: nb201}]\n"),
                       doctest::Contains("A-Z a-z 0-9 _"), ConfigError);
  CHECK_THROWS_WITH_AS(make("tasks: [{name: '', space: nb201}]\n"),
                       doctest::Contains("non-empty"), ConfigError);
  CHECK_THROWS_WITH_AS(make("tasks: [{name: a, space: systolic_hw}]\n"),
                       doctest::Contains("expected a network space"), ConfigError);
  CHECK_THROWS_WITH_AS(make("tasks: [{name: a, space: nb201}]\naccelerator: {space: nb201}\n"),
                       doctest::Contains("expected an accelerator space"), ConfigError);
  CHECK_THROWS_WITH_AS(make("tasks: [{name: a, space: nb2001}]\n"),
                       doctest::Contains("unknown search space 'nb2001'"), ConfigError);
}
