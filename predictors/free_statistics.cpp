// Free statistics for predictor pretraining (see free_statistics.hpp). Source of the idea:
// Dai et al., "FBNetV3: Joint Architecture-Recipe Search using Predictor Pretraining", CVPR 2021.
#include "predictors/free_statistics.hpp"

#include <algorithm>
#include <cmath>

namespace tandem {

const std::vector<std::string>& free_statistic_names() {
  static const std::vector<std::string> names = {"log10_params", "log10_macs"};
  return names;
}

Eigen::MatrixXd free_statistics(const SearchSpace& space, const std::vector<Candidate>& candidates) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(candidates.size()), 2);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const ComputeGraph graph = space.to_graph(candidates[i]);
    const auto row = static_cast<Eigen::Index>(i);
    out(row, 0) = std::log10(std::max<double>(1.0, static_cast<double>(graph.total_params())));
    out(row, 1) = std::log10(std::max<double>(1.0, static_cast<double>(graph.total_macs())));
  }
  return out;
}

PretrainingPool sample_pretraining_pool(const SearchSpace& space,
                                        const ArchitectureEncoder& encoder, std::size_t count,
                                        Rng& rng) {
  std::vector<Candidate> candidates;
  candidates.reserve(count);
  for (std::size_t i = 0; i < count; ++i) candidates.push_back(space.sample(rng));
  PretrainingPool pool;
  pool.features.resize(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(encoder.size()));
  for (std::size_t i = 0; i < count; ++i) {
    const std::vector<double> row = encoder.encode(candidates[i]);
    for (std::size_t c = 0; c < row.size(); ++c)
      pool.features(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = row[c];
  }
  pool.statistics = free_statistics(space, candidates);
  return pool;
}

}  // namespace tandem
