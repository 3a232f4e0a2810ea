// The NAS-Bench-201 TinyNetwork macro skeleton, shared by the space's lowering (nb201_space.cpp)
// and the weight-sharing supernet (nb201_supernet.cpp) so the two cannot drift apart:
//   stem Conv3x3+BN -> N cells at C -> ResNet block (2C, stride 2) -> N cells at 2C ->
//   ResNet block (4C) -> N cells at 4C -> BN+ReLU -> global pool -> linear.
// The cells are the caller's (an InferCell of a fixed candidate, or a search cell of mixed edges).
// Source: Dong & Yang, ICLR 2020; D-X-Y/AutoDL-Projects xautodl/models/cell_infers/
// tiny_network.py (TinyNetwork), cells.py (ResNetBasicblock), cell_searchs/search_model_darts.py.
#pragma once

#include <functional>
#include <string>

#include "core/compute_graph.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

// AutoDL ResNetBasicblock(C_in, C_out, stride 2), affine: ReLUConvBN 3x3 s2 -> ReLUConvBN 3x3 s1,
// plus the shortcut AvgPool2d(2, 2) -> Conv1x1 (no BN); output = shortcut + branch.
LayerId nb201_resnet_block(ComputeGraph& graph, const std::string& name, LayerId input,
                           int out_channels);

// Appends one cell named `name` (e.g. "cell3") reading `input`; returns the cell's output.
using Nb201CellBuilder =
    std::function<LayerId(ComputeGraph& graph, const std::string& name, LayerId input)>;

// Builds the TinyNetwork of `options` (width C, cells_per_stage N, input, classes; resolved by the
// caller) into the empty `graph` with `cell` for every cell, and marks its output. Cells and
// ResNet blocks share one index ("cell0" .. "cell<3N+1>"), as AutoDL's module list.
void build_nb201_network(ComputeGraph& graph, const GraphOptions& options,
                         const Nb201CellBuilder& cell);

}  // namespace tandem
