// Fuzz target: the search log a weight-sharing strategy reads back on `tandem run --resume`
// (Strategy::restore_search, search/oneshot/weight_sharing.cpp): the per-step values stored as
// intermediate values of the experiment's first trial. Every weight-sharing strategy of the
// strategy registry (so a new one is fuzzed without a change here) on each space with a
// supernet. Input: byte 0 picks the space, then lines "step name value". A restored strategy
// must hand out only valid candidates. Seeds: logs of sampled candidates (TANDEM_FUZZ_SEEDS).
// Links: tandem_builtins tandem_runner (the composition root fills the registries).
#include <cstdlib>
#include <map>
#include <sstream>

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
    for (std::size_t s = 0; s < spaces().size(); ++s) {
      std::string text(1, static_cast<char>(s));
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
  const tandem::ConfigNode options;
  for (const std::string& name : tandem::strategy_registry().names_of_kind("weight-sharing")) {
    tandem_fuzz::fuzz_one([&] {
      tandem::StrategyContext context{space, options, 1, {}, "/nonexistent"};
      auto strategy = tandem::strategy_registry().create(name, context);
      if (!strategy->restore_search(log)) return;  // the search would run: not from the log
      for (const tandem::Candidate& candidate : strategy->ask(4)) space.check(candidate);
      (void)strategy->state();
    });
  }
  return 0;
}
