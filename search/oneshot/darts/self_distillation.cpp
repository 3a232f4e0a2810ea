// Voting-teacher self-distillation pieces for SD-DARTS (algorithms.md §6); see the header.
#include "search/oneshot/darts/self_distillation.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace tandem {

void SnapshotStore::push(ParameterSet& set, bool include_architecture) {
  if (capacity_ == 0) return;
  Snapshot s;
  for (Parameter* p : set.all())
    if (include_architecture || p->role == ParameterRole::weight)
      s.parameters.emplace_back(p->name, p->value.clone());
  for (Buffer* b : set.buffers()) s.buffers.emplace_back(b->name, b->value.clone());
  snapshots_.push_back(std::move(s));
  while (snapshots_.size() > capacity_) snapshots_.pop_front();
}

void SnapshotStore::with_snapshot(std::size_t index, ParameterSet& set,
                                  const std::function<void()>& body) const {
  TANDEM_CHECK(index < snapshots_.size(), "SnapshotStore: no snapshot " + std::to_string(index));
  const Snapshot& s = snapshots_[index];
  std::vector<std::pair<Tensor*, Tensor>> saved;  // (live tensor, its own values)
  auto load = [&](Tensor& live, const Tensor& stored) {
    saved.emplace_back(&live, live.clone());
    live.copy_from(stored);
  };
  for (const auto& [name, value] : s.parameters) {
    Parameter* p = set.find(name);
    TANDEM_CHECK(p != nullptr, "SnapshotStore: parameter '" + name + "' vanished");
    load(p->value, value);
  }
  for (const auto& [name, value] : s.buffers) {
    Buffer* b = set.find_buffer(name);
    TANDEM_CHECK(b != nullptr, "SnapshotStore: buffer '" + name + "' vanished");
    load(b->value, value);
  }
  auto restore = [&] {
    for (auto& [live, own] : saved) live->copy_from(own);
  };
  try {
    body();
  } catch (...) {
    restore();
    throw;
  }
  restore();
}

Tensor vote_teacher(const std::vector<Tensor>& teacher_logits, double tau) {
  TANDEM_CHECK(!teacher_logits.empty(), "vote_teacher: no teachers");
  TANDEM_CHECK(tau > 0.0, "vote_teacher: temperature must be positive");
  const Tensor& first = teacher_logits.front();
  TANDEM_CHECK(first.dim() == 2, "vote_teacher: logits must be [N, C]");
  const std::int64_t n = first.size(0), c = first.size(1);
  std::vector<double> sum(static_cast<std::size_t>(n * c), 0.0), row(static_cast<std::size_t>(c));
  for (const Tensor& z : teacher_logits) {
    TANDEM_CHECK(z.shape() == first.shape(), "vote_teacher: teachers disagree on the shape");
    for (std::int64_t r = 0; r < n; ++r) {
      const float* zr = z.data() + r * c;
      const double top = *std::max_element(zr, zr + c) / tau;
      double total = 0.0;
      for (std::int64_t j = 0; j < c; ++j)
        total += row[static_cast<std::size_t>(j)] = std::exp(zr[j] / tau - top);
      for (std::int64_t j = 0; j < c; ++j)
        sum[static_cast<std::size_t>(r * c + j)] += row[static_cast<std::size_t>(j)] / total;
    }
  }
  Tensor p = Tensor::empty(first.shape());
  const double k = static_cast<double>(teacher_logits.size());
  for (std::size_t i = 0; i < sum.size(); ++i) p.data()[i] = static_cast<float>(sum[i] / k);
  return p;
}

Tensor logits_for_probabilities(const Tensor& probabilities, double tau) {
  Tensor z = Tensor::empty(probabilities.shape());
  for (std::int64_t i = 0; i < z.numel(); ++i)
    z.data()[i] =
        static_cast<float>(tau * std::log(std::max<double>(probabilities.data()[i], 1e-30)));
  return z;
}

Variable distillation_loss(const Variable& student_logits, const Tensor& teacher_probabilities,
                           double tau) {
  TANDEM_CHECK(student_logits.shape() == teacher_probabilities.shape(),
               "distillation_loss: student " + shape_to_string(student_logits.shape()) +
                   " and teacher " + shape_to_string(teacher_probabilities.shape()) + " differ");
  Tensor teacher = logits_for_probabilities(teacher_probabilities, tau);
  Tape* tape = student_logits.tape();
  const Variable t = tape ? tape->constant(std::move(teacher)) : Variable(std::move(teacher));
  return kl_divergence(student_logits, t, tau);
}

}  // namespace tandem
