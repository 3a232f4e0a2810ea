// Decomposed co-design search: the accelerator first, then the networks on it. For joint spaces
// (network x accelerator) with 2 to 4 objectives and constraints.
// Why. In a joint space one candidate's neighbourhood holds both network moves and accelerator
// moves, so Pareto local search on the whole space (pareto_local_search.hpp) explores the
// accelerator again around every network it keeps. Co-design fronts are usually made of very few
// accelerators, and an accelerator that is best for one network is usually best for the others
// (a layer's cost depends on the accelerator, the network only chooses which layers). This
// strategy searches the accelerator for one probe network, then the networks on that accelerator,
// and re-checks the accelerator with other probe networks later. It is tandem's composition of
// published pieces, as the "two-step" and "nested" co-design searches:
//   Hao et al., "FPGA/DNN Co-Design: An Efficient Design Methodology for IoT Intelligence on the
//     Edge", DAC 2019 (hardware and network searched in turn);
//   Abdelfattah et al., "Best of Both Worlds: AutoML Codesign of a CNN and its Hardware
//     Accelerator", DAC 2020 ("phase" search: alternate between the accelerator and the network);
//   Lin, Yang, Han, "NAAS: Neural Accelerator Architecture Search", DAC 2021 (accelerator search
//     outside, network search inside);
//   the network stage is Pareto local search (Paquete et al. 2004; see pareto_local_search.hpp).
// Procedure (ask/tell form):
//   1. Warm-up: `warmup` (25) evaluations of Pareto local search on the whole joint space (its
//      first `num_init` (10) are uniformly random). The probe is the knee of their constrained
//      non-dominated set: the member with the smallest sum of objectives, each min-max normalised
//      over every evaluated point (ties broken at random).
//   2. Accelerator stage: first-improvement local search over the accelerator decisions with the
//      probe's network fixed. The first stage climbs from the smallest accelerator (every ordered
//      numeric parameter at its lowest value) of up to `families` (1) randomly chosen families
//      (combinations of the non-numeric parameters, e.g. the dataflow) and keeps the best climb;
//      later stages climb from the probe's own accelerator. A neighbour replaces the incumbent
//      when it is better (the rest of that neighbourhood is dropped): the smaller constraint
//      violation first (Deb's rules), then — `climb: product` (default) — the smaller product of
//      the objectives (maximised ones divided; with the network fixed: the energy-delay product,
//      the usual accelerator figure of merit), or — `climb: dominance`, or when an objective is
//      not positive — constrained domination (core/pareto.hpp). Equal points: the one that uses
//      less of every constraint's room (Constraint::usage; an SRAM nobody fills gives its area
//      back). After an improving step the same step is asked first (`pattern_moves`, the pattern
//      move of Hooke & Jeeves, JACM 8(2), 1961). Neighbours that MonotoneConstraints
//      (monotone_constraints.hpp) shows to violate a constraint are not asked (`infer_infeasible`).
//      Neighbourhood, in variable-neighbourhood-descent order (Hansen & Mladenović, "Variable
//      neighborhood search: principles and applications", EJOR 130(3), 2001): first every
//      one-decision change, then — `exchange_moves: true` — every exchange of two ordered numeric
//      parameters, one a step up and the other a step down (rows x2 with cols /2, a larger SRAM
//      with a smaller other one), each level in random order. Exchanges are the swap move of local
//      search under a budget (knapsack-type) constraint: under an area limit the better
//      accelerator is often reachable only by growing one resource while shrinking another, and
//      both one-decision halves are worse (one infeasible, one slower). Parameters whose
//      one-decision moves never changed the objectives in `inert_after` (3) tries (SRAM sizes a
//      layer never fills) are inert: moves that grow one are skipped (shrinking stays). A climb ends
//      when a whole neighbourhood holds no improvement; the stage's result joins the working
//      accelerators W unless it is there already.
//   3. Network stage: one Pareto local search (pareto_local_search.hpp, options under
//      `network_stage`, default swaps: vnd) over the network decisions with the accelerator part
//      frozen: every member
//      keeps its accelerator, random samples take one from W. When an accelerator joins W, the
//      networks of the current archive (the warm-up's non-dominated set, the first time) are
//      evaluated on it first, and every evaluated candidate on it is adopted; the archive keeps
//      the pairs that are non-dominated, so W may hold several accelerators when different
//      networks prefer different ones.
//   4. Re-check: up to `rechecks` (4) times, when the network stage has converged (a Pareto local
//      optimum set) or has made `recheck_after` (150) asks since the last accelerator stage, step 2
//      runs again with a new probe, an archive member whose network was never a probe. Re-check
//      k <= the number of objectives probes the member best in objective k (the ends of the
//      front, whose networks differ most from the knee's) and, when accelerator moves have
//      changed objective k, minimises it alone (Deb's rules: violation first) — so accelerators
//      that trade one objective against another (lower energy, higher latency) join W too; later
//      re-checks probe the member whose network differs from every earlier probe's in the most
//      decisions (farthest-first traversal) and climb as the first stage.
// Every random choice comes from the strategy's RNG (the warm-up and network-stage searches get
// seeds drawn from it), so a replayed history rebuilds the same state. Parallel workers get the
// open neighbourhood or the network stage's asks; they wait at the end of the warm-up and of each
// climb.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/pareto.hpp"
#include "core/rng.hpp"
#include "search/multi_objective/accelerator_moves.hpp"
#include "search/multi_objective/monotone_constraints.hpp"
#include "search/multi_objective/pareto_local_search.hpp"
#include "search/strategy.hpp"

