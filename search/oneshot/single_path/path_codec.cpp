// Candidates <-> single supernet paths for decision edges and DARTS gene edges, and the admitted
// assignments of each block under few-shot op subsets (see path_codec.hpp).
#include "search/oneshot/single_path/path_codec.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.hpp"

namespace tandem {

namespace {

// "<cell>/<i><-<j>" -> cell, i, j; false when the key has another form.
bool parse_gene_key(const std::string& key, std::string& cell, int& node, int& state) {
  const std::size_t slash = key.find('/');
  const std::size_t arrow = key.find("<-");
  if (slash == std::string::npos || arrow == std::string::npos || arrow < slash) return false;
  cell = key.substr(0, slash);
  const std::string to = key.substr(slash + 1, arrow - slash - 1);
  const std::string from = key.substr(arrow + 2);
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() < 4 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (cell.empty() || !digits(to) || !digits(from)) return false;
  node = std::stoi(to);
  state = std::stoi(from);
  return state < node;
}

int index_of(const std::vector<std::string>& names, const std::string& name) {
  const auto found = std::find(names.begin(), names.end(), name);
  return found == names.end() ? -1 : static_cast<int>(found - names.begin());
}

}  // namespace

// ---- PathChoices ----------------------------------------------------------------------------

Candidate PathChoices::sample(Rng& rng) const {
  Candidate c;
  c.decisions.assign(decision_values.size(), 0);
  for (std::size_t b = 0; b < block_paths.size(); ++b) {
    const std::vector<int>& values = block_paths[b][rng.uniform_index(block_paths[b].size())];
    for (std::size_t i = 0; i < values.size(); ++i) c.decisions[block_decisions[b][i]] = values[i];
  }
  return c;
}

double PathChoices::size() const {
  double n = 1.0;
  for (const auto& paths : block_paths) n *= static_cast<double>(paths.size());
  return n;
}

// ---- PathCodec ------------------------------------------------------------------------------

std::size_t PathCodec::gene_block(const std::string& cell, int node, const std::string& key) {
  const std::string name = cell + " node " + std::to_string(node);
  for (std::size_t b = 0; b < blocks_.size(); ++b)
    if (blocks_[b].gene_node && blocks_[b].name == name) return b;
  Block block;
  block.gene_node = true;
  block.name = name;
  for (int slot = 1; slot <= 2; ++slot)
    for (const char* part : {" op", " input"}) {
      const std::string decision = name + " edge " + std::to_string(slot) + part;
      std::size_t d = 0;
      while (d < space_.decisions().size() && space_.decisions()[d].name != decision) ++d;
      if (d == space_.decisions().size())
        throw ConfigError("space '" + space_.name() + "': supernet edge '" + key +
                          "' realises no decision, and the space has no decision '" + decision +
                          "' to read it as a DARTS gene edge (a single-path search needs one or "
                          "the other)");
      block.decisions.push_back(d);
    }
  blocks_.push_back(std::move(block));
  return blocks_.size() - 1;
}

PathCodec::PathCodec(const SearchSpace& space, const SupernetDescription& description)
    : space_(space) {
  const auto& decisions = space.decisions();
  std::vector<int> block_of_decision(decisions.size(), -1);
  for (const MixedEdge& edge : description.edges) {
    EdgeLink link;
    if (edge.decision >= 0) {
      TANDEM_CHECK(static_cast<std::size_t>(edge.decision) < decisions.size(),
                   "supernet edge '" + edge.alpha_key + "': decision " +
                       std::to_string(edge.decision) + " is not one of the space's");
      const auto d = static_cast<std::size_t>(edge.decision);
      link.decision = edge.decision;
      link.candidate_of_value.assign(decisions[d].choices.size(), -1);
      for (std::size_t k = 0; k < edge.candidates.size(); ++k) {
        const int value =
            edge.choice_of_candidate.empty() ? static_cast<int>(k) : edge.choice_of_candidate[k];
        if (value >= 0 && static_cast<std::size_t>(value) < link.candidate_of_value.size())
          link.candidate_of_value[static_cast<std::size_t>(value)] = static_cast<int>(k);
      }
      if (block_of_decision[d] < 0) {
        block_of_decision[d] = static_cast<int>(blocks_.size());
        blocks_.push_back(Block{{d}, false, decisions[d].name});
      }
      link.block = static_cast<std::size_t>(block_of_decision[d]);
    } else {
      std::string cell;
      int node = 0;
      if (!parse_gene_key(edge.alpha_key, cell, node, link.state))
        throw ConfigError("space '" + space.name() + "': supernet edge '" + edge.alpha_key +
                          "' realises no decision and is not a DARTS gene edge "
                          "('<cell>/<node><-<input>'); a single-path search needs one or the other");
      link.block = gene_block(cell, node, edge.alpha_key);
      const Block& block = blocks_[link.block];
      for (int slot = 0; slot < 2; ++slot) {
        link.op_decision[slot] = block.decisions[static_cast<std::size_t>(2 * slot)];
        link.input_decision[slot] = block.decisions[static_cast<std::size_t>(2 * slot + 1)];
        block_of_decision[link.op_decision[slot]] = static_cast<int>(link.block);
        block_of_decision[link.input_decision[slot]] = static_cast<int>(link.block);
      }
      std::vector<std::string> names;
      for (const CandidateOp& op : edge.candidates) names.push_back(op.name);
      link.none_candidate = index_of(names, "none");
      for (const std::string& op : decisions[link.op_decision[0]].choices) {
        link.candidate_of_op.push_back(index_of(names, op));
        if (link.candidate_of_op.back() < 0)
          throw ConfigError("space '" + space.name() + "': supernet edge '" + edge.alpha_key +
                            "' has no op '" + op + "'");
      }
      if (link.none_candidate < 0)
        throw ConfigError("space '" + space.name() + "': supernet edge '" + edge.alpha_key +
                          "' has no 'none' op for the inputs a node does not read");
      const auto& inputs = decisions[link.input_decision[0]].choices;
      if (index_of(inputs, std::to_string(link.state)) != link.state)
        throw ConfigError("space '" + space.name() + "': supernet edge '" + edge.alpha_key +
                          "' reads state " + std::to_string(link.state) +
                          ", which decision '" + decisions[link.input_decision[0]].name +
                          "' does not offer");
    }
    links_.push_back(std::move(link));
  }
  for (std::size_t d = 0; d < decisions.size(); ++d)
    if (block_of_decision[d] < 0)
      throw ConfigError("space '" + space.name() + "': decision '" + decisions[d].name +
                        "' has no supernet edge");
  block_edges_.resize(blocks_.size());
  for (std::size_t e = 0; e < links_.size(); ++e) block_edges_[links_[e].block].push_back(e);
}

int PathCodec::active_op(const EdgeLink& link, const std::vector<int>& decisions) const {
  if (link.decision >= 0) {
    const int value = decisions[static_cast<std::size_t>(link.decision)];
    if (value < 0 || static_cast<std::size_t>(value) >= link.candidate_of_value.size()) return -1;
    return link.candidate_of_value[static_cast<std::size_t>(value)];
  }
  int op = link.none_candidate, readers = 0;
  for (int slot = 0; slot < 2; ++slot) {
    if (decisions[link.input_decision[slot]] != link.state) continue;
    ++readers;
    const int value = decisions[link.op_decision[slot]];
    if (value < 0 || static_cast<std::size_t>(value) >= link.candidate_of_op.size()) return -1;
    op = link.candidate_of_op[static_cast<std::size_t>(value)];
  }
  return readers > 1 ? -1 : op;
}

std::vector<int> PathCodec::path(const Candidate& candidate) const {
  TANDEM_CHECK(candidate.decisions.size() == space_.decisions().size(),
               "PathCodec: the candidate has " + std::to_string(candidate.decisions.size()) +
                   " decisions, the space " + std::to_string(space_.decisions().size()));
  std::vector<int> ops;
  ops.reserve(links_.size());
  for (const EdgeLink& link : links_) ops.push_back(active_op(link, candidate.decisions));
  return ops;
}

void PathCodec::set_path(Supernet& net, const Candidate& candidate) const {
  const std::vector<int> ops = path(candidate);
  for (std::size_t e = 0; e < ops.size(); ++e) {
    TANDEM_CHECK(ops[e] >= 0, "PathCodec: candidate " + space_.to_string(candidate) +
                                  " has no op on supernet edge '" +
                                  net.description().edges[e].alpha_key + "'");
    net.set_active(e, ops[e]);
  }
}

bool PathCodec::admits(const Supernet& net, const Candidate& candidate) const {
  const std::vector<int> ops = path(candidate);
  for (std::size_t e = 0; e < ops.size(); ++e) {
    if (ops[e] < 0) return false;
    const std::vector<int> allowed = net.allowed(e);
    if (std::find(allowed.begin(), allowed.end(), ops[e]) == allowed.end()) return false;
  }
  return true;
}

std::vector<int> PathCodec::block_ops(std::size_t block,
                                     const std::vector<int>& assignment) const {
  std::vector<int> decisions(space_.decisions().size(), -1);
  for (std::size_t i = 0; i < assignment.size(); ++i)
    decisions[blocks_[block].decisions[i]] = assignment[i];
  std::vector<int> ops;
  for (std::size_t e : block_edges_[block]) ops.push_back(active_op(links_[e], decisions));
  return ops;
}

PathChoices PathCodec::choices(const Supernet& net) const {
  const auto& decisions = space_.decisions();
  std::vector<std::set<int>> allowed(links_.size());
  for (std::size_t e = 0; e < links_.size(); ++e) {
    const std::vector<int> subset = net.allowed(e);
    allowed[e] = std::set<int>(subset.begin(), subset.end());
  }
  PathChoices choices;
  std::vector<std::set<int>> values(decisions.size());
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const Block& block = blocks_[b];
    choices.block_decisions.push_back(block.decisions);
    std::set<std::vector<int>> paths_seen;
    std::vector<std::vector<int>> paths;
    // every assignment of the block's decisions (at most 7·5·7·5 for a DARTS node)
    std::vector<int> assignment(block.decisions.size(), 0);
    for (bool more = true; more;) {
      const std::vector<int> ops = block_ops(b, assignment);
      bool admitted = !block.gene_node || assignment[1] != assignment[3];
      for (std::size_t i = 0; i < ops.size() && admitted; ++i)
        admitted = ops[i] >= 0 && allowed[block_edges_[b][i]].count(ops[i]) > 0;
      if (admitted) {
        for (std::size_t i = 0; i < assignment.size(); ++i) values[block.decisions[i]].insert(assignment[i]);
        if (paths_seen.insert(ops).second) paths.push_back(assignment);  // one per distinct path
      }
      // next assignment (odometer)
      more = false;
      for (std::size_t i = 0; i < assignment.size(); ++i) {
        if (++assignment[i] < static_cast<int>(decisions[block.decisions[i]].choices.size())) {
          more = true;
          break;
        }
        assignment[i] = 0;
      }
    }
    if (paths.empty())
      throw Error("single path: the supernet's allowed ops leave no valid choice for '" +
                  block.name + "'");
    choices.block_paths.push_back(std::move(paths));
  }
  for (const std::set<int>& v : values) choices.decision_values.emplace_back(v.begin(), v.end());
  return choices;
}

}  // namespace tandem
