// SD-DARTS: DARTS with self-distillation from voting teachers (Zhu, Li, Liu, Wang, "Improving
// Differentiable Architecture Search via Self-Distillation", arXiv 2302.05629). No code is
// available; this follows the reconstruction in algorithms.md §6 (UNVERIFIED: every constant is
// an option, defaults documented in docs/config.md).
//
//   * Snapshots: after every `snapshot_interval` epochs the supernet (its weights, BN statistics
//     and, with distill_architecture, its α) is stored; the last `teachers` snapshots are kept.
//   * Voting teacher: on every w batch each snapshot runs the batch (a separate teacher network
//     loaded with the snapshot, training-mode BN as the student) and
//     p_T = (1/K) sum_i softmax(z_i / tau) (search/oneshot/darts/self_distillation.hpp).
//   * Weight loss: CE(z, y) + distill_weight * tau^2 * KL(p_T || softmax(z / tau)); α is updated
//     as DARTS (first or second order; the second order's train loss includes the term) with the
//     DARTS derivation. Until the first snapshot exists the loss is plain CE.
#pragma once

#include <memory>

#include "search/oneshot/darts/darts.hpp"
#include "search/oneshot/darts/self_distillation.hpp"

namespace tandem {

struct SdDartsOptions {
  DartsOptions darts;
  int teachers = 2;                  // K snapshots voting
  double distill_temperature = 2.0;  // tau
  double distill_weight = 1.0;       // lambda
  int snapshot_interval = 1;         // epochs between snapshots
  bool distill_architecture = true;  // teachers use their own α (false: the current α)
};

SdDartsOptions sd_darts_defaults(const SearchSpace& space);
SdDartsOptions read_sd_darts_options(const ConfigNode& node, SdDartsOptions defaults);

// The voted teacher distribution on `images`: each snapshot of `store` loaded into `teacher` (a
// supernet of the same description), its logits at temperature tau averaged. With
// use_snapshot_architecture false, `student`'s α is copied into the teacher first.
Tensor voting_teacher_probabilities(const SnapshotStore& store, Supernet& teacher,
                                    Supernet& student, const Tensor& images, double tau,
                                    bool use_snapshot_architecture);

class SdDarts final : public DifferentiableSearch {
 public:
  SdDarts(const StrategyContext& context, SdDartsOptions options);
  ~SdDarts() override;

 protected:
  void begin_epoch(int epoch, Supernet& supernet) override;
  Variable weight_loss(Supernet& supernet, const Batch& batch, const Variable& logits) override;
  void end_epoch(int epoch, Supernet& supernet, Metrics& values) override;

 private:
  SdDartsOptions sd_;
  SnapshotStore store_;
  std::unique_ptr<Supernet> teacher_;
  double distill_sum_ = 0.0;
  int distill_steps_ = 0;
};

void register_sd_darts(StrategyRegistry& registry);

}  // namespace tandem
