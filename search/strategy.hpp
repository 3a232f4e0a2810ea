// Strategy: the ask/tell interface every search strategy implements, and its registry.
// A strategy reads the space only; it never evaluates candidates nor touches the database. The
// experiment loop asks for candidates, evaluates them, stores the results and tells them back.
// Determinism contract: the same seed, options and sequence of tell() calls give the same ask()
// answers — this is how `tandem run --resume` rebuilds a strategy from the stored history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "core/constraint.hpp"
#include "core/objective.hpp"
#include "core/registry.hpp"
#include "core/trial.hpp"
#include "spaces/search_space.hpp"

namespace tandem {


// One step of a weight-sharing search's log (see Strategy::take_search_log).
struct SearchLogEntry {
  int step = 0;
  Metrics values;
  bool operator==(const SearchLogEntry&) const = default;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Up to n candidates to evaluate next (fewer, possibly none, when the strategy is finished or
  // must wait for results).
  virtual std::vector<Candidate> ask(std::size_t n) = 0;
  virtual void tell(const Candidate& candidate, const TrialResult& result) = 0;
  // True when the strategy has nothing more to propose (e.g. its cycle budget is spent).
  virtual bool finished() const { return false; }
  // The full internal state as text (RNG included). Stored with every finished trial so a resumed
  // run can prove it rebuilt the same state.
  virtual std::string state() const = 0;

  // Weight-sharing strategies (search/oneshot/weight_sharing.hpp) run a supernet search inside an ask().
  // Its log (per-epoch architecture parameters and losses at steps 1..E, the search result at
  // step 0) is handed over once, right after that ask(): the trial loop stores it as intermediate
  // values of the first trial started from the ask. Empty for every other strategy.
  virtual std::vector<SearchLogEntry> take_search_log() { return {}; }
  // Resume without re-running the search: before replaying the stored history the trial loop
  // passes the log stored with the experiment's first trial. A strategy that rebuilds its search
  // result from it returns true; its replayed asks then hand out the stored candidates.
  virtual bool restore_search(const std::vector<SearchLogEntry>& /*log*/) { return false; }
};

struct StrategyContext {
  const SearchSpace& space;
  const ConfigNode& options;  // the strategy's `options` mapping (may be absent)
  std::uint64_t seed = 0;
  std::vector<Objective> objectives;
  // The config file's folder: relative paths in the options (datasets) are taken from here.
  std::string config_dir = "";
  // The experiment's constraints (INFEASIBLE results also say which one they violate, in their
  // reason); strategies that handle constraints natively may read the room a result leaves.
  std::vector<Constraint> constraints = {};
};

// Kinds: black-box (samples candidates from the space alone: random, evolution, local search),
// multi-objective (Pareto-based: nsga2), model-based (fits a predictor to choose candidates), rl
// (a policy trained by REINFORCE), weight-sharing (trains a supernet and hands out only its
// derived architecture(s); needs a space with a supernet), wrapper (wraps another strategy given
// in its options).
using StrategyRegistry = Registry<Strategy, const StrategyContext&>;
StrategyRegistry& strategy_registry();

}  // namespace tandem
