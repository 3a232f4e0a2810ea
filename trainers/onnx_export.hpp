// A network taken out of tandem as an ONNX model (opset 13), written with Debian's ONNX library
// (libonnx-dev: the format's own protobuf classes). The model takes a fixed batch
// [N, C, H, W] named "input" and gives "output"; its initializers are the network's parameters
// and batch-norm statistics, named as tandem names them ("<layer>.weight").
//
// Each OpKind becomes the ONNX operator with the same semantics: Conv, Flatten + Gemm (transB),
// BatchNormalization (tandem's epsilon and momentum), Relu, Clip [0, 6], MaxPool / AveragePool
// (ceil_mode, count_include_pad), GlobalAveragePool, Add / Sum, Concat, Identity (identity and
// dropout: an exported model infers), Slice (channel slices), Reshape + Transpose + Reshape
// (channel shuffle), and for zero: AveragePool with a 1x1 window at the op's stride times 0.
#pragma once

#include <string>

#include "core/compute_graph.hpp"
#include "trainers/parameters.hpp"

namespace tandem {

struct OnnxExportOptions {
  int batch = 1;  // the N of the model's input and output
  std::string producer = "tandem";
  std::string doc;  // the model's doc_string (what the network is, from where)
  double bn_momentum = 0.1;
  double bn_epsilon = 1e-5;
};

// Writes the model of `graph` with the values of `parameters` (a Network's, for that graph) to
// `path`. Raises tandem::Error naming the file when it cannot be written, or the layer when it
// has no ONNX form (a zero layer that changes the number of channels).
void write_onnx_model(const std::string& path, const ComputeGraph& graph, ParameterSet& parameters,
                      const OnnxExportOptions& options = {});

}  // namespace tandem
