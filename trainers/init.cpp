// PyTorch default initialisation (see init.hpp).
#include "trainers/init.hpp"

#include <cmath>

#include "core/error.hpp"

namespace tandem {

double default_weight_bound(std::int64_t fan_in) {
  TANDEM_CHECK(fan_in > 0, "initialisation: fan-in must be positive");
  // kaiming_uniform_(a = sqrt(5)): gain = sqrt(2 / (1 + 5)); bound = gain * sqrt(3 / fan_in).
  const double gain = std::sqrt(2.0 / (1.0 + 5.0));
  return gain * std::sqrt(3.0 / static_cast<double>(fan_in));
}

void fill_uniform(Tensor& tensor, double bound, Rng& rng) {
  float* p = tensor.data();
  for (std::int64_t i = 0; i < tensor.numel(); ++i)
    p[i] = static_cast<float>((2.0 * rng.uniform() - 1.0) * bound);
}

void fill_normal(Tensor& tensor, double mean, double stddev, Rng& rng) {
  float* p = tensor.data();
  for (std::int64_t i = 0; i < tensor.numel(); ++i)
    p[i] = static_cast<float>(rng.normal(mean, stddev));
}

}  // namespace tandem
