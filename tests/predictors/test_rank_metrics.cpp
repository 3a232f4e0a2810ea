// Tests for the rank metrics against hand-computed values (the Spearman and Kendall cases are the
// examples of scipy.stats.spearmanr / kendalltau, worked out pair by pair in the comments).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "predictors/rank_metrics.hpp"

using namespace tandem;

TEST_CASE("spearman_rho: average ranks for ties (scipy's spearmanr example)") {
  // b = [5,6,7,8,7] ranks to [1,2,3.5,5,3.5]; deviations from 3: a -2,-1,0,1,2 and
  // b -2,-1,0.5,2,0.5: cov 8, var 10 and 9.5, rho = 8 / sqrt(95) = 0.8207826816681233.
  CHECK(spearman_rho({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}) == doctest::Approx(8.0 / std::sqrt(95.0)));
  CHECK(spearman_rho({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}) == doctest::Approx(0.8207826816681233));
  CHECK(spearman_rho({1, 2, 3}, {30, 20, 10}) == doctest::Approx(-1.0));
  // Monotone transforms do not change ranks.
  CHECK(spearman_rho({1, 2, 3, 4}, {1, 4, 9, 100}) == doctest::Approx(1.0));
}

TEST_CASE("kendall_tau: tau-b with ties in one and in both vectors") {
  // a = 1..5, b = [5,6,7,8,7]: of 10 pairs, 8 concordant, 1 discordant (4,5), 1 tied in b (3,5):
  // tau_b = 7 / sqrt(10 * 9).
  CHECK(kendall_tau({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}) == doctest::Approx(7.0 / std::sqrt(90.0)));
  // scipy's kendalltau example: x = [12,2,1,12,2], y = [1,4,7,1,0]. Concordant (0,4),(3,4);
  // discordant (0,1),(0,2),(1,2),(1,3),(2,3),(2,4); tied in x (0,3),(1,4); tied in y (0,3).
  // tau_b = (2 - 6) / sqrt((10 - 2) (10 - 1)) = -0.47140452079103173.
  CHECK(kendall_tau({12, 2, 1, 12, 2}, {1, 4, 7, 1, 0}) == doctest::Approx(-0.47140452079103173));
  CHECK(kendall_tau({1, 2, 3}, {3, 2, 1}) == doctest::Approx(-1.0));
  // A constant vector carries no ranking information: 0 (scipy gives nan).
  CHECK(kendall_tau({1, 2, 3}, {4, 4, 4}) == 0.0);
  CHECK(spearman_rho({1, 2, 3}, {4, 4, 4}) == 0.0);
}

TEST_CASE("top_k_precision: top fraction overlap with NASLib's tie rule") {
  // 10 items, fraction 0.2 -> k = 2. Predicted top 2: items 0, 1; true top 2: items 0, 2.
  const std::vector<double> predicted = {0.9, 0.8, 0.7, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.05};
  CHECK(top_k_precision(predicted, {10, 1, 9, 0, 0, 0, 0, 0, 0, 0}, 0.2) == doctest::Approx(0.5));
  CHECK(top_k_precision(predicted, {10, 9, 1, 0, 0, 0, 0, 0, 0, 0}, 0.2) == doctest::Approx(1.0));
  // Ties at the boundary: the true values 9, 5, 5: the 3rd largest is 5, so only item 0 is strictly
  // above it; overlap with {0, 1} is 1 item out of k = 2.
  CHECK(top_k_precision(predicted, {9, 5, 5, 1, 0, 0, 0, 0, 0, 0}, 0.2) == doctest::Approx(0.5));
  // Three items tied at the top: none is strictly above the 3rd largest: precision 0.
  CHECK(top_k_precision(predicted, {5, 5, 5, 1, 0, 0, 0, 0, 0, 0}, 0.2) == 0.0);
  // fraction 1: every item is in both sets.
  CHECK(top_k_precision(predicted, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1.0) == doctest::Approx(1.0));
}

TEST_CASE("rank metrics reject bad input in one line") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(kendall_tau({1, 2, 3}, {1, 2}), doctest::Contains("differ in length"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(spearman_rho({1}, {1}), doctest::Contains("at least 2"), ConfigError);
  CHECK_THROWS_WITH_AS(spearman_rho({1, nan}, {1, 2}), doctest::Contains("item 1"), ConfigError);
  CHECK_THROWS_WITH_AS(top_k_precision({1, 2}, {1, 2}, 0.0), doctest::Contains("(0, 1]"),
                       ConfigError);
}
