// Architecture encodings for learned predictors (see encodings.hpp).
// Sources: White, Neiswanger, Nolen, Savani, "A Study on Encodings for Neural Architecture Search",
// NeurIPS 2020; BANANAS (White et al., AAAI 2021) path encoding; NASLib (automl/NASLib)
// naslib/search_spaces/nasbench201/encodings.py (encode_paths, encode_gcn_nasbench201) and
// naslib/predictors/utils/encodings_darts.py (encode_paths, encode_adj).
//
// nb201 (ops numbered in AutoDL order: none, skip_connect, nor_conv_1x1, nor_conv_3x3,
// avg_pool_3x3; edges in arch-string order 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2):
//   path       155 bits: the 4 input->output paths {3<-0}, {1<-0, 3<-1}, {2<-0, 3<-2},
//              {1<-0, 2<-1, 3<-2}; a path of ops o_0..o_{L-1} sets bit offset(L) + sum_j o_j 5^j,
//              offset(1) = 0, offset(2) = 5, offset(3) = 30. Paths through `none` are encoded too,
//              as in NASLib.
//   adjacency  58 values: the cell as an op-on-node DAG (NASLib's gcn form: node 0 = input,
//              nodes 1..6 = the edge ops in string order, node 7 = output), its strictly upper
//              adjacency triangle row by row (28), with the wiring of `none` nodes removed (a zero
//              op passes nothing on), then each op node's 5-way op one-hot (30). NASLib's nb201
//              `adjacency_one_hot` is the op one-hot part only (same information as one_hot);
//              the wiring part makes the data-carrying topology explicit.
// darts (per cell, normal then reduce; states 0 = c_{k-2}, 1 = c_{k-1}, 2..5 = nodes, 6 = output):
//   adjacency  2 x 77 values: the 7x7 state matrix's strictly upper triangle (21; input state ->
//              node for each of the 8 edges, nodes 2..5 -> output), then the 8 edges' 7-way op
//              one-hots (56). NASLib's encode_adj flattens the full matrix and stores ops as
//              integers; the one-hot suits ridge/GP/MLP models better.
//   path       2 x 2 x 2801 bits: for each cell and each cell input, every path input -> op ... op
//              ending at a node (all nodes feed the output) of 1..4 ops o_0..o_{L-1} sets bit
//              base + sum_j 7^j (o_j + 1), as NASLib's get_path_indices (long_paths=True). NASLib's
//              get_paths loops over only 7 of the 8 edges of a cell (`range(len(OPS))`); we use all 8.
#include "predictors/encodings.hpp"

#include <array>

#include "core/error.hpp"
#include "spaces/darts_space.hpp"
#include "spaces/joint_space.hpp"
#include "spaces/nb201_space.hpp"

