// sharpDARTS Max-W weighting (ahundt/sharpDARTS cnn/model_search.py::MixedOp, max_w branch); see
// the header.
#include "search/oneshot/darts/max_w_regularization.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace tandem {

namespace {
std::vector<int> subset_or_all(const std::vector<int>& allowed, std::size_t size) {
  if (!allowed.empty()) return allowed;
  std::vector<int> all(size);
  for (std::size_t k = 0; k < size; ++k) all[k] = static_cast<int>(k);
  return all;
}
}  // namespace

std::vector<double> max_w_weights(const std::vector<double>& p, const std::vector<int>& allowed) {
  TANDEM_CHECK(!p.empty(), "max_w_weights: empty probability vector");
  const auto subset = subset_or_all(allowed, p.size());
  double top = p[static_cast<std::size_t>(subset.front())];
  for (int k : subset) top = std::max(top, p[static_cast<std::size_t>(k)]);
  std::vector<double> w(p.size(), 0.0);
  for (int k : subset) w[static_cast<std::size_t>(k)] = 1.0 - top + p[static_cast<std::size_t>(k)];
  return w;
}

Variable max_w_weights(const Variable& alpha, const std::vector<int>& allowed, bool detach_max) {
  TANDEM_CHECK(alpha.defined() && alpha.shape().size() == 1,
               "max_w_weights: alpha must be a vector");
  const auto k = alpha.shape()[0];
  const Variable w = softmax(alpha, allowed);
  const auto subset = subset_or_all(allowed, static_cast<std::size_t>(k));
  int best = subset.front();
  for (int j : subset)
    if (w.value().data()[j] > w.value().data()[best]) best = j;
  Tape* tape = alpha.tape();
  auto constant = [&](Tensor t) {
    return tape ? tape->constant(std::move(t)) : Variable(std::move(t));
  };
  const Variable ones = constant(Tensor::full({k}, 1.0f));
  Variable minus_top;
  if (detach_max) {
    minus_top = constant(Tensor::full({k}, -w.value().data()[best]));
  } else {
    // -(w_best * 1): scale picks w[best] (its gradient is the sum of the incoming gradient),
    // the second scale by the constant -1 negates.
    minus_top = scale(scale(ones, w, best), constant(Tensor::full({1}, -1.0f)), 0);
  }
  return add({ones, w, minus_top});
}

}  // namespace tandem
