// The proxies that compare how samples of one batch pass through the network:
//   jacov   mohsaied/zero-cost-nas foresight/pruners/measures/jacob_cov.py (after Mellor et al.
//           2020, v1): J = d(sum of logits)/d(input), one row per sample (training-mode batch norm,
//           so the rows see the whole batch); C = corrcoef(J) (numpy's, rows are variables);
//           score = -sum_i [log(v_i + k) + 1/(v_i + k)] over C's eigenvalues v, k = 1e-5. NaN when
//           a row is constant (its correlation is 0/0) or an eigenvalue is below -k, as numpy gives.
//   naswot  BayesWatch/nas-without-training score_networks.py with --score hook_logdet (Mellor et
//           al., ICML 2021): a forward hook on every ReLU binarises the ReLU's input per sample
//           (c = input > 0) and adds c c^T + (1 - c)(1 - c)^T to K; score = log|det K|
//           (numpy slogdet), -inf for a singular K. The reference counts a ReLU only after a
//           backward reached it; every ReLU of a graph's forward path is reached (a `none` edge
//           multiplies by zero but still passes a gradient in PyTorch), so every ReLU counts.
#include <Eigen/Dense>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/error.hpp"
#include "predictors/zero_cost_measures.hpp"

namespace tandem {

double jacov_score(ZeroCostNetwork& network, const ZeroCostBatch& batch) {
  Variable logits = network.forward(batch.images, /*training=*/true, /*input_requires_grad=*/true);
  network.backward(logits, Tensor::full(logits.shape(), 1.0f));
  const Tensor jacobian = network.input_grad();
  const std::int64_t n = jacobian.size(0);
  const std::int64_t d = jacobian.numel() / n;
  const double nan = std::numeric_limits<double>::quiet_NaN();

  Eigen::MatrixXd centered(n, d);
  for (std::int64_t i = 0; i < n; ++i) {
    const float* row = jacobian.data() + i * d;
    double mean = 0.0;
    for (std::int64_t j = 0; j < d; ++j) mean += row[j];
    mean /= static_cast<double>(d);
    for (std::int64_t j = 0; j < d; ++j) centered(i, j) = row[j] - mean;
  }
  const Eigen::MatrixXd covariance = centered * centered.transpose();  // the 1/(d-1) cancels
  Eigen::MatrixXd correlation(n, n);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      const double scale = std::sqrt(covariance(i, i) * covariance(j, j));
      if (!(scale > 0.0)) return nan;
      correlation(i, j) = covariance(i, j) / scale;
    }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(correlation,
                                                              Eigen::EigenvaluesOnly);
  if (solver.info() != Eigen::Success) return nan;
  const double k = 1e-5;
  double sum = 0.0;
  for (double v : solver.eigenvalues()) {
    if (!(v + k > 0.0)) return nan;
    sum += std::log(v + k) + 1.0 / (v + k);
  }
  return -sum;
}

double naswot_score(ZeroCostNetwork& network, const ZeroCostBatch& batch) {
  (void)network.forward(batch.images, /*training=*/true);
  const std::int64_t n = batch.images.size(0);
  Eigen::MatrixXd kernel = Eigen::MatrixXd::Zero(n, n);
  std::vector<std::uint64_t> codes;
  for (const Tensor& input : network.relu_inputs()) {
    const std::int64_t units = input.numel() / n;
    const std::int64_t words = (units + 63) / 64;
    codes.assign(static_cast<std::size_t>(n * words), 0);
    for (std::int64_t s = 0; s < n; ++s) {
      const float* x = input.data() + s * units;
      std::uint64_t* code = codes.data() + s * words;
      for (std::int64_t u = 0; u < units; ++u)
        if (x[u] > 0.0f) code[u / 64] |= std::uint64_t{1} << (u % 64);
    }
    // K_ij += units - Hamming(c_i, c_j): c c^T counts units active in both, (1-c)(1-c)^T those
    // inactive in both. Padding bits are 0 in every code, so they never differ.
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = i; j < n; ++j) {
        std::int64_t differ = 0;
        const std::uint64_t* a = codes.data() + i * words;
        const std::uint64_t* b = codes.data() + j * words;
        for (std::int64_t w = 0; w < words; ++w) differ += std::popcount(a[w] ^ b[w]);
        const double agree = static_cast<double>(units - differ);
        kernel(i, j) += agree;
        if (i != j) kernel(j, i) += agree;
      }
  }
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(kernel);
  double log_det = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double u = std::abs(lu.matrixLU()(i, i));
    if (!(u > 0.0)) return -std::numeric_limits<double>::infinity();
    log_det += std::log(u);
  }
  return log_det;
}

}  // namespace tandem
