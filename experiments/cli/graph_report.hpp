// Per-layer table of a compute graph (name, op, attributes, inputs, output shape, MACs, params)
// with a total row — used by `tandem show` and `tandem spaces NAME`.
#pragma once

#include "core/compute_graph.hpp"
#include "experiments/cli/table_output.hpp"

namespace tandem {

TextTable graph_table(const ComputeGraph& graph);

}  // namespace tandem
