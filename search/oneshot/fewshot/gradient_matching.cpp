// GM-NAS gradient matching: per-op shared-weight gradients, distances, bipartition and edge
// choice (see gradient_matching.hpp; skhu101/GM-NAS WS-GM/nasbench201/{train_search,utils}.py).
#include "search/oneshot/fewshot/gradient_matching.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/one_bit_color_map.hpp>
#include <boost/graph/stoer_wagner_min_cut.hpp>
#include <boost/property_map/property_map.hpp>
#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"
#include "trainers/autograd.hpp"

namespace tandem {

namespace {

[[noreturn]] void unknown(const std::string& what, const std::string& text,
                          const std::vector<std::string>& names) {
  throw ConfigError("unknown " + what + " '" + text + "'" + did_you_mean(text, names) +
                    "; accepted: " + join(names, ", "));
}

double dot(const float* a, const float* b, std::int64_t n) {
  double s = 0.0;
  for (std::int64_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// Sum of D over pairs inside a group and across groups.
void score(OpPartition& partition, const DistanceMatrix& d) {
  const std::size_t n = d.size();
  std::vector<int> group_of(n, -1);
  for (std::size_t g = 0; g < partition.groups.size(); ++g)
    for (int i : partition.groups[g]) group_of[static_cast<std::size_t>(i)] = static_cast<int>(g);
  partition.within = partition.cut = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      (group_of[i] == group_of[j] ? partition.within : partition.cut) += d[i][j];
}

// Every subset S (as a bit mask) with lo <= |S| <= hi, by size then in lexicographic order of
// its sorted members (itertools.combinations order).
template <typename Visit>
void for_each_subset(int n, int lo, int hi, Visit visit) {
  for (int size = lo; size <= hi; ++size) {
    std::vector<int> pick(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i) pick[static_cast<std::size_t>(i)] = i;
    while (true) {
      std::uint64_t mask = 0;
      for (int i : pick) mask |= std::uint64_t{1} << i;
      visit(mask);
      int k = size - 1;
      while (k >= 0 && pick[static_cast<std::size_t>(k)] == n - size + k) --k;
      if (k < 0) break;
      ++pick[static_cast<std::size_t>(k)];
      for (int j = k + 1; j < size; ++j)
        pick[static_cast<std::size_t>(j)] = pick[static_cast<std::size_t>(j - 1)] + 1;
    }
  }
}

// The bipartition {S, complement}, the group holding op 0 first.
OpPartition from_mask(std::uint64_t mask, int n) {
  OpPartition p;
  p.groups.resize(2);
  const bool first = mask & 1;
  for (int i = 0; i < n; ++i) p.groups[(((mask >> i) & 1) != 0) == first ? 0 : 1].push_back(i);
  return p;
}

void check_square(const DistanceMatrix& m, const std::string& who) {
  TANDEM_CHECK(m.size() >= 2 && m.size() <= 62, who + ": needs 2 to 62 ops, got " +
                                                   std::to_string(m.size()));
  for (const auto& row : m)
    TANDEM_CHECK(row.size() == m.size(), who + ": the matrix is not square");
}

}  // namespace

GradientDistance gradient_distance_from_string(const std::string& text) {
  if (text == "cos") return GradientDistance::cosine;
  if (text == "per-filter-cos") return GradientDistance::per_filter_cosine;
  if (text == "mse") return GradientDistance::squared_error;
  unknown("gradient distance", text, {"cos", "per-filter-cos", "mse"});
}

PartitionMethod partition_method_from_string(const std::string& text) {
  if (text == "min_cut") return PartitionMethod::min_cut;
  if (text == "enumerate") return PartitionMethod::enumerate;
  unknown("partition method", text, {"min_cut", "enumerate"});
}

EdgeScore edge_score_from_string(const std::string& text) {
  if (text == "cut") return EdgeScore::cut;
  if (text == "within") return EdgeScore::within;
  unknown("edge score", text, {"cut", "within"});
}

double gradient_distance(const std::vector<Tensor>& a, const std::vector<Tensor>& b,
                         GradientDistance distance) {
  TANDEM_CHECK(a.size() == b.size(), "gradient_distance: gradient sets of different sizes");
  for (std::size_t i = 0; i < a.size(); ++i)
    TANDEM_CHECK(a[i].shape() == b[i].shape(), "gradient_distance: shapes differ");
  if (distance == GradientDistance::per_filter_cosine) {
    // utils.py distance_wb: rows = output filters (conv, linear, layer norm); vectors (BN,
    // biases) count 0
    double total = 0.0;
    for (std::size_t t = 0; t < a.size(); ++t) {
      if (a[t].dim() <= 1) continue;
      const std::int64_t rows = a[t].size(0), width = a[t].numel() / rows;
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* x = a[t].data() + r * width;
        const float* y = b[t].data() + r * width;
        total += 1.0 - dot(x, y, width) /
                           (std::sqrt(dot(x, x, width)) * std::sqrt(dot(y, y, width)) + 1e-6);
      }
    }
    return total;
  }
  double xy = 0.0, xx = 0.0, yy = 0.0, sq = 0.0;
  for (std::size_t t = 0; t < a.size(); ++t) {
    const float* x = a[t].data();
    const float* y = b[t].data();
    for (std::int64_t i = 0; i < a[t].numel(); ++i) {
      xy += static_cast<double>(x[i]) * y[i];
      xx += static_cast<double>(x[i]) * x[i];
      yy += static_cast<double>(y[i]) * y[i];
      sq += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    }
  }
  if (distance == GradientDistance::squared_error) return sq;
  return 1.0 - xy / (std::sqrt(xx) * std::sqrt(yy) + 1e-6);
}

DistanceMatrix distance_matrix(const std::vector<std::vector<Tensor>>& gradients,
                               GradientDistance distance) {
  const std::size_t n = gradients.size();
  DistanceMatrix d(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)  // GM-NAS fills the full matrix (not forced symmetric)
      d[i][j] = gradient_distance(gradients[i], gradients[j], distance);
  return d;
}

int minimum_group_size(int n) { return n >= 4 ? 2 : 1; }

OpPartition partition_by_enumeration(const DistanceMatrix& distance) {
  check_square(distance, "partition_by_enumeration");
  const int n = static_cast<int>(distance.size());
  const int lo = minimum_group_size(n);
  OpPartition best;
  double best_within = 1e300;
  // GM-NAS sums the upper triangle only
  for_each_subset(n, lo, n / 2, [&](std::uint64_t mask) {
    OpPartition p = from_mask(mask, n);
    score(p, distance);
    if (p.within < best_within) {
      best_within = p.within;
      best = std::move(p);
    }
  });
  return best;
}

OpPartition min_cut_bipartition(const DistanceMatrix& similarity) {
  check_square(similarity, "min_cut_bipartition");
  const int n = static_cast<int>(similarity.size());
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      TANDEM_CHECK(similarity[i][j] >= 0.0 && std::isfinite(similarity[i][j]),
                   "min_cut_bipartition: similarities must be finite and >= 0");
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS,
                                      boost::no_property, boost::property<boost::edge_weight_t, double>>;
  Graph graph(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j)  // the symmetric part of the matrix
      boost::add_edge(static_cast<std::size_t>(i), static_cast<std::size_t>(j),
                      0.5 * (similarity[i][j] + similarity[j][i]), graph);
  boost::one_bit_color_map<boost::vec_adj_list_vertex_id_map<boost::no_property, std::size_t>>
      parity(static_cast<std::size_t>(n), boost::get(boost::vertex_index, graph));
  boost::stoer_wagner_min_cut(graph, boost::get(boost::edge_weight, graph),
                              boost::parity_map(parity));
  std::uint64_t side = 0;
  for (int i = 0; i < n; ++i)
    if (boost::get(parity, static_cast<std::size_t>(i))) side |= std::uint64_t{1} << i;
  const int lo = minimum_group_size(n);
  const int size = __builtin_popcountll(side);
  if (size >= lo && n - size >= lo) return from_mask(side, n);
  // the global minimum isolates too few ops: the minimum cut among the allowed bipartitions
  DistanceMatrix negated(similarity.size(), std::vector<double>(similarity.size()));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) negated[i][j] = -similarity[i][j];
  // minimising within(-s) = maximising within(s) = minimising cut(s) (the total is fixed)
  return partition_by_enumeration(negated);
}

OpPartition partition_ops(const DistanceMatrix& distance, PartitionMethod method,
                          GradientDistance kind) {
  check_square(distance, "partition_ops");
  OpPartition p;
  if (method == PartitionMethod::enumerate) {
    p = partition_by_enumeration(distance);
  } else {
    double top = kind == GradientDistance::cosine ? 2.0 : 0.0;
    if (kind != GradientDistance::cosine)
      for (const auto& row : distance)
        for (double v : row) top = std::max(top, v);
    DistanceMatrix similarity = distance;
    for (auto& row : similarity)
      for (double& v : row) v = std::max(0.0, top - v);
    p = min_cut_bipartition(similarity);
  }
  for (auto& group : p.groups) std::sort(group.begin(), group.end());
  score(p, distance);
  return p;
}

std::size_t choose_edge(const std::vector<OpPartition>& partitions, EdgeScore score_kind) {
  TANDEM_CHECK(!partitions.empty(), "choose_edge: no candidate edges");
  std::size_t best = 0;
  for (std::size_t i = 1; i < partitions.size(); ++i) {
    const bool better = score_kind == EdgeScore::cut ? partitions[i].cut > partitions[best].cut
                                                     : partitions[i].within < partitions[best].within;
    if (better) best = i;
  }
  return best;
}

DistanceMatrix edge_distance_matrix(Supernet& supernet, const std::string& key,
                                    MatchingPaths paths, const GradientMatchingOptions& options,
                                    BatchStream& batches, Rng& rng) {
  TANDEM_CHECK(options.repeats >= 1, "gradient matching: repeats must be >= 1");
  TANDEM_CHECK(!supernet.edge_weight_function(),
               "gradient matching: the supernet already has an edge weight function");
  const SupernetDescription& description = supernet.description();
  std::vector<std::size_t> edges;
  for (std::size_t e = 0; e < description.edges.size(); ++e)
    if (description.edges[e].alpha_key == key) edges.push_back(e);
  TANDEM_CHECK(!edges.empty(), "gradient matching: no edge with alpha key '" + key + "'");
  const std::vector<int> ops = supernet.allowed(edges.front());
  const std::size_t n = ops.size();
  TANDEM_CHECK(n >= 2, "gradient matching: edge '" + key + "' has a single op left");

  // saved state
  const SupernetMode mode = supernet.mode();
  std::vector<int> active(description.edges.size());
  std::vector<std::vector<int>> allowed(description.edges.size());
  for (std::size_t e = 0; e < active.size(); ++e) {
    active[e] = supernet.active(e);
    allowed[e] = description.edges[e].allowed;
  }
  const std::vector<Parameter*> shared = supernet.shared_weights(key);
  const std::vector<double> soft = supernet.edge_weights(edges.front());

  DistanceMatrix average(n, std::vector<double>(n, 0.0));
  try {
    for (int repeat = 0; repeat < options.repeats; ++repeat) {
      BatchStream::Batch batch = batches.next();
      if (paths == MatchingPaths::softmax) {
        supernet.set_mode(SupernetMode::weighted_sum);
      } else {
        supernet.set_mode(SupernetMode::single_path);
        supernet.sample_paths(rng, paths == MatchingPaths::alpha_path);
      }
      std::vector<std::vector<Tensor>> gradients;
      for (int op : ops) {
        if (paths == MatchingPaths::softmax) {
          // theta row of the key: op alone, weight 1 (hard) or its softmax weight
          const float weight = options.hard ? 1.0f : static_cast<float>(soft[static_cast<std::size_t>(op)]);
          supernet.set_edge_weight_function(
              [&, op, weight](const std::string& alpha_key, const Variable& alpha,
                              const std::vector<int>& subset) {
                if (alpha_key != key) return softmax(alpha, subset);
                Tensor theta = Tensor::zeros(alpha.shape());
                theta.data()[op] = weight;
                return alpha.tape()->constant(theta);
              });
        } else {
          for (std::size_t e : edges) supernet.set_active(e, op);
        }
        supernet.zero_grad();
        backward(cross_entropy(supernet.forward(batch.images, /*training=*/true), batch.labels));
        std::vector<Tensor> g;
        for (Parameter* p : shared)
          g.push_back(p->grad.defined() ? p->grad.clone() : Tensor::zeros(p->value.shape()));
        gradients.push_back(std::move(g));
        supernet.set_edge_weight_function({});
      }
      const DistanceMatrix d = distance_matrix(gradients, options.distance);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) average[i][j] += d[i][j] / options.repeats;
    }
  } catch (...) {
    supernet.set_edge_weight_function({});
    throw;
  }
  supernet.tape().clear();
  supernet.zero_grad();
  supernet.set_mode(mode);
  for (std::size_t e = 0; e < active.size(); ++e) {
    supernet.set_allowed(e, allowed[e]);
    supernet.set_active(e, active[e]);
  }
  return average;
}

}  // namespace tandem
