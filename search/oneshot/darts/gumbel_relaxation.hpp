// Gumbel-softmax relaxations of the architecture parameters for GDAS and SNAS.
//   * GDAS (Dong & Yang, "Searching for A Robust Neural Architecture in Four GPU Hours", CVPR
//     2019; D-X-Y/AutoDL-Projects xautodl/models/cell_searchs/search_model_gdas*.py):
//     h = one_hot(argmax p) - stopgrad(p) + p with p = softmax((log_softmax(alpha) + g) / tau)
//     — forward one-hot, backward the soft sample's Jacobian (straight-through); tau linear from
//     tau_max to tau_min over the epochs (exps/NAS-Bench-201-algos/GDAS.py).
//   * SNAS (Xie, Zheng, Liu, Lin, "SNAS: Stochastic Neural Architecture Search", ICLR 2019;
//     SNAS-Series/SNAS-Series SNAS/model_search.py::_get_categ_mask): the soft concrete sample
//     Z = softmax((log_alpha + g) / lambda) weights every op; lambda annealed linearly
//     (SNAS/utils.py::Temp_Scheduler).
// softmax((log_softmax(a) + g) / tau) == softmax((a + g) / tau) as functions of a, so both use the
// trainer's gumbel_softmax op on alpha directly. One sample per alpha key per forward, shared by
// every edge with that key (AutoDL and SNAS draw one [edges x ops] sample per forward for all
// cells). The noise of a key depends only on (seed, sample index, key): between next_sample()
// calls repeated forwards see the same noise (what finite-difference tests need).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trainers/autograd.hpp"
#include "trainers/supernet.hpp"

namespace tandem {

class GumbelRelaxation {
 public:
  GumbelRelaxation(bool hard, std::uint64_t seed) : hard_(hard), seed_(seed) {}

  void set_temperature(double tau);
  double temperature() const { return tau_; }
  bool hard() const { return hard_; }
  // Draws fresh noise for the next forward.
  void next_sample() { ++sample_; }
  std::uint64_t sample_index() const { return sample_; }

  // The mixing weights of one alpha key (the supernet's edge-weight function). Restricted
  // candidate subsets are not supported (ConfigError naming the key).
  Variable weights(const std::string& alpha_key, const Variable& alpha,
                   const std::vector<int>& allowed = {}) const;
  // The noise seed the op uses for `alpha_key` in the current sample.
  std::uint64_t noise_seed(const std::string& alpha_key) const;

 private:
  bool hard_;
  std::uint64_t seed_;
  std::uint64_t sample_ = 0;
  double tau_ = 1.0;
};

// A Supernet edge-weight function drawing a fresh sample of every alpha key at each forward:
// the second request for a key within one sample starts the next sample (each forward asks every
// key once). `relaxation` must outlive the supernet's use of the function.
Supernet::EdgeWeightFunction resampling_weight_function(GumbelRelaxation& relaxation);

// The Gumbel noise g_k = -log(-log u_k) the gumbel_softmax op draws from `seed` for k entries.
std::vector<double> gumbel_noise(std::uint64_t seed, std::size_t k);

// GDAS (AutoDL GDAS.py): tau_max - (tau_max - tau_min) * epoch / (epochs - 1), epoch 0-based
// (tau_max when epochs == 1).
double gdas_temperature(int epoch, int epochs, double tau_max, double tau_min);
// SNAS (SNAS/utils.py Temp_Scheduler, stepped once before each epoch): during the 0-based epoch
// e, max(tau_min, tau0 - (tau0 - tau_min) (e + 1) / anneal_epochs). The official code hard-codes
// anneal_epochs = 150 (its default search length).
double snas_temperature(int epoch, int anneal_epochs, double tau0, double tau_min);

}  // namespace tandem
