// NSGA-II — Deb, Pratap, Agarwal, Meyarivan, "A fast and elitist multiobjective genetic algorithm:
// NSGA-II", IEEE TEVC 2002 — on a space's categorical decisions, with the operators of NSGA-Net
// (Lu et al., GECCO 2019; ianwhale/nsga-net search/evolution_search.py and its pymoo-based
// nsganet.py engine, algorithms.md §10):
//   generation 0: `population_size` uniformly random candidates (duplicates re-drawn);
//   each generation: `offspring_size` children, each pair of parents picked by binary tournament
//   (constrained domination first, then the larger crowding distance, ties at random), two-point
//   crossover with probability `crossover_rate` (else copies), then each decision resampled to a
//   different value with probability `mutation_rate` (default 1 / number of decisions, pymoo's
//   default); children equal to any evaluated or pending candidate are re-drawn (NSGA-Net's
//   duplicate elimination, up to 100 tries);
//   survival (mu + lambda): merge parents and children, fill the next population front by front
//   (fast non-dominated sort under Deb's constrained domination), truncating the overflowing front
//   by descending crowding distance (ties broken at random).
// INFEASIBLE trials rank below every feasible one, ordered by their constraint violation parsed
// from the stored reason (pareto.hpp); FAILED and PRUNED trials never join the population.
// Deviation: NSGA-Net mutates its integer genome with polynomial mutation (eta = 3); categorical
// decisions have no order, so tandem resamples (`mutation: polynomial` is not offered).
// Works with 2 to 4 objectives (all of StrategyContext::objectives).
// Seeding hook: a caller may replace the uniform generation 0 by its own candidates
// (Nsga2::InitialPopulation; nsga2_prescreen.hpp seeds it from a zero-cost pre-screen). Without
// one, nsga2 draws exactly what it always drew.
#pragma once

#include <functional>

#include "core/rng.hpp"
#include "core/pareto.hpp"
#include "search/strategy.hpp"

namespace tandem {

struct Nsga2Options {
  int population_size = 40;     // NSGA-Net: pop_size 40
  int offspring_size = 0;       // 0 = population_size (NSGA-Net: n_offspring 40)
  double crossover_rate = 0.9;  // pymoo PointCrossover default probability
  double mutation_rate = -1.0;  // per decision; < 0 = 1 / number of decisions
  long long generations = 0;    // 0 = until the budget ends

  // `extra_keys`: further keys the caller reads from the same mapping (nsga2_prescreen's own).
  static Nsga2Options parse(const ConfigNode& options,
                            const std::vector<std::string>& extra_keys = {});
};

class Nsga2 final : public Strategy {
 public:
  // The candidates of generation 0, in ask order, drawn with the strategy's RNG. Called once,
  // from the constructor; repeats and candidates beyond population_size are dropped and a
  // shortfall is filled with uniform random candidates. A later initial population (every member
  // of the first one failed) is uniform again.
  using InitialPopulation = std::function<std::vector<Candidate>(Rng&)>;

  Nsga2(const SearchSpace& space, Nsga2Options options, std::vector<Objective> objectives,
        std::uint64_t seed, InitialPopulation initial = {});
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  bool finished() const override;
  std::string state() const override;

  struct Member {
    Candidate candidate;
    ConstrainedPoint point;
    int rank = 0;
    double crowding = 0.0;
  };
  const std::vector<Member>& population() const { return population_; }
  long long generation() const { return generation_; }

 private:
  void start_generation();
  void survive();
  Candidate fresh(const std::function<Candidate()>& make);
  const Member& tournament();
  std::pair<Candidate, Candidate> crossover(const Candidate& a, const Candidate& b);
  Candidate mutate(Candidate child);

  const SearchSpace& space_;
  Nsga2Options options_;
  std::vector<Objective> objectives_;
  Rng rng_;
  InitialPopulation initial_;       // empty once used (or never given)
  std::vector<Member> population_;
  std::vector<Member> offspring_;   // told members of the current generation
  std::vector<Candidate> to_ask_;   // this generation's candidates not yet asked (front first)
  std::vector<Candidate> pending_;  // asked, not yet told
  std::vector<Candidate> seen_;     // every candidate ever generated (sorted), for duplicates
  long long generation_ = 0;        // 0 while the initial population is evaluated
};

void register_nsga2(StrategyRegistry& registry);

}  // namespace tandem
