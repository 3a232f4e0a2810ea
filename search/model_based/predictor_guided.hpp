// PredictorGuidedSearch: the bookkeeping shared by the strategies that fit a learned performance
// predictor on the evaluated candidates and use it to choose the next ones (bananas,
// predictor_evolution). It runs the loop of naszilla's bananas() (naszilla/nas_algorithms.py) in
// ask/tell form:
//   1. ask hands out `num_init` distinct uniformly random candidates;
//   2. once every asked candidate has been told, a round starts: the predictor is refitted from
//      scratch on (encoding, oriented fitness) of every evaluated candidate with a fitness, and the
//      subclass proposes `queries_per_round` new, never-seen candidates (BANANAS k); ask hands them
//      out in order. A round waits for all results of the previous one (BANANAS is a batch
//      algorithm), so ask() may return fewer candidates than asked for, possibly none.
//   Rounds with fewer fitted points than the predictor needs (every trial failed) propose random
//   unseen candidates; rounds short of candidates are topped up with random unseen ones.
// Determinism: every random choice (samples, predictor seeds, acquisition draws) comes from the
// strategy's one Rng, so the same seed and tell sequence give the same asks (`--resume`).
// state() is the full state as text: counters, RNG, queued and pending candidates, and the whole
// history (candidate and fitness) the predictor is trained on.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <set>

#include "core/rng.hpp"
#include "predictors/encodings.hpp"
#include "predictors/predictor.hpp"
#include "search/strategy.hpp"

namespace tandem {

struct PredictorGuidedOptions {
  int num_init = 10;              // naszilla DEFAULT_NUM_INIT
  int queries_per_round = 10;     // naszilla DEFAULT_K
  std::string encoding = "auto";  // auto: path where the space has one, else one_hot
  std::string predictor = "mlp_ensemble";
  ConfigNode predictor_options;  // passed to the predictor's factory

  // The option keys read by parse() (each strategy adds its own to check_keys).
  static const std::vector<std::string>& keys();
  // Reads and validates the shared keys (the predictor name and its options included: a
  // predictor is built once here so a bad predictor option fails before the run starts).
  static PredictorGuidedOptions parse(const ConfigNode& options);
};

class PredictorGuidedSearch : public Strategy {
 public:
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  bool finished() const override;
  std::string state() const override;

  struct Record {
    Candidate candidate;
    std::optional<double> fitness;  // oriented: larger is better; none for failed trials
  };
  const std::vector<Record>& history() const { return history_; }
  int rounds() const { return rounds_; }
  // Candidates whose fitness is known, best first (ties: the earlier told first).
  std::vector<const Record*> best_first() const;

 protected:
  PredictorGuidedSearch(std::string name, const SearchSpace& space, PredictorGuidedOptions options,
                        Objective objective, std::uint64_t seed);

  // The subclass's round: up to `count` new candidates (never seen; may be fewer).
  virtual std::vector<Candidate> propose(std::size_t count) = 0;
  // Appended to state() by the subclass (its own counters), "" when none.
  virtual std::string extra_state() const { return ""; }

  // A freshly fitted predictor on the history (seeded from the RNG), or null when fewer points
  // with a fitness exist than the predictor needs.
  std::unique_ptr<Predictor> fit_predictor();
  Eigen::MatrixXd encode(const std::vector<Candidate>& candidates) const;
  // True when `candidate` was asked, told, or queued already.
  bool seen(const Candidate& candidate) const { return seen_.count(candidate) > 0; }
  // A uniformly random candidate never seen and not in `excluded`; none when many draws fail.
  std::optional<Candidate> random_unseen(const std::set<Candidate>& excluded = {});

  const SearchSpace& space_;
  PredictorGuidedOptions options_;
  Objective objective_;
  Rng rng_;
  ArchitectureEncoder encoder_;

 private:
  std::string name_;
  std::vector<Record> history_;
  std::set<Candidate> seen_;
  std::deque<Candidate> queue_;     // proposed this round, not yet asked
  std::vector<Candidate> pending_;  // asked, not yet told
  int initial_asked_ = 0;
  int rounds_ = 0;
  bool exhausted_ = false;  // a round found no unseen candidate
};

}  // namespace tandem
