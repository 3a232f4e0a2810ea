// sharpDARTS Cosine Power Annealing (CPA) learning-rate schedule (Hundt, Jain, Hager, "sharpDARTS:
// Faster and More Accurate Differentiable Architecture Search", arXiv 1903.09900), following
// ahundt/sharpDARTS cnn/cosine_power_annealing.py::cosine_power_annealing (the version with
// `start_epoch`; algorithms.md §5.1). For epochs e = 1..E (1-based):
//   c(e) = (1 + cos(pi e / E)) / 2;   q(e) = c(e) if p == 1, else p^(c(e) + 1);
//   q <- (q - min_e q) / max_e (q - min_e q)   (min/max over the whole epoch array);
//   lr(e) = q(e) (max_lr - min_lr) + min_lr.
// Warm-up W > 0: e <- e - W and E <- E - W before c(e); after the normalisation the epochs
// e <= W + 1 get the linear ramp q = e / (W + 1) (as the official code, including its jump after
// the ramp). sharpDARTS applies lr(epoch + 1) during the 0-based `epoch`; learning_rate(t) below
// takes that 0-based epoch index t (t >= E repeats the last value).
// Deviation: with a single epoch and no warm-up the official normalisation divides 0 by 0 (NaN);
// here q = 1 (lr = max_lr).
#pragma once

#include <cstdint>
#include <vector>

#include "trainers/schedule.hpp"

namespace tandem {

struct CosinePowerAnnealingOptions {
  double max_lr = 0.025;  // sharpDARTS train_search.py --learning_rate
  double min_lr = 1e-4;   // --learning_rate_min
  double power = 2.0;     // --lr_power_annealing_exponent_order (>= 1; 1 = plain cosine)
  int epochs = 50;        // E
  int warmup_epochs = 0;  // W (sharpDARTS search script: 5); 0 <= W < E
};

// lr(e) for e = 1..E (index e - 1). Throws ConfigError for power < 1, epochs < 1 or W outside
// [0, E).
std::vector<double> cosine_power_annealing(const CosinePowerAnnealingOptions& options);

class CosinePowerAnnealing : public LrSchedule {
 public:
  explicit CosinePowerAnnealing(const CosinePowerAnnealingOptions& options);
  // t = 0-based epoch index.
  double learning_rate(std::int64_t t) const override;
  const std::vector<double>& values() const { return values_; }

 private:
  std::vector<double> values_;
};

}  // namespace tandem
