// Evaluator "graph_stats": multiply-accumulates, parameters and layer count of the candidate's
// compute graph (counting conventions in core/compute_graph.hpp). Metrics: macs, params, layers.
#include "core/compute_graph.hpp"
#include "core/text.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"

namespace tandem {
namespace {

class GraphStatsEvaluator final : public Evaluator {
 public:
  explicit GraphStatsEvaluator(const SearchSpace& space) : space_(space) {}

  TrialResult evaluate(const Candidate& candidate, Reporter&) override {
    ComputeGraph graph = space_.to_graph(candidate);
    Metrics metrics;
    metrics.set("macs", static_cast<double>(graph.total_macs()));
    metrics.set("params", static_cast<double>(graph.total_params()));
    metrics.set("layers", static_cast<double>(graph.size()));
    return TrialResult::complete(metrics);
  }

  std::vector<std::string> metric_names() const override { return {"layers", "macs", "params"}; }

 private:
  const SearchSpace& space_;
};

}  // namespace

void register_graph_stats_evaluator(EvaluatorRegistry& registry) {
  registry.add("graph_stats", "static",
               "MACs, parameters and layer count of the compute graph (no options)",
               [](const EvaluatorContext& context) -> std::unique_ptr<Evaluator> {
                 context.options.check_keys({});
                 if (!context.space.task_names().empty())
                   throw ConfigError(context.options.location() +
                                     ": evaluator 'graph_stats' counts one network, but space '" +
                                     context.space.name() + "' has one per task (" +
                                     join(context.space.task_names(), ", ") +
                                     "); use `table` or `hw`, which take every task");
                 return std::make_unique<GraphStatsEvaluator>(context.space);
               });
}

}  // namespace tandem