namespace tandem {

class JointSpace;

struct DecomposedCodesignOptions {
  int num_init = 10;         // random joint candidates that start the warm-up
  int warmup = 25;           // warm-up evaluations (>= num_init counts them)
  int families = 1;          // first accelerator stage: climbs from smallest accelerators (0: probe's)
  bool exchange_moves = true;
  int inert_after = 3;       // tries after which a parameter that never mattered is skipped (0: off)
  int rechecks = 4;          // accelerator stages after the first
  int recheck_after = 150;   // network-stage asks that make a re-check due (0: at convergence only)
  std::string climb = "product";  // product | dominance
  bool infer_infeasible = true;   // skip neighbours MonotoneConstraints predicts infeasible
  bool pattern_moves = true;      // after an improving move, try the same step again first    // network-stage asks that make a re-check due (0: at convergence only)
  // Its num_init: random networks besides the transfer. Default swaps: vnd (swap moves once the
  // one-decision moves are exhausted); every other option as pareto_local_search's.
  ParetoLocalSearchOptions network_stage = [] {
    ParetoLocalSearchOptions stage;
    stage.swaps = "vnd";
    return stage;
  }();

  static DecomposedCodesignOptions parse(const ConfigNode& options);
};

class DecomposedCodesign final : public Strategy {
 public:
  DecomposedCodesign(const JointSpace& space, DecomposedCodesignOptions options,
                     std::vector<Objective> objectives, std::uint64_t seed,
                     std::vector<Constraint> constraints = {});
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  std::string state() const override;

  enum class Stage { init, accelerator, network };
  Stage stage() const { return stage_; }
  // The accelerator parts the network stage searches on (empty before the first accelerator
  // stage ends), in the order found.
  const std::vector<Candidate>& working_accelerators() const { return working_; }
  int accelerator_stages() const { return accelerator_stages_; }
  // Every candidate the accelerator stage may move to from `candidate`: one-decision changes of
  // the accelerator part, and (exchange_moves) the exchanges of two ordered numeric parameters.
  // Valid, distinct, in a fixed order.
  std::vector<Candidate> accelerator_neighbours(const Candidate& candidate) const;

