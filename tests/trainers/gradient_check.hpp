// Finite-difference check of a model's parameter gradients: the engine's backward (float) against
// central differences (h = 1e-5) of a double-precision reference loss, on a sample of elements of
// every parameter; relative error max|a - n| / max|n| <= 1e-3 per parameter tensor.
#pragma once

#include <doctest/doctest.h>

#include <functional>

#include "tests/trainers/reference_graph.hpp"
#include "trainers/parameters.hpp"

namespace tandem::reference {

inline void check_parameter_gradients(ParameterSet& set,
                                      const std::function<double(const Params&)>& loss,
                                      std::uint64_t seed, int per_parameter = 8,
                                      bool architecture_only = false) {
  Rng rng(seed);
  const Params base = to_double(set);
  const double h = 1e-5;
  for (Parameter* p : set.all()) {
    if (architecture_only && p->role != ParameterRole::architecture) continue;
    INFO("parameter " << p->name);
    if (!p->grad.defined()) p->grad = Tensor::zeros(p->value.shape());  // never reached: 0
    std::vector<std::int64_t> idx;
    for (std::int64_t j = 0; j < p->value.numel(); ++j) idx.push_back(j);
    rng.shuffle(idx);
    if (static_cast<int>(idx.size()) > per_parameter) idx.resize(static_cast<std::size_t>(per_parameter));
    double worst = 0.0, scale = 0.0;
    for (std::int64_t j : idx) {
      Params plus = base, minus = base;
      plus[p->name][j] += h;
      minus[p->name][j] -= h;
      const double numeric = (loss(plus) - loss(minus)) / (2 * h);
      worst = std::max(worst, std::abs(numeric - p->grad.data()[j]));
      scale = std::max(scale, std::abs(numeric));
    }
    CHECK(worst <= 1e-3 * std::max(scale, 1e-4));
  }
}

}  // namespace tandem::reference