namespace tandem {
namespace {

// ---- nb201 ----
constexpr int kNb201Ops = 5;
constexpr int kNb201Edges = 6;
constexpr int kNb201NoneOp = 0;
constexpr std::size_t kNb201PathSize = 5 + 25 + 125;
constexpr int kNb201OpNodes = kNb201Edges + 2;  // input, 6 edge ops, output
constexpr std::size_t kNb201AdjacencySize =
    kNb201OpNodes * (kNb201OpNodes - 1) / 2 + kNb201Edges * kNb201Ops;

// Edge decision index of edge to<-from in arch-string order.
int nb201_edge(int to, int from) { return to * (to - 1) / 2 + from; }

std::vector<double> nb201_path(const Candidate& candidate) {
  static const std::vector<std::vector<int>> kPaths = {
      {nb201_edge(3, 0)},
      {nb201_edge(1, 0), nb201_edge(3, 1)},
      {nb201_edge(2, 0), nb201_edge(3, 2)},
      {nb201_edge(1, 0), nb201_edge(2, 1), nb201_edge(3, 2)}};
  static const std::array<std::size_t, 4> kOffsetByLength = {0, 0, 5, 30};
  std::vector<double> out(kNb201PathSize, 0.0);
  for (const auto& path : kPaths) {
    std::size_t index = kOffsetByLength[path.size()];
    std::size_t power = 1;
    for (int edge : path) {
      index += static_cast<std::size_t>(candidate.decisions[static_cast<std::size_t>(edge)]) * power;
      power *= kNb201Ops;
    }
    out[index] = 1.0;
  }
  return out;
}

std::vector<double> nb201_adjacency(const Candidate& candidate) {
  // Op node of edge e is node e + 1; node 0 is the input, node 7 the output.
  bool adjacent[kNb201OpNodes][kNb201OpNodes] = {};
  auto op_of = [&](int edge) { return candidate.decisions[static_cast<std::size_t>(edge)]; };
  for (int to = 1; to <= 3; ++to) {
    for (int from = 0; from < to; ++from) {
      const int edge = nb201_edge(to, from);
      if (op_of(edge) == kNb201NoneOp) continue;
      const int node = edge + 1;
      // Inputs: the cell input, or every live op node that writes into cell node `from`.
      if (from == 0) {
        adjacent[0][node] = true;
      } else {
        for (int source = 0; source < from; ++source) {
          const int feeding = nb201_edge(from, source);
          if (op_of(feeding) != kNb201NoneOp) adjacent[feeding + 1][node] = true;
        }
      }
      if (to == 3) adjacent[node][kNb201OpNodes - 1] = true;
    }
  }
  std::vector<double> out;
  out.reserve(kNb201AdjacencySize);
  for (int row = 0; row < kNb201OpNodes; ++row)
    for (int column = row + 1; column < kNb201OpNodes; ++column)
      out.push_back(adjacent[row][column] ? 1.0 : 0.0);
  for (int edge = 0; edge < kNb201Edges; ++edge)
    for (int op = 0; op < kNb201Ops; ++op) out.push_back(op_of(edge) == op ? 1.0 : 0.0);
  return out;
}

// ---- darts ----
constexpr int kDartsOps = 7;
constexpr int kDartsNodes = 4;           // intermediate nodes 2..5
constexpr int kDartsEdgesPerCell = 8;    // 2 per node
constexpr int kDartsStates = kDartsNodes + 3;  // c_{k-2}, c_{k-1}, nodes 2..5, output
constexpr std::size_t kDartsCellAdjacency =
    kDartsStates * (kDartsStates - 1) / 2 + kDartsEdgesPerCell * kDartsOps;
constexpr std::size_t kDartsPathsPerInput = 1 + 7 + 49 + 343 + 2401;  // sum_{i=0}^{4} 7^i

struct DartsEdge {
  int input;  // state index
  int op;
};

// The 8 edges of `cell` (0 normal, 1 reduce), node-major as the space's decisions: per node, per
// edge, an op decision then an input decision.
std::vector<DartsEdge> darts_edges(const Candidate& candidate, int cell) {
  std::vector<DartsEdge> edges;
  const std::size_t base = static_cast<std::size_t>(cell) * kDartsEdgesPerCell * 2;
  for (std::size_t e = 0; e < kDartsEdgesPerCell; ++e)
    edges.push_back(DartsEdge{candidate.decisions[base + 2 * e + 1], candidate.decisions[base + 2 * e]});
  return edges;
}

std::vector<double> darts_adjacency(const Candidate& candidate) {
  std::vector<double> out;
  out.reserve(2 * kDartsCellAdjacency);
  for (int cell = 0; cell < 2; ++cell) {
    const std::vector<DartsEdge> edges = darts_edges(candidate, cell);
    bool adjacent[kDartsStates][kDartsStates] = {};
    for (int e = 0; e < kDartsEdgesPerCell; ++e) adjacent[edges[e].input][e / 2 + 2] = true;
    for (int node = 2; node < 2 + kDartsNodes; ++node) adjacent[node][kDartsStates - 1] = true;
    for (int row = 0; row < kDartsStates; ++row)
      for (int column = row + 1; column < kDartsStates; ++column)
        out.push_back(adjacent[row][column] ? 1.0 : 0.0);
    for (const DartsEdge& edge : edges)
      for (int op = 0; op < kDartsOps; ++op) out.push_back(edge.op == op ? 1.0 : 0.0);
  }
  return out;
}

std::vector<double> darts_path(const Candidate& candidate) {
  std::vector<double> out(4 * kDartsPathsPerInput, 0.0);
  for (int cell = 0; cell < 2; ++cell) {
    const std::vector<DartsEdge> edges = darts_edges(candidate, cell);
    // Paths ending at each node: (cell input 0/1, ops from the input on).
    struct Path {
      int input;
      std::vector<int> ops;
    };
    std::vector<std::vector<Path>> ending_at(kDartsNodes);
    for (int e = 0; e < kDartsEdgesPerCell; ++e) {
      const int node = e / 2;
      if (edges[e].input < 2) {
        ending_at[node].push_back(Path{edges[e].input, {edges[e].op}});
      } else {
        for (Path path : ending_at[edges[e].input - 2]) {
          path.ops.push_back(edges[e].op);
          ending_at[node].push_back(std::move(path));
        }
      }
    }
    for (const auto& paths : ending_at) {
      for (const Path& path : paths) {
        std::size_t index = (static_cast<std::size_t>(cell) * 2 + static_cast<std::size_t>(path.input)) *
                            kDartsPathsPerInput;
        std::size_t power = 1;
        for (int op : path.ops) {
          index += power * static_cast<std::size_t>(op + 1);
          power *= kDartsOps;
        }
        out[index] = 1.0;
      }
    }
  }
  return out;
}

// ---- dispatch ----
enum class CellKind { none, nb201, darts };

CellKind cell_kind(const SearchSpace& space) {
  if (dynamic_cast<const Nb201Space*>(&space) != nullptr) return CellKind::nb201;
  if (dynamic_cast<const DartsSpace*>(&space) != nullptr) return CellKind::darts;
  return CellKind::none;
}

std::size_t network_size(const SearchSpace& space, EncodingKind kind) {
  if (kind == EncodingKind::one_hot) return space.one_hot_size();
  switch (cell_kind(space)) {
    case CellKind::nb201:
      return kind == EncodingKind::path ? kNb201PathSize : kNb201AdjacencySize;
    case CellKind::darts:
      return kind == EncodingKind::path ? 4 * kDartsPathsPerInput : 2 * kDartsCellAdjacency;
    case CellKind::none:
      break;
  }
  throw ConfigError("encoding '" + to_string(kind) + "' needs a cell space (nb201 or darts, or a " +
                    "joint space over one); space '" + space.name() +
                    "' accepts only encoding 'one_hot'");
}

std::vector<double> encode_network(const SearchSpace& space, EncodingKind kind,
                                   const Candidate& candidate) {
  if (kind == EncodingKind::one_hot) return space.one_hot(candidate);
  space.check(candidate);
  const bool path = kind == EncodingKind::path;
  switch (cell_kind(space)) {
    case CellKind::nb201:
      return path ? nb201_path(candidate) : nb201_adjacency(candidate);
    case CellKind::darts:
      return path ? darts_path(candidate) : darts_adjacency(candidate);
    case CellKind::none:
      break;
  }
  TANDEM_ASSERT(false);  // the constructor rejected this space
  return {};
}

}  // namespace

EncodingKind parse_encoding_kind(const std::string& text) {
  if (text == "one_hot") return EncodingKind::one_hot;
  if (text == "adjacency") return EncodingKind::adjacency;
  if (text == "path") return EncodingKind::path;
  throw ConfigError("unknown encoding '" + text + "'" +
                    did_you_mean(text, {"one_hot", "adjacency", "path"}) +
                    "; accepted: one_hot, adjacency, path");
}

EncodingKind resolve_encoding_kind(const SearchSpace& space, const std::string& text) {
  if (text != "auto") return parse_encoding_kind(text);
  try {
    ArchitectureEncoder path(space, EncodingKind::path);
    return EncodingKind::path;
  } catch (const ConfigError&) {
    return EncodingKind::one_hot;
  }
}

std::string to_string(EncodingKind kind) {
  switch (kind) {
    case EncodingKind::one_hot:
      return "one_hot";
    case EncodingKind::adjacency:
      return "adjacency";
    case EncodingKind::path:
      return "path";
  }
  return "?";
}

ArchitectureEncoder::ArchitectureEncoder(const SearchSpace& space, EncodingKind kind)
    : space_(space), kind_(kind) {
  if (const auto* joint = dynamic_cast<const JointSpace*>(&space))
    size_ = network_size(joint->network(), kind) + joint->accelerator().one_hot_size();
  else
    size_ = network_size(space, kind);
}

std::size_t ArchitectureEncoder::size() const { return size_; }

EncodingKind ArchitectureEncoder::kind() const { return kind_; }

std::vector<double> ArchitectureEncoder::encode(const Candidate& candidate) const {
  std::vector<double> out;
  if (const auto* joint = dynamic_cast<const JointSpace*>(&space_)) {
    out = encode_network(joint->network(), kind_, joint->network_part(candidate));
    const std::vector<double> hardware = joint->accelerator().one_hot(joint->accelerator_part(candidate));
    out.insert(out.end(), hardware.begin(), hardware.end());
  } else {
    out = encode_network(space_, kind_, candidate);
  }
  TANDEM_ASSERT(out.size() == size_);
  return out;
}

}  // namespace tandem
