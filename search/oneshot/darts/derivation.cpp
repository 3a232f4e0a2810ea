// Derivation rules (see derivation.hpp). Sources: quark0/darts cnn/model_search.py (genotype),
// AutoDL-Projects xautodl/models/cell_searchs/search_model_darts.py (genotype).
#include "search/oneshot/darts/derivation.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"

namespace tandem {

Candidate candidate_from_edge_choices(const SearchSpace& space,
                                      const SupernetDescription& description,
                                      const std::vector<int>& choice_per_edge) {
  TANDEM_CHECK(choice_per_edge.size() == description.edges.size(),
               "derivation: " + std::to_string(choice_per_edge.size()) + " choices for " +
                   std::to_string(description.edges.size()) + " supernet edges");
  const std::size_t decisions = space.decisions().size();
  Candidate candidate;
  candidate.decisions.assign(decisions, -1);
  for (std::size_t e = 0; e < description.edges.size(); ++e) {
    const MixedEdge& edge = description.edges[e];
    TANDEM_CHECK(edge.decision >= 0 && static_cast<std::size_t>(edge.decision) < decisions,
                 "derivation: supernet edge " + std::to_string(e) + " of space '" + space.name() +
                     "' realises no decision (this space needs its own derivation rule)");
    const int k = choice_per_edge[e];
    TANDEM_CHECK(k >= 0 && static_cast<std::size_t>(k) < edge.candidates.size(),
                 "derivation: edge " + std::to_string(e) + " chose candidate " + std::to_string(k) +
                     " of " + std::to_string(edge.candidates.size()));
    const int value = edge.choice_of_candidate.empty()
                          ? k
                          : edge.choice_of_candidate[static_cast<std::size_t>(k)];
    int& slot = candidate.decisions[static_cast<std::size_t>(edge.decision)];
    TANDEM_CHECK(slot < 0 || slot == value,
                 "derivation: edges of decision '" + space.decisions()[edge.decision].name +
                     "' disagree (" + std::to_string(slot) + " vs " + std::to_string(value) + ")");
    slot = value;
  }
  for (std::size_t d = 0; d < decisions; ++d)
    TANDEM_CHECK(candidate.decisions[d] >= 0,
                 "derivation: no supernet edge realises decision '" + space.decisions()[d].name + "'");
  space.check(candidate);
  return candidate;
}

std::vector<int> argmax_choices(const std::vector<std::vector<double>>& weights_per_edge) {
  std::vector<int> out;
  for (const auto& w : weights_per_edge) {
    TANDEM_CHECK(!w.empty(), "derivation: an edge without weights");
    out.push_back(static_cast<int>(std::max_element(w.begin(), w.end()) - w.begin()));
  }
  return out;
}

std::vector<DartsGene> darts_node_genes(const std::vector<std::vector<double>>& weights,
                                        int none_index) {
  TANDEM_CHECK(weights.size() >= 2, "DARTS derivation: a node needs at least 2 incoming edges");
  auto best_op = [&](std::size_t j) {
    int best = -1;
    for (std::size_t k = 0; k < weights[j].size(); ++k) {
      if (static_cast<int>(k) == none_index) continue;
      if (best < 0 || weights[j][k] > weights[j][static_cast<std::size_t>(best)])
        best = static_cast<int>(k);
    }
    TANDEM_CHECK(best >= 0, "DARTS derivation: an edge with no op besides none");
    return best;
  };
  std::vector<std::size_t> edges(weights.size());
  std::iota(edges.begin(), edges.end(), std::size_t{0});
  // sorted(range(n), key=lambda j: -max_{k != none} W[j][k]): a stable sort, descending.
  std::stable_sort(edges.begin(), edges.end(), [&](std::size_t a, std::size_t b) {
    return weights[a][static_cast<std::size_t>(best_op(a))] >
           weights[b][static_cast<std::size_t>(best_op(b))];
  });
  return {DartsGene{best_op(edges[0]), static_cast<int>(edges[0])},
          DartsGene{best_op(edges[1]), static_cast<int>(edges[1])}};
}

Candidate darts_genotype(const SearchSpace& space,
                         const std::map<std::string, std::vector<double>>& weights_by_key,
                         const std::vector<std::string>& op_names) {
  const auto none = std::find(op_names.begin(), op_names.end(), "none");
  const int none_index = none == op_names.end() ? -1 : static_cast<int>(none - op_names.begin());
  std::map<std::string, std::size_t> decision_of;
  for (std::size_t d = 0; d < space.decisions().size(); ++d)
    decision_of[space.decisions()[d].name] = d;
  auto decision = [&](const std::string& name) {
    auto found = decision_of.find(name);
    TANDEM_CHECK(found != decision_of.end(), "DARTS derivation: space '" + space.name() +
                                                 "' has no decision '" + name + "'");
    return found->second;
  };
  auto value_index = [&](std::size_t d, const std::string& value) {
    const auto& choices = space.decisions()[d].choices;
    auto found = std::find(choices.begin(), choices.end(), value);
    TANDEM_CHECK(found != choices.end(), "DARTS derivation: decision '" + space.decisions()[d].name +
                                             "' has no value '" + value + "'");
    return static_cast<int>(found - choices.begin());
  };
  Candidate candidate;
  candidate.decisions.assign(space.decisions().size(), 0);
  for (const std::string cell : {"normal", "reduce"}) {
    for (int node = 2; node <= 5; ++node) {
      std::vector<std::vector<double>> w;
      for (int j = 0; j < node; ++j) {
        const std::string key = cell + "/" + std::to_string(node) + "<-" + std::to_string(j);
        auto found = weights_by_key.find(key);
        TANDEM_CHECK(found != weights_by_key.end(), "DARTS derivation: no weights for edge " + key);
        TANDEM_CHECK(found->second.size() == op_names.size(),
                     "DARTS derivation: edge " + key + " has " +
                         std::to_string(found->second.size()) + " weights for " +
                         std::to_string(op_names.size()) + " ops");
        w.push_back(found->second);
      }
      const std::vector<DartsGene> genes = darts_node_genes(w, none_index);
      for (std::size_t e = 0; e < genes.size(); ++e) {
        const std::string prefix =
            cell + " node " + std::to_string(node) + " edge " + std::to_string(e + 1);
        const std::size_t op = decision(prefix + " op");
        const std::size_t input = decision(prefix + " input");
        candidate.decisions[op] = value_index(op, op_names[static_cast<std::size_t>(genes[e].op)]);
        candidate.decisions[input] = value_index(input, std::to_string(genes[e].input));
      }
    }
  }
  space.check(candidate);
  return candidate;
}

}  // namespace tandem
