// Gradient matching for few-shot supernet splitting (Hu et al., "Generalizing Few-Shot NAS with
// Gradient Matching", ICLR 2022; code skhu101/GM-NAS WS-GM/nasbench201/train_search.py
// split_supernet, WS-GM/nasbench201/utils.py match_loss / mincut_split_201,
// WS-GM/sota/cnn/train_search_ws.py mincut_split_darts).
//
//   * Per-op gradients (§8.2): for the candidate edge (an alpha key: every cell's edge of that
//     key), each op o in turn is the edge's only path (weight 1, or its softmax weight when not
//     `hard`) while the other edges keep their mixing (softmax of alpha, or a sampled single path
//     for supernets trained one path at a time); the gradient of the cross-entropy on one training
//     batch w.r.t. the SHARED weights (Supernet::shared_weights: every searched edge but this
//     one's, plus the skeleton layers between searched edges) is G_o. Parameter-free ops (none,
//     skip, pooling) are treated like the others, as GM-NAS does: their G_o is still the gradient
//     of the shared weights under that op.
//   * Distance D[a][b] = 1 - cos(G_a, G_b) (cos with a 1e-6 guard in the denominator; also
//     GM-NAS's per-filter cosine and squared error), averaged over R batches.
//   * Bipartition (§8.3) into two groups, each of at least 2 ops and at most n - 2 (GM-NAS:
//     subsets S with 2 <= |S| <= n/2; NB201's 5 ops give 2 | 3):
//       - enumerate: the GM-NAS code — minimise the within-group distance sum;
//       - min_cut: the paper's graph min-cut — Boost.Graph stoer_wagner_min_cut on the similarity
//         graph w = D_max - D (D_max = 2 for the cosine distances, the largest entry for squared
//         error); when the global minimum cut leaves a group below the minimum size the minimum
//         cut over the allowed bipartitions is taken (by enumeration). For 2 | 3 splits of 5 ops
//         both rules pick the same partition.
//   * Edge score (§8.4): cut = sum of cross-group distances (NB201 code: split the edge with
//     the largest), within = sum of within-group distances (DARTS-space code: the smallest).
#pragma once

#include <string>
#include <vector>

#include "core/rng.hpp"
#include "search/oneshot/weight_sharing.hpp"
#include "trainers/supernet.hpp"

namespace tandem {

using DistanceMatrix = std::vector<std::vector<double>>;

enum class GradientDistance { cosine, per_filter_cosine, squared_error };
// "cos", "per-filter-cos", "mse" (GM-NAS --dis_metric names); error listing them otherwise.
GradientDistance gradient_distance_from_string(const std::string& text);

// GM-NAS match_loss between two gradient sets (same shapes, in the same order).
double gradient_distance(const std::vector<Tensor>& a, const std::vector<Tensor>& b,
                         GradientDistance distance);
// Pairwise distances of per-op gradient sets.
DistanceMatrix distance_matrix(const std::vector<std::vector<Tensor>>& gradients,
                               GradientDistance distance);

struct OpPartition {
  // positions in the matrix, each sorted ascending; the group holding position 0 first
  std::vector<std::vector<int>> groups;
  double within = 0.0;  // sum of D over pairs inside a group
  double cut = 0.0;     // sum of D over pairs across the groups
};

enum class PartitionMethod { enumerate, min_cut };
PartitionMethod partition_method_from_string(const std::string& text);

// The smallest group GM-NAS allows for n ops: 2, or 1 when n < 4.
int minimum_group_size(int n);
// GM-NAS: the bipartition minimising the within-group distance over groups of sizes in
// [minimum_group_size, n - minimum_group_size]; ties keep the first found (subsets of size 1, 2,
// ... in lexicographic order, as itertools.combinations).
OpPartition partition_by_enumeration(const DistanceMatrix& distance);
// Stoer-Wagner global minimum cut of the similarity graph (symmetric, non-negative weights),
// with the group-size restriction above. `within` / `cut` are left 0 (see partition_ops).
OpPartition min_cut_bipartition(const DistanceMatrix& similarity);
// Either method on a distance matrix, with within/cut filled from the distances.
OpPartition partition_ops(const DistanceMatrix& distance, PartitionMethod method,
                          GradientDistance kind);

enum class EdgeScore { cut, within };  // largest cut (NB201 code) / smallest within (DARTS code)
EdgeScore edge_score_from_string(const std::string& text);
// Index of the best partition among the candidates' (ties keep the first).
std::size_t choose_edge(const std::vector<OpPartition>& partitions, EdgeScore score);

// How the edges other than the measured one mix during matching: softmax(alpha) over their
// subsets (GM-NAS DARTS mode), or one path per key sampled per repeat — uniformly (RSWS mode,
// for SPOS supernets) or from softmax(alpha) (ProxylessNAS supernets).
enum class MatchingPaths { softmax, uniform_path, alpha_path };

struct GradientMatchingOptions {
  int repeats = 100;  // R batches (GM-NAS; 10 with --fast)
  bool hard = true;   // the measured op's weight is 1 (NB201 code) or its softmax weight
  GradientDistance distance = GradientDistance::cosine;
};

// The averaged distance matrix between the allowed ops of alpha key `key` (rows in the order of
// supernet.allowed(first edge of the key)). Restores the supernet's mode, subsets and active paths;
// leaves the weights unchanged (gradients are zeroed) — BN running statistics see the batches,
// as in the training-mode forwards of GM-NAS.
DistanceMatrix edge_distance_matrix(Supernet& supernet, const std::string& key,
                                    MatchingPaths paths, const GradientMatchingOptions& options,
                                    BatchStream& batches, Rng& rng);

}  // namespace tandem
