// Rank-correlation metrics used to judge predictors and proxies, as NASLib reports them:
// Spearman's rho (Pearson correlation of average ranks, so ties are handled), Kendall's tau-b
// (ties corrected, as scipy.stats.kendalltau) and top-k precision (the fraction of the true top
// `fraction` of items that the predicted top `fraction` contains; White et al. 2021).
// All throw ConfigError when the vectors differ in length, have fewer than 2 items or hold NaN.
#pragma once

#include <vector>

namespace tandem {

double spearman_rho(const std::vector<double>& a, const std::vector<double>& b);
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);
// Larger is better in both vectors; fraction in (0, 1], e.g. 0.1 for top-10%.
double top_k_precision(const std::vector<double>& predicted, const std::vector<double>& truth,
                       double fraction);

}  // namespace tandem
