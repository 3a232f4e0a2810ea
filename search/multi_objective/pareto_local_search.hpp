// Pareto local search (PLS) — Paquete, Chiarandini, Stützle, "Pareto local optimum sets in the
// biobjective traveling salesman problem: An experimental study", in Metaheuristics for
// Multiobjective Optimisation, LNEMS 535, Springer 2004 (Algorithm PLS); Paquete & Stützle's PLS as
// the second phase of Dubois-Lacoste, López-Ibáñez, Stützle, "Improving the anytime behavior of
// two-phase local search", Annals of Mathematics and AI 61(2), 2011; anytime components from
// Dubois-Lacoste, López-Ibáñez, Stützle, "Pareto local search algorithms for anytime bi-objective
// optimization", EvoCOP 2012 (and "Anytime Pareto local search", EJOR 243(2), 2015); perturbation
// restarts from Drugan & Thierens, "Stochastic Pareto local search: Pareto neighbourhood
// exploration and perturbation strategies", J. Heuristics 18(5), 2012.
// Procedure (ask/tell form). The archive holds mutually non-dominated evaluated solutions, each
// flagged explored or unexplored.
//   1. Evaluate `num_init` (10) distinct uniformly random candidates; each joins the archive if no
//      member dominates it (and removes the members it dominates).
//   2. Select an unexplored member uniformly at random (PLS) and evaluate its neighbours (every
//      valid candidate one decision away, SearchSpace::neighbours) in a random order, skipping
//      candidates evaluated before. A neighbour is accepted by `acceptance`:
//        non_dominated (default; PLS's rule): no archive member dominates it;
//        dominating: it dominates the member being explored, and no archive member dominates it;
//        both (EvoCOP 2012's "dominating, else non-dominated"): dominating neighbours are accepted
//          as they come; if the neighbourhood held none, its non-dominated ones at its end.
//      An accepted neighbour joins the archive (unexplored), removing the members it dominates.
//      `exploration: first` (default; the first-improvement exploration of EvoCOP 2012 and of
//      Drugan & Thierens 2012, chosen because it has the better anytime behaviour on the
//      benchmark, docs/strategies.md) stops at the first accepted neighbour and leaves the member
//      unexplored; `exploration: best` (PLS) evaluates the whole neighbourhood. A member is marked
//      explored once its whole neighbourhood has been handed out.
//   3. When every member is explored the archive is a Pareto local optimum set (every neighbour of
//      every member is weakly dominated by a member). The budget is then spent on restarts:
//      `restart: perturb` (default; iterated / stochastic PLS) applies `perturbation` (2) random
//      one-decision mutations to a uniformly chosen member; `restart: random` samples uniformly.
//      The restart candidate joins the archive if not dominated, and its neighbourhood is explored
//      as in step 2 either way (PLS restarted from it, sharing the archive).
// Second neighbourhood (`swaps`, default none): the swap moves of SearchSpace::swap_neighbours (two
// decisions with the same choices exchange values: two NB201 edges trade operations, keeping the
// cell's operation counts and so, on a fixed accelerator, its cost). `mixed`: one neighbourhood
// of both kinds in random order; `after`: a member's swaps once its one-decision moves are used
// up; `vnd`: variable neighbourhood descent as Geiger's Pareto iterated local search
// ("Foundations of the Pareto iterated local search metaheuristic", 2008) — swap neighbourhoods
// are opened only when every member is explored for one-decision moves, and the archive has
// converged when both are exhausted. `selection: crowding` explores the unexplored member of
// largest NSGA-II crowding distance first instead of a uniform one.
// Constraints: Deb's constrained domination (core/pareto.hpp) everywhere — a feasible point beats
// an INFEASIBLE one, of two infeasible points the smaller violation wins. INFEASIBLE trials keep
// their metrics; FAILED and PRUNED trials, and results missing an objective, never join.
// Deviations. (a) A candidate is never evaluated twice (evaluations are the expensive step; PLS
// re-evaluates neighbours it met before), so a member left unexplored by `first` resumes its
// neighbourhood where it stopped when selected again — the switch to best improvement after
// convergence of EvoCOP 2012 comes for free — and `both` accepts every held-back non-dominated
// neighbour. (b) Neutral neighbours, with exactly a member's objectives and violation, are not
// specified by PLS (its bTSP rarely has them; co-design spaces have plateaus: SRAM sizes that
// leave latency unchanged): `neutral: replace` (default) lets the neighbour take the member's
// place, a sideways move that walks plateaus without growing the archive; `keep` adds it beside
// the member; `reject` drops it. Works with 2 to 4 objectives (all of StrategyContext::objectives).
// Parallel workers: asks hand out the open neighbourhood, then open the next unexplored member's;
// they wait (return fewer) only when no member is left to explore and results are pending.
#pragma once

#include <optional>
#include <string>

#include "core/pareto.hpp"
#include "core/rng.hpp"
#include "search/strategy.hpp"

