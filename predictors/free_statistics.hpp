// "Free" statistics of architectures for predictor pretraining (FBNetV3, Dai et al., CVPR 2021:
// the accuracy predictor is first trained to regress statistics that cost nothing to compute):
// log10 of the trainable parameters and of the multiply-accumulates of the lowered network
// (core/compute_graph.hpp conventions), for any space that lowers to a graph.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "core/rng.hpp"
#include "predictors/encodings.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

// Column names of free_statistics(): "log10_params", "log10_macs".
const std::vector<std::string>& free_statistic_names();
// One row per candidate.
Eigen::MatrixXd free_statistics(const SearchSpace& space, const std::vector<Candidate>& candidates);

// `count` architectures sampled uniformly from `space`, encoded, with their free statistics:
// the unlabelled pool a pretrained predictor is pretrained on.
struct PretrainingPool {
  Eigen::MatrixXd features;
  Eigen::MatrixXd statistics;
};
PretrainingPool sample_pretraining_pool(const SearchSpace& space,
                                        const ArchitectureEncoder& encoder, std::size_t count,
                                        Rng& rng);

}  // namespace tandem
