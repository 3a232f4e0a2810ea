// LayerWorkload: the hardware view of one MAC layer (conv, depthwise conv, fully connected), with
// its GEMM lowering (im2col for conv, one GEMM per group for grouped/depthwise, FC as a 1-row GEMM).
// Produced from a core::ComputeGraph (lower_graph) or from a LAYERS.csv file (parse_layers_csv),
// consumed by every cost model.
//
// Shape conventions: h, w are the input size *before* padding, pad is applied on both sides.
// Output size uses true convolution arithmetic, floor((h + 2 pad - dil (r - 1) - 1) / stride) + 1;
// SCALE-Sim v2 instead uses ceil((H - R + s) / s) on the padded size, which is one larger when
// (h + 2 pad - r) is not divisible by the stride (see docs/hwmodels.md, "Layer conventions").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/compute_graph.hpp"

namespace tandem::hw {

enum class LayerType { conv, dwconv, fc };

std::string to_string(LayerType type);
// "conv", "dwconv", "fc"; anything else raises ParseError listing them.
LayerType layer_type_from_string(const std::string& text);

struct LayerWorkload {
  std::string name;
  LayerType type = LayerType::conv;
  int n = 1;       // batch
  int c = 1;       // input channels
  int h = 1;       // input height (before padding)
  int w = 1;       // input width (before padding)
  int m = 1;       // output channels (FC: output features)
  int r = 1;       // kernel height
  int s = 1;       // kernel width
  int stride = 1;
  int pad = 0;
  int groups = 1;  // dwconv: groups == c
  int dilation = 1;

  int out_h() const;  // E
  int out_w() const;  // F
  std::int64_t macs() const;
  std::int64_t ifmap_words() const;   // n*c*h*w (FC: n*c*h*w as well, flattened)
  std::int64_t filter_words() const;  // m*(c/groups)*r*s
  std::int64_t ofmap_words() const;   // n*m*E*F
  // Input words actually read by the windows (strided 1x1 convs skip pixels), <= ifmap_words().
  std::int64_t ifmap_touched_words() const;
  // The key of lookup tables: "conv n1 c16 h32 w32 m16 r3 s3 st1 p1 g1".
  std::string signature() const;
  // Checks positivity and consistency; `where` prefixes the message (e.g. "layers.csv:4").
  void validate(const std::string& where) const;
};

// The GEMM a layer lowers to: `count` independent (P x K) * (K x M) products.
// conv: P = n*E*F, K = r*s*c/groups, M = m/groups, count = groups;
// fc:   P = n, K = c*h*w, M = m, count = 1.
struct GemmShape {
  std::int64_t p = 0;
  std::int64_t k = 0;
  std::int64_t m = 0;
  std::int64_t count = 1;
  std::int64_t macs() const { return p * k * m * count; }
};
GemmShape to_gemm(const LayerWorkload& layer);

// How windowed pooling layers (max_pool, avg_pool) are costed on a MAC array:
//   skip       not costed (they carry no MACs);
//   depthwise  as a depthwise conv with the pool's window (one MAC per window element);
//   dense      as a dense C -> C conv with the pool's window (what HW-NAS-Bench's Eyeriss
//              latencies imply: an avg_pool_3x3 edge costs exactly a nor_conv_3x3 edge).
// Global average pooling, element-wise ops and normalisation are never costed.
enum class PoolingCost { skip, depthwise, dense };
std::string to_string(PoolingCost pooling);
struct LoweringOptions {
  PoolingCost pooling = PoolingCost::skip;
};

// Every conv2d and linear layer of the graph (and pooling layers per `options`), in topological
// order.
std::vector<LayerWorkload> lower_graph(const ComputeGraph& graph,
                                       const LoweringOptions& options = {});

// LAYERS.csv: header `name,type,n,c,h,w,m,r,s,stride,pad,groups`; '#' lines and blank lines are
// skipped. A malformed row raises ParseError "file:line: ...".
std::vector<LayerWorkload> parse_layers_csv(const std::string& text, const std::string& source);
std::vector<LayerWorkload> load_layers_csv(const std::string& path);

}  // namespace tandem::hw
