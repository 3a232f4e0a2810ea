// Self-distillation from voting teachers for SD-DARTS (Zhu, Li, Liu, Wang, "Improving
// Differentiable Architecture Search via Self-Distillation", arXiv 2302.05629). No official code
// is available; this follows the reconstruction in algorithms.md §6 (UNVERIFIED — every constant
// is an option): the supernets of previous epochs are kept as snapshots; their softened output
// probabilities on the current batch are averaged ("voted") into one teacher distribution
//   p_T = (1/K) sum_i softmax(z_i / tau),
// and the weight loss becomes CE(z, y) + lambda tau^2 KL(p_T || softmax(z / tau)) (batch mean).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "trainers/autograd.hpp"
#include "trainers/parameters.hpp"

namespace tandem {

// The last `capacity` copies of a model's parameter values and buffers (BN running statistics).
class SnapshotStore {
 public:
  explicit SnapshotStore(std::size_t capacity) : capacity_(capacity) {}

  // Copies the set's weights (and architecture parameters when `include_architecture`) and
  // buffers; drops the oldest snapshot beyond the capacity.
  void push(ParameterSet& set, bool include_architecture);
  std::size_t size() const { return snapshots_.size(); }
  std::size_t capacity() const { return capacity_; }
  void clear() { snapshots_.clear(); }

  // Runs `body` with snapshot `index` (0 = oldest) loaded into `set`, then restores the set's
  // own values (also when `body` throws).
  void with_snapshot(std::size_t index, ParameterSet& set, const std::function<void()>& body) const;

 private:
  struct Snapshot {
    std::vector<std::pair<std::string, Tensor>> parameters;
    std::vector<std::pair<std::string, Tensor>> buffers;
  };
  std::size_t capacity_;
  std::deque<Snapshot> snapshots_;
};

// Row-wise p_T = mean_i softmax(z_i / tau) of K teacher logit tensors [N, C] (all one shape).
Tensor vote_teacher(const std::vector<Tensor>& teacher_logits, double tau);

// tau * log(p): logits whose softmax at temperature tau is p (each row of p sums to 1), so the
// trainer's kl_divergence op (which softens teacher logits) can take a probability teacher.
Tensor logits_for_probabilities(const Tensor& probabilities, double tau);

// tau^2 KL(p_T || softmax(z / tau)), mean over the batch, recorded on the student's tape (the
// teacher is a constant).
Variable distillation_loss(const Variable& student_logits, const Tensor& teacher_probabilities,
                           double tau);

}  // namespace tandem
