// One supernet of a few-shot search (GM-NAS WS-GM/nasbench201/train_search.py: a supernet is
// (model, architect, scheduler) with an encoding `enc` of the ops still present on every edge):
// the Supernet with its allowed subsets, the w optimizer (SGD), the α optimizer (Adam), the
// epochs its cosine schedule spans, and the base method's per-supernet state. Children inherit
// weights, α, BN statistics and both optimizers' state (`restart`: fresh ones instead).
// Per-epoch training by the base method:
//   darts     quark0/darts step: α step (first or second order, search/oneshot/darts/darts.hpp
//             unrolled_architecture_gradient) and w step, in DartsOptions::step_order;
//   spos      SPOS / GM-NAS RSWS: one uniform path of the sub-supernet per w step;
//   proxyless ProxylessNAS weight steps and every arch_update_every steps an α step.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "search/oneshot/darts/darts.hpp"
#include "search/oneshot/single_path/proxyless.hpp"
#include "search/oneshot/single_path/spos.hpp"

namespace tandem {

class Optimizer;

struct FewShotBase {
  std::string method = "darts";  // darts | spos | proxyless
  DartsOptions darts;
  SposOptions spos;
  ProxylessOptions proxyless;
  const WeightSharingOptions& common() const;
};

class FewShotSupernet {
 public:
  // A fresh supernet (weights initialised from `seed`) over `description`.
  FewShotSupernet(const SearchSpace& space, const SupernetDescription& description,
                  const FewShotBase& base, std::uint64_t seed, int threads,
                  bool track_running_stats, int schedule_epochs);
  ~FewShotSupernet();
  FewShotSupernet(const FewShotSupernet&) = delete;
  FewShotSupernet& operator=(const FewShotSupernet&) = delete;

  // A child restricted on every edge of `key` to `ops` (candidate indices). Unless `restart`, it
  // inherits this supernet's weights, α, BN statistics and optimizer states. Its cosine schedule
  // spans `schedule_epochs` from `schedule_offset` (GM-NAS fix_sche) or continues this one's.
  std::unique_ptr<FewShotSupernet> child(const std::string& key, const std::vector<int>& ops,
                                         bool restart, std::uint64_t seed,
                                         std::optional<int> schedule_epochs) const;

  struct EpochResult {
    double train_loss = 0.0;
    int arch_steps = 0;
  };
  // One epoch of the base method (`update_architecture` false: w only, α frozen).
  EpochResult train_epoch(BatchStream& train, BatchStream& valid, bool update_architecture,
                          Rng& rng);

  // The base method's derived architecture of this sub-supernet and its score (validation
  // accuracy, fraction): darts — argmax of the masked softmax (DARTS rule on the darts space),
  // scored by the supernet's (weighted-sum) accuracy on `valid`; proxyless — argmax, scored by
  // the derived path's accuracy; spos — the best path of an evolution over the sub-supernet.
  struct Derived {
    std::vector<Candidate> candidates;  // best first
    double score = 0.0;
  };
  Derived derive(const Dataset& valid, const Normalization& normalization, BatchStream& bn,
                 Rng& rng);

  Supernet& supernet() { return *supernet_; }
  // The alpha keys whose edges still allow every op (GM-NAS: enc row all ones).
  std::vector<std::string> unsplit_keys() const;
  std::string describe() const;  // "1<-0:{2,3} 3<-2:{0,1}" (the restrictions)
  // Whether some valid architecture of the space lies inside the allowed op subsets (false e.g.
  // for a DARTS node 2 whose edge from state 0 may only be `none`: the node needs both inputs).
  // Spaces the PathCodec cannot read count as true.
  bool contains_architecture() const;

 private:
  FewShotSupernet(const SearchSpace& space, const FewShotBase& base);
  void make_optimizers();

  const SearchSpace& space_;
  const FewShotBase& base_;
  std::unique_ptr<Supernet> supernet_;
  std::unique_ptr<Optimizer> weights_;
  std::unique_ptr<Optimizer> architecture_;
  std::vector<Tensor> momentum_;  // mirrored SGD momentum (second-order DARTS)
  std::unique_ptr<ProxylessArchitect> proxyless_;
  std::unique_ptr<SposTrainer> spos_;
  int epoch_ = 0;            // epochs trained on this supernet's schedule
  int schedule_epochs_ = 1;  // the cosine schedule's length
};

}  // namespace tandem
