// SPOS: Single Path One-Shot NAS (Guo et al., ECCV 2020; code megvii-model/SinglePathOneShot,
// src/Supernet/train.py and src/Search/search.py, tester.py): train the supernet one uniformly
// sampled path per step, then an evolutionary search over the trained supernet scores each path
// with its inherited weights after BN recalibration.
//
//   * Supernet training: per step one path uniformly over the space's valid architectures that
//     the supernet's allowed ops admit (search/oneshot/single_path/path_codec.hpp: one op per alpha key on nb201 /
//     mobilenet; on darts two (op, input) genes per node, every other edge `none`),
//     label-smoothed cross-entropy on a batch of the w split, SGD; learning rate decayed linearly
//     per iteration to 0 (train.py LambdaLR) or cosine per epoch.
//     Optional complexity-aware sampling (ShiftNAS, Zhang et al. ICCV 2023 — the idea only,
//     UNVERIFIED details): the range of the path's complexity (MACs, parameters or a cost model's
//     cost of the single-path supernet, PathComplexity) is cut into `bins` equal intervals, a bin
//     is drawn uniformly and a path inside it by rejection from uniform paths (ShiftNAS learns the
//     bin probabilities and an LSTM generator instead; neither is reproduced).
//   * Evolution (search.py): population 50 random legal paths; each generation keeps the
//     `select_num` (10) best of everything seen, makes `mutation_num` (25) children by
//     re-drawing each decision with probability `mutation_prob` (0.1) and `crossover_num` (25) by
//     taking each decision from one of two top parents, then fills the population with random
//     paths; 20 generations. A path is legal when unseen (as a path: the two orders of a DARTS
//     node's genes are one path), valid in the space, admitted by the supernet's allowed ops and
//     within the optional limits (max_macs / max_params / hardware target, as SPOS' flops_limit).
//   * Scoring (tester.py get_cand_err): running statistics reset (mean 0, var 1), `bn_batches`
//     (200) training-mode forwards on w-split batches (EMA momentum as PyTorch; `bn_cumulative`
//     for the exact average), then top-1 accuracy on the α split (the first `eval_samples`).
// The `top` best paths are handed out (default 1).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "search/oneshot/single_path/path_codec.hpp"
#include "search/oneshot/single_path/single_path_options.hpp"
#include "search/oneshot/weight_sharing.hpp"

namespace tandem {

class Optimizer;  // trainers/optimizer.hpp (see search/oneshot/darts/darts.hpp)

// The complexity of single paths through the supernet, additive over its parts: the skeleton's
// plus each edge's active op's (`macs`, `params` of the ops' graphs, or a cost model's cost of
// them for `hardware`). Exact by construction, for every space the PathCodec reads.
struct PathComplexity {
  double base = 0.0;                      // the skeleton (stem, preprocessing, head)
  std::vector<std::vector<double>> cost;  // [edge][candidate op]
  double of(const std::vector<int>& path) const;
};
PathComplexity path_complexity(const SupernetDescription& description, const std::string& measure,
                               const CostConstraintOptions* hardware);

struct SposOptions {
  WeightSharingOptions common;
  double label_smoothing = 0.1;         // train.py CrossEntropyLabelSmooth(0.1)
  std::string lr_schedule = "linear";   // linear (per iteration, train.py) | cosine (per epoch)
  std::string sampler = "uniform";      // uniform | complexity (ShiftNAS-style)
  std::string complexity = "macs";      // macs | params | hardware (sampler bins)
  int bins = 5;
  // evolution (search.py defaults)
  int population = 50;
  int generations = 20;
  int select_num = 10;
  int mutation_num = 25;
  int crossover_num = 25;
  double mutation_prob = 0.1;
  int bn_batches = 200;       // max_train_iters
  bool bn_cumulative = false;
  int eval_samples = 0;       // 0 = the whole α split
  int top = 1;                // paths handed out
  double max_macs = 0.0;      // 0 = no limit
  double max_params = 0.0;
  std::optional<CostConstraintOptions> hardware;  // limit = hardware.target
};

SposOptions spos_defaults(const SearchSpace& space);
const std::vector<std::string>& spos_option_keys();
SposOptions read_spos_options(const ConfigNode& node, SposOptions defaults,
                              const std::string& config_dir);

// The SPOS pieces for one supernet (the spos strategy and few-shot sub-supernets).
class SposTrainer {
 public:
  SposTrainer(const SearchSpace& space, const SupernetDescription& description,
              SposOptions options);
  // One uniform (or complexity-binned) path per key, label-smoothed CE, clip, optimizer step.
  double weight_step(Supernet& supernet, Optimizer& weights, const BatchStream::Batch& batch,
                     Rng& rng, double grad_clip) const;
  // A path for training: uniform over the admitted paths, or complexity-binned.
  Candidate sample_training_path(Supernet& supernet, Rng& rng) const;
  // BN recalibration on `bn` then top-1 accuracy (fraction) on `evaluation` with `candidate`.
  double score(Supernet& supernet, const Candidate& candidate, BatchStream& bn,
               const Dataset& evaluation, const Normalization& normalization) const;
  bool within_limits(const Candidate& candidate) const;

  struct Scored {
    Candidate candidate;
    double accuracy = 0.0;
  };
  struct Generation {
    double best = 0.0;
    double mean = 0.0;  // of the generation's newly scored paths
    int scored = 0;
  };
  // The evolutionary search; returns every scored path, best first; per-generation summaries in
  // `generations` when given.
  std::vector<Scored> evolve(Supernet& supernet, BatchStream& bn, const Dataset& evaluation,
                             const Normalization& normalization, Rng& rng,
                             std::vector<Generation>* generations = nullptr) const;
  const PathCodec& codec() const { return codec_; }
  // The complexity of `candidate`'s path (the measure of `sampler: complexity`; macs when the
  // sampler is uniform).
  double complexity(const Candidate& candidate) const;

 private:
  // The admitted paths of the supernet's current allowed subsets and their complexity range,
  // recomputed when the subsets change.
  struct Admitted {
    std::vector<std::vector<int>> allowed;
    PathChoices choices;
    double low = 0.0, high = 0.0;
  };
  const Admitted& admitted(const Supernet& supernet) const;

  const SearchSpace& space_;
  SposOptions options_;
  PathCodec codec_;
  PathComplexity complexity_;
  mutable std::optional<Admitted> admitted_;
};

class Spos final : public WeightSharingStrategy {
 public:
  Spos(const StrategyContext& context, SposOptions options);

 protected:
  std::vector<Candidate> run_search() override;

 private:
  SposOptions spos_;
};

void register_spos(StrategyRegistry& registry);

}  // namespace tandem