 private:
  struct Evaluated {
    Candidate candidate;
    std::optional<ConstrainedPoint> point;
    TrialResult result;
    std::vector<double> usage;  // per constraint, Constraint::usage (NaN: unknown)
  };
  enum class Owner { init, accelerator, network, sample };
  struct Pending {
    Candidate candidate;
    Owner owner = Owner::init;
    Candidate parent;    // accelerator stage: the incumbent it was a neighbour of
    ConstrainedPoint parent_point;
  };
  // A climb's position: the point, and the room it uses per constraint.
  struct ClimbPoint {
    ConstrainedPoint point;
    std::vector<double> usage;
  };

  void advance();
  // target < 0: climb by constrained domination; else minimise objective `target` alone.
  void start_accelerator_stage(const Candidate& probe, const ClimbPoint& point, int target);
  bool improves(const ClimbPoint& a, const ClimbPoint& b) const;
  std::optional<double> log_product(const ConstrainedPoint& point) const;
  std::vector<double> usage_of(const TrialResult& result) const;
  std::optional<ClimbPoint> climb_point_of(const Candidate& candidate) const;
  void open_accelerator_neighbourhood();
  void next_climb();
  void climb_done();
  void add_working_accelerator(const Candidate& accelerator);
  bool on_working_accelerator(const Candidate& candidate) const;
  std::vector<Candidate> archive_networks() const;
  Candidate knee(const std::vector<Candidate>& members);
  std::size_t farthest_from_probes(const std::vector<Candidate>& members);
  std::optional<ConstrainedPoint> point_of(const Candidate& candidate) const;
  bool evaluated(const Candidate& candidate) const;

  const JointSpace& space_;
  DecomposedCodesignOptions options_;
  std::vector<Objective> objectives_;
  std::vector<Constraint> constraints_;
  Rng rng_;
  std::size_t network_decisions_ = 0;
  AcceleratorMoves moves_;
  const std::vector<std::vector<int>>& ordered_;  // moves_.ordered()
  MonotoneConstraints feasibility_;
  int inferred_infeasible_ = 0;

  Stage stage_ = Stage::init;
  int init_asked_ = 0;
  std::vector<Evaluated> history_;    // every told candidate (sorted by candidate)
  std::vector<Candidate> asked_set_;  // every candidate asked (sorted)
  std::vector<Pending> pending_;

  // Accelerator stage.
  Candidate incumbent_;
  ClimbPoint incumbent_point_;
  Candidate previous_incumbent_;  // the incumbent before the last improving move (empty: none)
  void move_incumbent(const Candidate& to, const ClimbPoint& point);
  std::vector<Candidate> queue_;  // neighbours not yet asked (asked from the back)
  int outstanding_ = 0;
  bool awaiting_start_ = false;  // a climb's start is asked, not yet told
  // Per accelerator decision: one-decision moves evaluated, and how many changed the point.
  std::vector<int> moves_tried_, moves_changed_;
  std::vector<bool> varies_;  // per objective: an accelerator move ever changed it
  int target_ = -1;           // the running accelerator stage's objective (-1: dominance)
  bool inert(std::size_t accelerator_decision) const;
  std::vector<Candidate> starts_;  // climbs still to make in this stage (from the back)
  Candidate stage_best_;           // the best climb result of this stage
  ClimbPoint stage_best_point_;
  std::vector<Candidate> working_;  // accelerator parts the network stage searches on
  std::vector<Candidate> probes_;  // network parts used as probes (sorted)
  int accelerator_stages_ = 0;

  // Network stage.
  std::unique_ptr<ParetoLocalSearch> network_search_;
  std::unique_ptr<ParetoLocalSearch> warmup_search_;
  int network_asked_ = 0;  // network-stage asks since the last accelerator stage
  long long asked_ = 0, told_ = 0;
};

void register_decomposed_codesign(StrategyRegistry& registry);

}  // namespace tandem
