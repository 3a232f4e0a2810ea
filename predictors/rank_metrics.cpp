// Rank-correlation metrics (see rank_metrics.hpp).
// Definitions follow scipy.stats (spearmanr: Pearson correlation of average ranks; kendalltau:
// tau-b, the default variant) as NASLib's `compute_scores` calls them (automl/NASLib,
// naslib/utils/utils.py); top-k precision follows the same function's `precision_{k}`, with k a
// fraction of the items instead of a fixed count.
#include "predictors/rank_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/error.hpp"

namespace tandem {
namespace {

void check_pair(const char* metric, const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    throw ConfigError(std::string(metric) + ": the two vectors differ in length (" +
                      std::to_string(a.size()) + " vs " + std::to_string(b.size()) + ")");
  if (a.size() < 2)
    throw ConfigError(std::string(metric) + ": needs at least 2 items, got " +
                      std::to_string(a.size()));
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
      throw ConfigError(std::string(metric) + ": item " + std::to_string(i) +
                        " is not a finite number (" + std::to_string(a[i]) + ", " +
                        std::to_string(b[i]) + ")");
}

// Average ranks (1-based), ties share the mean of the ranks they span (scipy's rankdata 'average').
std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return values[x] < values[y]; });
  std::vector<double> ranks(values.size());
  std::size_t start = 0;
  while (start < order.size()) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    const double rank = 0.5 * static_cast<double>(start + 1 + end);  // mean of start+1 .. end
    for (std::size_t i = start; i < end; ++i) ranks[order[i]] = rank;
    start = end;
  }
  return ranks;
}

// Pearson correlation; 0 when either vector is constant (no ranking information; scipy gives nan,
// which would poison averages over seeds).
double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double cov = 0.0, var_a = 0.0, var_b = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    cov += (a[i] - mean_a) * (b[i] - mean_b);
    var_a += (a[i] - mean_a) * (a[i] - mean_a);
    var_b += (b[i] - mean_b) * (b[i] - mean_b);
  }
  if (var_a <= 0.0 || var_b <= 0.0) return 0.0;
  return cov / std::sqrt(var_a * var_b);
}

// The set of items strictly above the (k+1)-th largest value (NASLib's rule: items tied at the
// boundary are all left out, so the result never depends on item order).
std::vector<bool> top_set(const std::vector<double>& values, std::size_t k) {
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  std::vector<bool> top(values.size(), true);
  if (k >= values.size()) return top;
  const double threshold = sorted[k];
  for (std::size_t i = 0; i < values.size(); ++i) top[i] = values[i] > threshold;
  return top;
}

}  // namespace

double spearman_rho(const std::vector<double>& a, const std::vector<double>& b) {
  check_pair("spearman_rho", a, b);
  return pearson(average_ranks(a), average_ranks(b));
}

double kendall_tau(const std::vector<double>& a, const std::vector<double>& b) {
  check_pair("kendall_tau", a, b);
  // tau_b = (concordant - discordant) / sqrt((n0 - ties_a) (n0 - ties_b)), where n0 = n(n-1)/2 and
  // ties_x counts the pairs tied in x (pairs tied in both count in both). O(n^2) pairs: fine for the
  // test sets predictors are judged on (hundreds to a few thousand items).
  const std::size_t n = a.size();
  double score = 0.0, ties_a = 0.0, ties_b = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double da = a[i] - a[j];
      const double db = b[i] - b[j];
      if (da == 0.0) ties_a += 1.0;
      if (db == 0.0) ties_b += 1.0;
      if (da != 0.0 && db != 0.0) score += (da > 0.0) == (db > 0.0) ? 1.0 : -1.0;
    }
  }
  const double pairs = 0.5 * static_cast<double>(n) * static_cast<double>(n - 1);
  const double denominator = std::sqrt((pairs - ties_a) * (pairs - ties_b));
  if (denominator <= 0.0) return 0.0;  // one vector constant: no ranking information
  return score / denominator;
}

double top_k_precision(const std::vector<double>& predicted, const std::vector<double>& truth,
                       double fraction) {
  check_pair("top_k_precision", predicted, truth);
  if (!(fraction > 0.0 && fraction <= 1.0))
    throw ConfigError("top_k_precision: fraction must be in (0, 1], got " +
                      std::to_string(fraction));
  const std::size_t n = predicted.size();
  const auto k = static_cast<std::size_t>(
      std::clamp(std::llround(fraction * static_cast<double>(n)), 1LL, static_cast<long long>(n)));
  const std::vector<bool> top_predicted = top_set(predicted, k);
  const std::vector<bool> top_truth = top_set(truth, k);
  std::size_t both = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (top_predicted[i] && top_truth[i]) ++both;
  return static_cast<double>(both) / static_cast<double>(k);
}

}  // namespace tandem
