// Per-layer graph table (see graph_report.hpp).
#include "experiments/cli/graph_report.hpp"

#include "core/text.hpp"

namespace tandem {

TextTable graph_table(const ComputeGraph& graph) {
  TextTable table;
  table.columns = {"layer", "op", "attributes", "inputs", "input_shape", "output_shape", "macs",
                   "params"};
  for (LayerId id : graph.topological_order()) {
    const Layer& layer = graph.layer(id);
    std::vector<std::string> inputs;
    for (LayerId input : layer.inputs) inputs.push_back(graph.layer(input).name);
    std::string input_shape = layer.inputs.empty() ? "" : graph.input_shape(id).to_string();
    table.rows.push_back({layer.name, to_string(layer.kind), graph.describe_attributes(id),
                          join(inputs, " "), input_shape, layer.output.to_string(),
                          std::to_string(graph.layer_macs(id)),
                          std::to_string(graph.layer_params(id))});
  }
  table.rows.push_back({"total", "", "", "", "", "", std::to_string(graph.total_macs()),
                        std::to_string(graph.total_params())});
  return table;
}

}  // namespace tandem
