// Gumbel-softmax relaxations for GDAS (hard, straight-through) and SNAS (soft); see the header.
#include "search/oneshot/darts/gumbel_relaxation.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace tandem {

namespace {
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}
}  // namespace

void GumbelRelaxation::set_temperature(double tau) {
  if (!(tau > 0.0))
    throw ConfigError("Gumbel-softmax temperature must be positive, got " + std::to_string(tau));
  tau_ = tau;
}

std::uint64_t GumbelRelaxation::noise_seed(const std::string& alpha_key) const {
  Rng rng = Rng(seed_).derive(sample_ * 0x9E3779B97F4A7C15ull ^ fnv1a(alpha_key));
  return rng.next_u64();
}

Variable GumbelRelaxation::weights(const std::string& alpha_key, const Variable& alpha,
                                   const std::vector<int>& allowed) const {
  if (!allowed.empty() && static_cast<std::int64_t>(allowed.size()) != alpha.value().numel())
    throw ConfigError("Gumbel-softmax (GDAS/SNAS) relaxation: alpha key '" + alpha_key +
                      "' has a restricted candidate subset, which these methods do not support");
  return gumbel_softmax(alpha, tau_, hard_, noise_seed(alpha_key));
}

std::vector<double> gumbel_noise(std::uint64_t seed, std::size_t k) {
  // the same draws as the trainer's gumbel_softmax op (trainers/ops_softmax.cpp)
  Rng rng(seed);
  std::vector<double> g(k);
  for (double& v : g) v = -std::log(-std::log(std::max(rng.uniform(), 1e-20)));
  return g;
}

double gdas_temperature(int epoch, int epochs, double tau_max, double tau_min) {
  if (epochs <= 1) return tau_max;
  return tau_max -
         (tau_max - tau_min) * static_cast<double>(epoch) / static_cast<double>(epochs - 1);
}

double snas_temperature(int epoch, int anneal_epochs, double tau0, double tau_min) {
  const double t = static_cast<double>(epoch + 1) / static_cast<double>(std::max(anneal_epochs, 1));
  return std::max(tau_min, (1.0 - t) * (tau0 - tau_min) + tau_min);
}

Supernet::EdgeWeightFunction resampling_weight_function(GumbelRelaxation& relaxation) {
  auto seen = std::make_shared<std::set<std::string>>();
  return [&relaxation, seen](const std::string& key, const Variable& alpha,
                             const std::vector<int>& allowed) {
    if (!seen->insert(key).second) {  // a key asked twice: a new forward, a new sample
      relaxation.next_sample();
      seen->clear();
      seen->insert(key);
    }
    return relaxation.weights(key, alpha, allowed);
  };
}

}  // namespace tandem