namespace tandem {

// Where PLS may move. The decomposed co-design search (decomposed_codesign.hpp) runs PLS on the
// network part of a joint space with the accelerator frozen. Decisions marked `frozen` are never
// changed by a neighbour or a perturbation; a random sample takes them from one of `settings`
// (full candidates; only their frozen decisions are read), chosen uniformly. `initial` candidates
// are evaluated first, before the `num_init` random ones (0 allowed here). Empty: no restriction.
struct ParetoLocalSearchScope {
  std::vector<bool> frozen;
  std::vector<Candidate> settings;
  std::vector<Candidate> initial;
};

struct ParetoLocalSearchOptions {
  int num_init = 10;                         // random initial solutions
  std::string acceptance = "non_dominated";  // non_dominated (PLS) | dominating | both
  std::string exploration = "first";         // first (anytime variant) | best (PLS)
  std::string neutral = "replace";           // replace | keep | reject
  std::string restart = "perturb";           // perturb | random
  int perturbation = 2;                      // mutations of a `perturb` restart
  std::string swaps = "none";                // none | mixed | after | vnd
  std::string selection = "uniform";         // uniform | crowding

  static ParetoLocalSearchOptions parse(const ConfigNode& options);
  // Keys absent from `options` keep the values of `defaults`.
  static ParetoLocalSearchOptions parse(const ConfigNode& options,
                                        ParetoLocalSearchOptions defaults);
};

class ParetoLocalSearch final : public Strategy {
 public:
  ParetoLocalSearch(const SearchSpace& space, ParetoLocalSearchOptions options,
                    std::vector<Objective> objectives, std::uint64_t seed,
                    ParetoLocalSearchScope scope = {});
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  std::string state() const override;
  // Adds a setting of the frozen decisions and candidates to evaluate next (before any other
  // neighbour or restart).
  void extend_scope(const Candidate& setting, std::vector<Candidate> initial);

  struct Member {
    Candidate candidate;
    ConstrainedPoint point;
    bool explored = false;
    bool swapped = false;  // swaps: vnd — its swap neighbourhood has been handed out too
  };
  // Sorted by candidate; mutually non-dominated under constrained domination.
  const std::vector<Member>& archive() const { return archive_; }
  int restarts() const { return restarts_; }
  // Initial samples told, every member explored and nothing pending or open: the archive is a
  // Pareto local optimum set (the next ask restarts).
  bool converged() const;

 private:
  // One neighbourhood being evaluated (several are open at once when results come back late).
  struct Exploration {
    Candidate parent;
    ConstrainedPoint point;
    std::vector<Candidate> queue;   // neighbours not yet asked (asked from the back)
    int outstanding = 0;            // asked, not yet told
    bool stopped = false;           // exploration first: a neighbour was accepted
    bool dominating_found = false;  // acceptance both
    std::vector<Member> held;       // acceptance both: non-dominated neighbours held back
    bool swap_level = false;        // swaps: vnd — the second neighbourhood (swap moves)
  };
  enum class Origin { init, neighbour, restart };
  struct Pending {
    Candidate candidate;
    Origin origin = Origin::init;
    Candidate parent;  // the explored member (neighbours only)
  };

  bool frozen_differs(const Candidate& a, const Candidate& b) const;
  Candidate with_frozen(Candidate candidate, const Candidate& from) const;
  Candidate fresh_sample();
  Candidate restart_candidate();
  Exploration* active();
  bool open_next();
  void open(const Candidate& parent, const ConstrainedPoint& point, bool swap_level = false);
  void mark_done(const Exploration& exploration);
  void close_if_done(std::size_t index);
  bool insert(const Candidate& candidate, const ConstrainedPoint& point);
  void neighbour_told(Exploration& exploration, const Candidate& candidate,
                      const std::optional<ConstrainedPoint>& point);
  bool evaluated(const Candidate& candidate) const;
  void remember(const Candidate& candidate);

  const SearchSpace& space_;
  ParetoLocalSearchOptions options_;
  std::vector<Objective> objectives_;
  ParetoLocalSearchScope scope_;
  std::size_t initial_asked_ = 0;
  Rng rng_;
  std::vector<Member> archive_;
  std::vector<Exploration> explorations_;
  std::vector<Pending> pending_;      // asked, not yet told (ask order)
  std::vector<Candidate> evaluated_;  // every candidate asked or told (sorted)
  int init_asked_ = 0;
  int restarts_ = 0;
  long long asked_ = 0, told_ = 0;
};

// State-text helpers shared with decomposed_codesign: a point as "o1;o2;...v<violation>" and an
// FNV-1a digest of candidates' decisions (for lists too long to print in every stored state).
std::string constrained_point_text(const ConstrainedPoint& point);
std::string candidates_digest(const std::vector<Candidate>& candidates);

// Throws the one-line error of `strategy` (pareto_local_search, decomposed_codesign) unless it
// has 2 to 4 objectives.
void check_objective_count(const std::string& strategy, std::size_t count);

void register_pareto_local_search(StrategyRegistry& registry);

}  // namespace tandem
