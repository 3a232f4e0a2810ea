// The categorical policy and policy helpers (see policy.hpp).
#include "search/rl/policy.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/error.hpp"

namespace tandem {

int sample_index(const Eigen::VectorXd& probabilities, Rng& rng) {
  const double u = rng.uniform();
  double cumulative = 0.0;
  for (Eigen::Index k = 0; k < probabilities.size(); ++k) {
    cumulative += probabilities[k];
    if (u < cumulative) return static_cast<int>(k);
  }
  return static_cast<int>(probabilities.size() - 1);  // rounding left u above the total
}

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
  Eigen::VectorXd out = (logits.array() - logits.maxCoeff()).exp();
  return out / out.sum();
}

std::string digest(const Eigen::VectorXd& values) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    std::uint64_t bits;
    const double value = values[i];
    std::memcpy(&bits, &value, sizeof bits);
    for (int byte = 0; byte < 8; ++byte) {
      hash ^= (bits >> (8 * byte)) & 0xffU;
      hash *= 1099511628211ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

CategoricalPolicy::CategoricalPolicy(std::vector<int> cardinalities, double init_scale,
                                     Rng& init_rng)
    : cardinalities_(std::move(cardinalities)) {
  Eigen::Index size = 0;
  for (int k : cardinalities_) {
    TANDEM_ASSERT(k >= 1);
    offsets_.push_back(size);
    size += k;
  }
  theta_.resize(size);
  for (Eigen::Index i = 0; i < size; ++i) theta_[i] = init_scale * init_rng.normal();
}

Eigen::VectorXd CategoricalPolicy::probabilities(std::size_t decision) const {
  return softmax(theta_.segment(offsets_[decision], cardinalities_[decision]));
}

std::vector<int> CategoricalPolicy::sample(Rng& rng) const {
  std::vector<int> out;
  for (std::size_t d = 0; d < cardinalities_.size(); ++d)
    out.push_back(sample_index(probabilities(d), rng));
  return out;
}

double CategoricalPolicy::log_prob(const std::vector<int>& actions, double* entropy,
                                   Eigen::VectorXd* gradient, double weight) const {
  TANDEM_ASSERT(actions.size() == cardinalities_.size());
  double total = 0.0, total_entropy = 0.0;
  for (std::size_t d = 0; d < cardinalities_.size(); ++d) {
    const Eigen::VectorXd p = probabilities(d);
    total += std::log(p[actions[d]]);
    total_entropy -= (p.array() * p.array().log()).sum();
    if (gradient) {  // d log softmax(theta)[a] / d theta = onehot(a) - p
      auto block = gradient->segment(offsets_[d], cardinalities_[d]);
      block -= weight * p;
      block[actions[d]] += weight;
    }
  }
  if (entropy) *entropy = total_entropy;
  return total;
}

}  // namespace tandem
