// nsga2_prescreen: NSGA-II (nsga2.hpp, unchanged) whose generation 0 is chosen by a training-free
// pre-screen instead of drawn uniformly. The idea is the zero-cost "warmup" of
//   Abdelfattah, Mehrotra, Dudziak, Lane, "Zero-Cost Proxies for Lightweight NAS", ICLR 2021
//   ("zero-cost warmup"); official code SamsungLabs/zero-cost-nas, notebooks/nas_examples.ipynb
//   run_evolution_search(zero_cost_warmup=3000): score `zero_cost_warmup` random architectures
//   by synflow and start aging evolution's pool (64) from the best-scored ones;
// in its multi-objective form of
//   Phan & Luong, "Efficiency Enhancement of Evolutionary Neural Architecture Search via
//   Training-Free Initialization", NICS 2021; code ELO-Lab/ENAS-TFI, warm_up/utils.py
//   get_population_X / get_k_best_solutions: score nSamples_for_warm_up = 500 random
//   architectures by [efficiency metric, -synflow] and take NSGA-II's initial population front by
//   front (non-dominated sorting), the last front cut in sample order.
// (NASLib, automl/NASLib, uses zero-cost scores differently: as extra predictor features of
// BANANAS — optimizers/discrete/bananas/optimizer.py `zc`, max_zerocost = 1000 — not as a
// warm start; that is not what this file does.)
//
// Procedure (deterministic per seed; every draw from the strategy's one RNG):
//   1. draw `prescreen_samples` (1000) candidates with SearchSpace::sample (uniform, as nsga2's
//      generation 0) and drop repeats, keeping the first draw: the sample, in draw order;
//   2. give each objective a training-free signal (`prescreen_signals`; default by direction): a
//      maximised objective is read as accuracy and gets the proxy `prescreen_proxy` (params),
//      a minimised one is read as a cost and gets `prescreen_cost` (flops = MACs at batch 1);
//      `none` leaves an objective out. Both are computed on space.to_graph(candidate) — a joint
//      space lowers its network part, so the accelerator decisions are not scored and stay as
//      drawn. Objectives with the same signal share one column (latency and energy both -> MACs);
//   3. rank the sample by those columns (the proxy maximised, the cost minimised; a NaN or
//      infinite score counts as the worst) with NSGA-II's fast non-dominated sort and take whole
//      fronts in order until `population_size` are chosen; the front that overflows is cut in
//      draw order (ENAS-TFI's rule; the draws are uniform, so this is a uniform pick within the
//      front). With one column the fronts are the score levels: Abdelfattah et al.'s rule, the
//      `population_size` best-scored candidates (ties in draw order);
//   4. those candidates, best front first, are NSGA-II's generation 0; from there on NSGA-II runs
//      unchanged (tournament, crossover, mutation, survival on the evaluated objectives).
// The pre-screen evaluates no objective and calls no evaluator: its `prescreen_samples` graph
// lowerings are not trials and do not count against the budget (the budget counts evaluated
// candidates only). It runs when the strategy is built, so also on `--resume` and on each
// `tandem ask` (it is redone, not stored: same seed, same sample, same choice).
// Deviations: 1000 samples (ENAS-TFI 500, the zero-cost-nas notebook 3000). The default proxy is
// params, not synflow: on NB201 both rank accuracy alike (Spearman 0.77 vs 0.78 against the
// 200-epoch CIFAR-10 accuracy, docs/benchmarks.md), synflow costs 12 ms a network (12 s per
// build for 1000 samples, redone on every resume) against 0.1 ms, and its pre-screen measured
// worse than none on the co-design benchmarks (docs/benchmarks.md, "Pre-screened NSGA-II
// start"). Note that NB201 parameters and MACs rise together, so with the default params x flops
// columns no NB201 cell dominates another and generation 0 is exactly nsga2's uniform one; the
// pre-screen acts where the signals disagree (synflow, one signal, DARTS or macro spaces). The
// cost signal is the network's MACs, not the evaluated cost (latency and energy depend on the
// accelerator, which a strategy may not evaluate). Cutting the last front by crowding distance
// (NSGA-II's survival) instead of draw order measured worse too and is not offered. Proxies:
// params and flops always (graph counts, as predictors/zero_cost_proxies.hpp defines them); the
// composition root may add data-free proxies the search rooms cannot link (register_builtins
// passes synflow).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/compute_graph.hpp"
#include "search/multi_objective/nsga2.hpp"

namespace tandem {

// A training-free score of a network (larger = better for a proxy; a count for a cost).
using NetworkSignal = std::function<double(const ComputeGraph&)>;
// Signals by name: params and flops, plus those registered by the caller (synflow).
using NetworkSignals = std::map<std::string, NetworkSignal>;

struct PrescreenOptions {
  int samples = 1000;
  std::string proxy = "params";  // signal of maximised (accuracy-like) objectives
  std::string cost = "flops";    // signal of minimised (cost-like) objectives; "none" = unused
  // Per objective, in order: "proxy", "cost" or "none"; empty = by direction (see above).
  std::vector<std::string> signals;

  static const std::vector<std::string>& keys();
  static PrescreenOptions parse(const ConfigNode& options, const NetworkSignals& available,
                                std::size_t objectives);
};

// The pre-screen itself (steps 1–3 above), public for tests.
struct Prescreen {
  std::vector<Candidate> sample;             // distinct, in draw order
  std::vector<ObjectiveVector> columns;      // per sample member: minimised signal columns
  std::vector<std::string> column_names;     // "-params", "flops", ...
  std::vector<std::size_t> chosen;           // indices into sample, in ask order
};
// The signal column of each objective ("" = none), by role and options.
std::vector<std::string> prescreen_roles(const PrescreenOptions& options,
                                         const std::vector<Objective>& objectives);
Prescreen run_prescreen(const SearchSpace& space, const PrescreenOptions& options,
                        const std::vector<Objective>& objectives, const NetworkSignals& signals,
                        std::size_t population_size, Rng& rng);
// Step 3 alone: indices of the `count` best of `columns` (minimised), front by front, each front
// in index (draw) order.
std::vector<std::size_t> prescreen_select(const std::vector<ObjectiveVector>& columns,
                                          std::size_t count);

class Nsga2Prescreen final : public Strategy {
 public:
  Nsga2Prescreen(const SearchSpace& space, Nsga2Options nsga2, PrescreenOptions prescreen,
                 std::vector<Objective> objectives, NetworkSignals signals, std::uint64_t seed);
  std::vector<Candidate> ask(std::size_t n) override { return inner_->ask(n); }
  void tell(const Candidate& candidate, const TrialResult& result) override {
    inner_->tell(candidate, result);
  }
  bool finished() const override { return inner_->finished(); }
  std::string state() const override;

  const Prescreen& prescreen() const { return prescreen_; }
  const Nsga2& nsga2() const { return *inner_; }

 private:
  PrescreenOptions options_;
  Prescreen prescreen_;
  std::unique_ptr<Nsga2> inner_;
};

// The built-in signals (params, flops) and `extra` (e.g. synflow from the composition root).
void register_nsga2_prescreen(StrategyRegistry& registry, NetworkSignals extra = {});

}  // namespace tandem
