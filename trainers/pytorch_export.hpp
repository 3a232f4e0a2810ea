// A network taken out of tandem as PyTorch code: the source of one self-contained Python module
// (torch only) that defines a torch.nn.Module subclass constructible with no arguments, whose
// forward() computes what tandem's Network computes for the same compute graph, plus build(),
// which returns an instance and, when weights were written beside it, loads them. Every OpKind is
// written as the torch.nn / torch.nn.functional call with the same semantics (tandem's ops follow
// PyTorch's: pooling output sizes, count_include_pad, ceil mode, batch-norm momentum and epsilon).
// Layers live in an nn.ModuleDict under their names with every character other than letters,
// digits and '_' replaced by '_', so tandem's parameter "<layer>.weight" is the module's
// "layers.<key>.weight".
//
// Weights: raw little-endian float32 values of each parameter and buffer in the order the module
// lists them (its WEIGHTS table: state-dict key and shape), in a file next to the module.
#pragma once

#include <string>
#include <vector>

#include "core/compute_graph.hpp"
#include "trainers/parameters.hpp"

namespace tandem {

struct PytorchExportOptions {
  std::string class_name = "TandemNet";
  std::vector<std::string> header;  // comment lines at the top (what the network is, from where)
  double bn_momentum = 0.1;
  double bn_epsilon = 1e-5;
  // The weights file's name, relative to the module's folder ("" = the module has no weights
  // and build() returns PyTorch's own initialisation).
  std::string weights_file;
};

// The module's state-dict key of a tandem parameter or buffer name ("cells.0.edge 1<-0.conv.weight"
// -> "layers.cells_0_edge_1__0_conv.weight").
std::string pytorch_state_key(const ComputeGraph& graph, const std::string& tandem_name);

// The Python source. With options.weights_file set, `parameters` (the network's, e.g.
// Network::parameters()) lists the tensors build() loads, in the file's order.
std::string pytorch_module_source(const ComputeGraph& graph, ParameterSet* parameters,
                                  const PytorchExportOptions& options);

// Writes the weights file for pytorch_module_source (same parameters, same order). Raises
// tandem::Error naming the file when it cannot be written.
void write_pytorch_weights(const std::string& path, const ComputeGraph& graph,
                           ParameterSet& parameters);

// Reads such a file back into `parameters`: tandem::Error naming the file when its size does not
// fit the network.
void read_pytorch_weights(const std::string& path, const ComputeGraph& graph,
                          ParameterSet& parameters);

}  // namespace tandem
