// Learning-rate schedules as closed forms (see schedule.hpp).
#include "trainers/schedule.hpp"

#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace tandem {

CosineSchedule::CosineSchedule(double base, std::int64_t total, double eta_min)
    : base_(base), eta_min_(eta_min), total_(total) {
  TANDEM_CHECK(total > 0, "cosine schedule: total steps must be positive");
}

double CosineSchedule::learning_rate(std::int64_t t) const {
  if (t >= total_) return eta_min_;
  if (t < 0) t = 0;
  return eta_min_ + (base_ - eta_min_) *
                        (1.0 + std::cos(std::numbers::pi * static_cast<double>(t) /
                                        static_cast<double>(total_))) /
                        2.0;
}

StepSchedule::StepSchedule(double base, std::int64_t step_size, double gamma)
    : base_(base), gamma_(gamma), step_size_(step_size) {
  TANDEM_CHECK(step_size > 0, "step schedule: step_size must be positive");
}

double StepSchedule::learning_rate(std::int64_t t) const {
  if (t < 0) t = 0;
  return base_ * std::pow(gamma_, static_cast<double>(t / step_size_));
}

LinearWarmup::LinearWarmup(std::shared_ptr<const LrSchedule> after, std::int64_t warmup,
                           double start_factor)
    : after_(std::move(after)), warmup_(warmup), start_factor_(start_factor) {
  TANDEM_CHECK(after_ != nullptr, "warm-up: needs the schedule that follows it");
  TANDEM_CHECK(warmup >= 0, "warm-up: steps must be >= 0");
  TANDEM_CHECK(start_factor >= 0.0 && start_factor <= 1.0, "warm-up: start_factor in [0, 1]");
}

double LinearWarmup::learning_rate(std::int64_t t) const {
  if (t < warmup_) {
    const double f = start_factor_ + (1.0 - start_factor_) * static_cast<double>(std::max<std::int64_t>(t, 0)) /
                                         static_cast<double>(warmup_);
    return after_->learning_rate(0) * f;
  }
  return after_->learning_rate(t - warmup_);
}

}  // namespace tandem
