// A network given as an ONNX model, read into tandem's ComputeGraph so the cost models (and
// everything else that takes a graph) work on it: `tandem hw eval --onnx model.onnx`. Read with
// Debian's ONNX library (libonnx-dev: the format's own protobuf classes).
//
// Supported operators (opsets 7 to 17): Conv (grouped, depthwise, strided, dilated; symmetric
// padding), Gemm and MatMul with a constant weight (a MatMul followed by the Add of a constant
// bias is one linear layer), MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Relu,
// Clip to [0, 6] (ReLU6), Add, Concat along channels, and Flatten, a Reshape to [N, -1], Dropout
// and Identity, which pass their input on. The model has one input, [N, C, H, W] or [N, F].
// Anything else is one Error naming the file, the node and its op, e.g.
//   "m.onnx: node 'sm' (op Softmax) is not supported; supported: Conv, Gemm, ...".
#pragma once

#include <string>

#include "core/compute_graph.hpp"

namespace tandem {

// Reads `path`. Raises tandem::Error (one line naming the file) for a file that is missing, not
// an ONNX model (or truncated), or uses an unsupported operator or attribute.
ComputeGraph read_onnx_network(const std::string& path);
// The same from the model's bytes; `source` names them in messages.
ComputeGraph parse_onnx_network(const std::string& bytes, const std::string& source);

// The operators read_onnx_network accepts, comma-separated (for messages and docs).
const std::string& onnx_supported_ops();

}  // namespace tandem
