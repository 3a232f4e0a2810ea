// Fuzz target: the search log a weight-sharing strategy reads back on `tandem run --resume`
// (Strategy::restore_search, search/oneshot/weight_sharing.cpp): the per-step values stored as
// intermediate values of the experiment's first trial. Byte 0 picks a space with a supernet and
// one weight-sharing strategy of the strategy registry (so a new one is fuzzed without a change
// here); the rest is lines "step name value". A restored strategy must hand out only valid
// candidates. Seeds: a log of sampled candidates per space and strategy (TANDEM_FUZZ_SEEDS).
// A weight-sharing strategy reads its dataset when it is made (a bad path is a config error), so
// the target writes a 4-row CSV once and points every strategy at it: a restored strategy never
// trains, so the data only has to load. With the shipped 1,797 digits read for every input the
// target ran 5 inputs a second; with 24 rows, and the space's default supernet rebuilt for each
// strategy's check, 15 (SearchSpace::default_supernet() now keeps it); now about 1,000.
// Links: tandem_builtins tandem_runner (the composition root fills the registries).
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <unistd.h>

#include "core/config_node.hpp"
#include "search/strategy.hpp"
#include "experiments/builtins/register_builtins.hpp"
#include "fuzz_support.hpp"

namespace {

const std::vector<std::unique_ptr<tandem::SearchSpace>>& spaces() {
  static const std::vector<std::unique_ptr<tandem::SearchSpace>> all = [] {
    tandem::register_builtins();
    std::vector<std::unique_ptr<tandem::SearchSpace>> made;
    for (const std::string& name : tandem::space_registry().names()) {
      try {
        auto space = tandem::space_registry().create(name, tandem::ConfigNode());
        (void)space->supernet(space->graph_options());
        made.push_back(std::move(space));
      } catch (const tandem::Error&) {  // no supernet, or needs options
      }
    }
    if (made.empty()) std::abort();
    return made;
  }();
  return all;
}

// Options naming a 4-row CSV dataset (4 features, 2 classes) in a private temporary folder.
const tandem::ConfigNode& small_dataset_options() {
  static const tandem::ConfigNode options = [] {
    const std::string folder =
        (std::filesystem::temp_directory_path() / ("tandem-fuzz-" + std::to_string(getpid())))
            .string();
    std::filesystem::create_directories(folder);
    static const std::string to_remove = folder;
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(to_remove, ignored);
    });
    std::string csv;
    for (int row = 0; row < 4; ++row) {
      for (int feature = 0; feature < 4; ++feature) csv += std::to_string((row * 7 + feature * 3) % 17) + ",";
      csv += std::to_string(row % 2) + "\n";
    }
    tandem_fuzz::write_file(folder + "/tiny.csv", csv);
    return tandem::ConfigNode::parse(
        "dataset: " + folder + "/tiny.csv\nbatch_size: 2\nwidth: 4\ncells_per_stage: 1\n",
        "<fuzz options>");
  }();
  return options;
}

std::vector<tandem::SearchLogEntry> parse_log(const std::string& text) {
  std::map<int, tandem::Metrics> by_step;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    int step = 0;
    std::string name;
    double value = 0;
    if (fields >> step >> name >> value) by_step[step].set(name, value);
  }
  std::vector<tandem::SearchLogEntry> log;
  for (auto& [step, values] : by_step) log.push_back(tandem::SearchLogEntry{step, values});
  return log;
}

}  // namespace

// A log as a finished search stores it: a loss, then two derived candidates.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return tandem_fuzz::write_seeds_if_asked([](tandem::Rng& rng) {
    std::vector<std::string> seeds;
    (void)spaces();  // fills the registries
    const std::size_t strategies =
        tandem::strategy_registry().names_of_kind("weight-sharing").size();
    for (std::size_t pick = 0; pick < spaces().size() * strategies && pick < 256; ++pick) {
      const std::size_t s = pick % spaces().size();
      std::string text(1, static_cast<char>(pick));
      text += "1 train/loss 2.3\n0 derived/count 2\n";
      for (int i = 0; i < 2; ++i) {
        const tandem::Candidate candidate = spaces()[s]->sample(rng);
        for (std::size_t d = 0; d < candidate.decisions.size(); ++d)
          text += "0 derived/" + std::to_string(i) + "/" + std::to_string(d) + " " +
                  std::to_string(candidate.decisions[d]) + "\n";
      }
      seeds.push_back(text);
    }
    return seeds;
  });
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const tandem::SearchSpace& space = *spaces()[data[0] % spaces().size()];
  const std::vector<tandem::SearchLogEntry> log = parse_log(tandem_fuzz::text_of(data + 1, size - 1));
  const tandem::ConfigNode& options = small_dataset_options();
  static const std::vector<std::string> names =
      tandem::strategy_registry().names_of_kind("weight-sharing");
  const std::string& name = names[(data[0] / spaces().size()) % names.size()];
  tandem_fuzz::fuzz_one([&] {
    tandem::StrategyContext context{space, options, 1, {}, "/nonexistent"};
    auto strategy = tandem::strategy_registry().create(name, context);
    if (!strategy->restore_search(log)) return;  // the search would run: not from the log
    for (const tandem::Candidate& candidate : strategy->ask(4)) space.check(candidate);
    (void)strategy->state();
  });
  return 0;
}
