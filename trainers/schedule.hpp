// Learning-rate schedules as closed forms of the step (or epoch) index t, matching PyTorch's
// lr_scheduler closed forms: CosineAnnealingLR, StepLR, and a linear warm-up (LinearLR's
// start_factor ramp) in front of any schedule.
#pragma once

#include <cstdint>
#include <memory>

namespace tandem {

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  virtual double learning_rate(std::int64_t t) const = 0;
};

// eta_min + (base - eta_min) (1 + cos(pi t / total)) / 2 for t <= total; eta_min after.
class CosineSchedule : public LrSchedule {
 public:
  CosineSchedule(double base, std::int64_t total, double eta_min = 0.0);
  double learning_rate(std::int64_t t) const override;

 private:
  double base_, eta_min_;
  std::int64_t total_;
};

// base * gamma^floor(t / step_size).
class StepSchedule : public LrSchedule {
 public:
  StepSchedule(double base, std::int64_t step_size, double gamma = 0.1);
  double learning_rate(std::int64_t t) const override;

 private:
  double base_, gamma_;
  std::int64_t step_size_;
};

class ConstantSchedule : public LrSchedule {
 public:
  explicit ConstantSchedule(double base) : base_(base) {}
  double learning_rate(std::int64_t) const override { return base_; }

 private:
  double base_;
};

// For t < warmup: after(0) * (start_factor + (1 - start_factor) t / warmup);
// afterwards after(t - warmup).
class LinearWarmup : public LrSchedule {
 public:
  LinearWarmup(std::shared_ptr<const LrSchedule> after, std::int64_t warmup,
               double start_factor = 0.0);
  double learning_rate(std::int64_t t) const override;

 private:
  std::shared_ptr<const LrSchedule> after_;
  std::int64_t warmup_;
  double start_factor_;
};

}  // namespace tandem
