// Every example config shipped in experiments/examples/ runs with `tandem run` at a small budget (4 trials)
// and stores its trials — so an example can never rot silently.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "core/config_node.hpp"
#include "db/trial_store.hpp"
#include "search/strategy.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

TEST_CASE("every shipped example config runs at a small budget") {
  std::vector<std::filesystem::path> configs;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() + "/experiments/examples"))
    if (entry.path().extension() == ".yaml") configs.push_back(entry.path());
  std::sort(configs.begin(), configs.end());
  REQUIRE(configs.size() >= 10);
  for (const auto& config : configs) {
    TempDir dir;
    const std::string db = dir.file("example.db");
    auto result = run_tandem("run '" + config.string() + "' --db '" + db + "' --trials 4 --quiet");
    CHECK_MESSAGE(result.exit_code == 0, config.filename().string() << ":\n" << result.output);
    if (result.exit_code != 0) continue;
    TrialStore store(db, TrialStore::Mode::read_only);
    auto experiments = store.experiments();
    REQUIRE(experiments.size() == 1);
    auto trials = store.trials(experiments.front().id);
    // Weight-sharing strategies (search/oneshot/weight_sharing.hpp) finish once their derived
    // architectures are handed out: fewer trials than the budget, at least one.
    const ConfigNode strategy = ConfigNode::load_file(config.string()).at("strategy");
    const std::string name = strategy.is_map() ? strategy.get_string("name") : strategy.as_string();
    if (strategy_registry().kind_of(name) == "weight-sharing") {
      CHECK_MESSAGE((trials.size() >= 1 && trials.size() <= 4), config.filename().string());
      // the derived architectures are stored as candidate strings the space's CLI parses
      const ConfigNode space = ConfigNode::load_file(config.string()).at("space");
      const std::string space_name = space.is_map() ? space.get_string("name") : space.as_string();
      for (const auto& trial : trials) {
        auto parsed = run_tandem("spaces " + space_name + " --arch " + shell_quote(trial.candidate));
        CHECK_MESSAGE(parsed.exit_code == 0, config.filename().string() << ": " << trial.candidate
                                                                        << "\n" << parsed.output);
      }
    } else
      CHECK_MESSAGE(trials.size() == 4, config.filename().string());
    for (const auto& trial : trials)
      CHECK_MESSAGE(trial.state != TrialStatus::running, config.filename().string());
  }
}
