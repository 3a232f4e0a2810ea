// SearchSpace: the interface every space implements (NN cells, macro networks, accelerator
// parameters, joint products). A space is a list of named categorical decisions; a Candidate holds
// one value index per decision. The space renders candidates in its canonical string form, parses
// them back, and lowers them to a core::ComputeGraph so trainers and cost models work unchanged.
//
// Adding a space: one source file implementing this interface + one line in builtin_spaces.cpp
// (see docs/adding-a-space.md).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/accelerator_description.hpp"
#include "core/compute_graph.hpp"
#include "core/config_node.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "core/rng.hpp"
#include "core/supernet_description.hpp"
#include "core/trial.hpp"

namespace tandem {

struct Decision {
  std::string name;                  // e.g. "edge 1<-0", "normal node 2 op 1", "rows"
  std::vector<std::string> choices;  // the values, in index order
};

// A cell-based candidate drawn as a graph (for reports): named nodes and the op on each edge.
struct CellDiagram {
  struct Edge {
    std::string from, to, op;
  };
  std::string name;                // "cell", "normal", "reduce", "task/normal", ...
  std::vector<std::string> nodes;  // in drawing order (inputs first, output last)
  std::vector<Edge> edges;
};

// How a candidate is lowered to a network. Zero fields mean "the space's published default".
struct GraphOptions {
  TensorShape input{3, 32, 32};
  int classes = 10;
  int width = 0;                  // initial channels C (NB201: 16, DARTS: 16 search / 36 eval)
  int cells_per_stage = 0;        // N (NB201: 5)
  double width_multiplier = 0.0;  // macro spaces (MobileNet: 1.0)
};

// The option keys read by read_graph_options (spaces accept these plus their own).
const std::vector<std::string>& graph_option_keys();
// Reads input_shape [C,H,W], classes, width, cells_per_stage, width_multiplier from `options`.
GraphOptions read_graph_options(const ConfigNode& options, GraphOptions defaults);

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;

  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;  // one line for `tandem spaces`
  virtual const std::vector<Decision>& decisions() const = 0;

  // Canonical text form; parse(to_string(c)) == c. Malformed text raises ParseError naming the
  // position (character offset) and what was expected there.
  virtual std::string to_string(const Candidate& candidate) const = 0;
  virtual Candidate parse(const std::string& text) const = 0;

  // Lowers a candidate to a network with the given options.
  virtual ComputeGraph to_graph(const Candidate& candidate, const GraphOptions& options) const = 0;
  // Lowers with the options this space was configured with.
  ComputeGraph to_graph(const Candidate& candidate) const {
    return to_graph(candidate, graph_options());
  }
  const GraphOptions& graph_options() const { return graph_options_; }
  void set_graph_options(const GraphOptions& options) { graph_options_ = options; }

  // Constraints beyond the per-decision cardinalities (e.g. distinct inputs in a DARTS node).
  virtual bool is_valid(const Candidate&) const { return true; }

  // The network part of a candidate as text: to_string() for network spaces; joint spaces
  // return their network part (what benchmark tables are keyed by).
  virtual std::string architecture_string(const Candidate& candidate) const {
    return to_string(candidate);
  }
  // The accelerator part of a candidate as a typed value (cost-model name + parameters), what the
  // `hw` evaluator builds its cost model from; nullopt for spaces without an accelerator part.
  virtual std::optional<AcceleratorDescription> accelerator_description(const Candidate&) const {
    return std::nullopt;
  }
  // The accelerator part as text, the description's YAML flow mapping ("" for spaces without
  // one): what is stored with each trial.
  std::string accelerator_string(const Candidate& candidate) const;

  // The candidate's cells as diagrams (NB201: one cell; DARTS: normal and reduce); empty for
  // spaces that are not built from cells (macro networks, accelerators).
  virtual std::vector<CellDiagram> cell_diagrams(const Candidate&) const { return {}; }
  // Multi-task spaces (one network per task, e.g. "multitask"): the task names, in order; empty
  // for every other space.
  virtual std::vector<std::string> task_names() const { return {}; }
  // The network candidate of `task` and, through `space_out` (when not null), the space it
  // belongs to, so evaluators can call to_string()/to_graph() on it. Throws ConfigError for a
  // space without tasks or an unknown task.
  virtual Candidate task_candidate(const Candidate&, const std::string& task,
                                   const SearchSpace**) const {
    throw ConfigError("space '" + name() + "' has no tasks (asked for task '" + task + "')");
  }

  // The weight-sharing supernet of this space (every decision an edge holding all its choices),
  // for DARTS-family, ProxylessNAS, SPOS and few-shot searches. Throws ConfigError for spaces
  // without one.
  virtual SupernetDescription supernet(const GraphOptions&) const {
    throw ConfigError("space '" + name() + "' has no supernet (weight-sharing strategies need one)");
  }

  // supernet(GraphOptions{}) (the space's own default sizes), built on first use and kept. Every
  // weight-sharing strategy checks its space against it when it is made, so a config check or a
  // resume does not rebuild it each time. Throws what supernet() throws.
  const SupernetDescription& default_supernet() const;

  // Number of candidates (product of cardinalities, for spaces without extra constraints).
  virtual double size() const;

  // --- Provided on top of decisions() and is_valid() ---
  // Throws Error when the candidate has the wrong length, an index out of range or is invalid.
  // Never calls to_string(), so to_string() implementations may call check().
  void check(const Candidate& candidate) const;
  // Uniform over each decision independently (rejecting invalid candidates).
  Candidate sample(Rng& rng) const;
  // One decision resampled uniformly to a *different* value (the result is valid).
  Candidate mutate(const Candidate& candidate, Rng& rng) const;
  // Every valid candidate that differs from `candidate` in exactly one decision.
  std::vector<Candidate> neighbours(const Candidate& candidate) const;
  // Every valid candidate made by exchanging the values of two decisions that have the same
  // choices (two NB201 edges trade their operations): the op counts stay, so on a fixed
  // accelerator the cost stays too and only the placement changes. Pairs in index order.
  std::vector<Candidate> swap_neighbours(const Candidate& candidate) const;
  // Concatenated one-hot vectors, one block per decision.
  std::vector<double> one_hot(const Candidate& candidate) const;
  std::size_t one_hot_size() const;

 private:
  GraphOptions graph_options_;
  mutable std::mutex default_supernet_mutex_;
  mutable std::unique_ptr<const SupernetDescription> default_supernet_;
};

// Kinds: cell (a repeated cell: nb201, darts), macro (the whole network layer by layer:
// mobilenet, mlp), tabular (a network space known only through its benchmark table, no lowering
// to a compute graph yet: nb_macro), accelerator (hardware parameters only), joint (network x
// accelerator), multitask (one network per task, optionally x an accelerator).
using SpaceRegistry = Registry<SearchSpace, const ConfigNode&>;
// The registry of spaces by config name; filled by register_builtin_spaces().
SpaceRegistry& space_registry();
void register_builtin_spaces();

}  // namespace tandem
