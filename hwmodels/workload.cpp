// LayerWorkload: shapes, GEMM lowering, graph lowering and LAYERS.csv parsing (see workload.hpp).
#include "hwmodels/workload.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem::hw {

std::string to_string(LayerType type) {
  switch (type) {
    case LayerType::conv: return "conv";
    case LayerType::dwconv: return "dwconv";
    case LayerType::fc: return "fc";
  }
  return "conv";
}

LayerType layer_type_from_string(const std::string& text) {
  if (text == "conv") return LayerType::conv;
  if (text == "dwconv") return LayerType::dwconv;
  if (text == "fc") return LayerType::fc;
  throw ParseError("unknown layer type '" + text + "'" +
                   did_you_mean(text, {"conv", "dwconv", "fc"}) + "; accepted: conv, dwconv, fc");
}

int LayerWorkload::out_h() const {
  if (type == LayerType::fc) return 1;
  return (h + 2 * pad - dilation * (r - 1) - 1) / stride + 1;
}

int LayerWorkload::out_w() const {
  if (type == LayerType::fc) return 1;
  return (w + 2 * pad - dilation * (s - 1) - 1) / stride + 1;
}

std::int64_t LayerWorkload::macs() const { return to_gemm(*this).macs(); }

std::int64_t LayerWorkload::ifmap_words() const {
  return std::int64_t{n} * c * h * w;
}

std::int64_t LayerWorkload::filter_words() const {
  if (type == LayerType::fc) return std::int64_t{m} * c * h * w;
  return std::int64_t{m} * (c / groups) * r * s;
}

std::int64_t LayerWorkload::ofmap_words() const {
  return std::int64_t{n} * m * out_h() * out_w();
}

namespace {
// Distinct input rows (or columns) along one axis that some window reads, clipped to the
// unpadded extent: windows overlap when kernel >= stride, otherwise each reads `kernel` rows.
std::int64_t touched_extent(int size, int out, int kernel, int stride, int dilation) {
  const int span = dilation * (kernel - 1) + 1;
  std::int64_t covered = span >= stride ? std::int64_t{out - 1} * stride + span
                                        : std::int64_t{out} * kernel;
  return std::min<std::int64_t>(size, covered);
}
}  // namespace

std::int64_t LayerWorkload::ifmap_touched_words() const {
  if (type == LayerType::fc) return ifmap_words();
  return std::int64_t{n} * c * touched_extent(h, out_h(), r, stride, dilation) *
         touched_extent(w, out_w(), s, stride, dilation);
}

std::string LayerWorkload::signature() const {
  std::string text = to_string(type) + " n" + std::to_string(n) + " c" + std::to_string(c) +
                     " h" + std::to_string(h) + " w" + std::to_string(w) + " m" +
                     std::to_string(m) + " r" + std::to_string(r) + " s" + std::to_string(s) +
                     " st" + std::to_string(stride) + " p" + std::to_string(pad) + " g" +
                     std::to_string(groups);
  if (dilation != 1) text += " d" + std::to_string(dilation);
  return text;
}

void LayerWorkload::validate(const std::string& where) const {
  auto fail = [&](const std::string& message) {
    throw ParseError(where + ": layer '" + name + "': " + message);
  };
  auto positive = [&](const char* field, int value) {
    if (value <= 0)
      fail(std::string(field) + " must be a positive integer, got " + std::to_string(value));
  };
  positive("n", n);
  positive("c", c);
  positive("h", h);
  positive("w", w);
  positive("m", m);
  positive("r", r);
  positive("s", s);
  positive("stride", stride);
  positive("groups", groups);
  positive("dilation", dilation);
  if (pad < 0) fail("pad must be >= 0, got " + std::to_string(pad));
  // The models count MACs, cycles and bytes in std::int64_t: sizes whose product could overflow
  // it are refused here (found by fuzz_layers_csv: a signed overflow in GemmShape::macs()).
  const double padded_h = static_cast<double>(h) + 2.0 * pad;
  const double padded_w = static_cast<double>(w) + 2.0 * pad;
  if (static_cast<double>(n) * padded_h * padded_w * c * m * r * s > 1e18)
    fail("too large: n*(h+2*pad)*(w+2*pad)*c*m*r*s must be at most 1e18");
  if (type == LayerType::fc) {
    if (r != 1 || s != 1 || groups != 1)
      fail("fc layers need r = s = 1 and groups = 1 (got r=" + std::to_string(r) +
           " s=" + std::to_string(s) + " groups=" + std::to_string(groups) + ")");
    return;
  }
  if (type == LayerType::dwconv && groups != c)
    fail("dwconv needs groups = c (" + std::to_string(c) + "), got groups = " +
         std::to_string(groups));
  if (c % groups != 0 || m % groups != 0)
    fail("c (" + std::to_string(c) + ") and m (" + std::to_string(m) +
         ") must be divisible by groups (" + std::to_string(groups) + ")");
  const std::int64_t in_h = std::int64_t{h} + 2 * std::int64_t{pad};
  const std::int64_t in_w = std::int64_t{w} + 2 * std::int64_t{pad};
  if (in_h < std::int64_t{dilation} * (r - 1) + 1 || in_w < std::int64_t{dilation} * (s - 1) + 1)
    fail("kernel " + std::to_string(r) + "x" + std::to_string(s) + " is larger than the padded " +
         "input " + std::to_string(in_h) + "x" + std::to_string(in_w));
}

GemmShape to_gemm(const LayerWorkload& layer) {
  GemmShape gemm;
  if (layer.type == LayerType::fc) {
    gemm.p = layer.n;
    gemm.k = std::int64_t{layer.c} * layer.h * layer.w;
    gemm.m = layer.m;
    gemm.count = 1;
    return gemm;
  }
  gemm.p = std::int64_t{layer.n} * layer.out_h() * layer.out_w();
  gemm.k = std::int64_t{layer.r} * layer.s * (layer.c / layer.groups);
  gemm.m = layer.m / layer.groups;
  gemm.count = layer.groups;
  return gemm;
}

std::string to_string(PoolingCost pooling) {
  switch (pooling) {
    case PoolingCost::skip: return "skip";
    case PoolingCost::depthwise: return "depthwise";
    case PoolingCost::dense: return "dense";
  }
  return "skip";
}

std::vector<LayerWorkload> lower_graph(const ComputeGraph& graph, const LoweringOptions& options) {
  std::vector<LayerWorkload> out;
  for (LayerId id : graph.topological_order()) {
    const Layer& l = graph.layer(id);
    const bool pool = l.kind == OpKind::max_pool || l.kind == OpKind::avg_pool;
    if (pool && options.pooling == PoolingCost::skip) continue;
    if (!pool && l.kind != OpKind::conv2d && l.kind != OpKind::linear) continue;
    const TensorShape in = graph.input_shape(id);
    const LayerAttributes& a = l.attributes;
    LayerWorkload work;
    work.name = l.name;
    if (pool) {
      const bool depthwise = options.pooling == PoolingCost::depthwise && in.channels > 1;
      work.type = depthwise ? LayerType::dwconv : LayerType::conv;
      work.c = work.m = in.channels;
      work.h = in.height;
      work.w = in.width;
      work.r = a.kernel_h;
      work.s = a.kernel_w;
      work.stride = a.stride;
      work.pad = a.padding;
      work.groups = depthwise ? in.channels : 1;
    } else if (l.kind == OpKind::linear) {
      work.type = LayerType::fc;
      work.c = in.channels;
      work.h = in.height;
      work.w = in.width;
      work.m = a.out_channels;
    } else {
      work.type = (a.groups > 1 && a.groups == in.channels) ? LayerType::dwconv : LayerType::conv;
      work.c = in.channels;
      work.h = in.height;
      work.w = in.width;
      work.m = a.out_channels;
      work.r = a.kernel_h;
      work.s = a.kernel_w;
      work.stride = a.stride;
      work.pad = a.padding;
      work.groups = a.groups;
      work.dilation = a.dilation;
    }
    out.push_back(std::move(work));
  }
  return out;
}

namespace {

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> columns = {"name", "type", "n", "c", "h", "w",
                                                   "m", "r", "s", "stride", "pad", "groups"};
  return columns;
}

int parse_int_field(const std::string& text, const std::string& column, const std::string& where) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
    throw ParseError(where + ": column '" + column + "': expected an integer, got '" + text + "'");
  return value;
}

}  // namespace

std::vector<LayerWorkload> parse_layers_csv(const std::string& text, const std::string& source) {
  std::vector<LayerWorkload> layers;
  std::istringstream stream(text);
  std::string line;
  int line_number = 0;
  bool header_seen = false;
  while (std::getline(stream, line)) {
    ++line_number;
    const std::string row = trim(line);
    if (row.empty() || row[0] == '#') continue;
    const std::string where = source + ":" + std::to_string(line_number);
    std::vector<std::string> fields = split(row, ',');
    for (auto& field : fields) field = trim(field);
    if (!header_seen) {
      header_seen = true;
      if (fields != csv_columns())
        throw ParseError(where + ": expected the header '" + join(csv_columns(), ",") +
                         "', got '" + row + "'");
      continue;
    }
    if (fields.size() != csv_columns().size())
      throw ParseError(where + ": expected " + std::to_string(csv_columns().size()) +
                       " comma-separated fields (" + join(csv_columns(), ",") + "), got " +
                       std::to_string(fields.size()));
    LayerWorkload layer;
    layer.name = fields[0];
    if (layer.name.empty()) throw ParseError(where + ": column 'name' is empty");
    try {
      layer.type = layer_type_from_string(fields[1]);
    } catch (const ParseError& error) {
      throw ParseError(where + ": column 'type': " + error.what());
    }
    int* targets[] = {&layer.n, &layer.c, &layer.h,      &layer.w,   &layer.m,
                      &layer.r, &layer.s, &layer.stride, &layer.pad, &layer.groups};
    for (std::size_t i = 0; i < std::size(targets); ++i)
      *targets[i] = parse_int_field(fields[i + 2], csv_columns()[i + 2], where);
    layer.validate(where);
    layers.push_back(std::move(layer));
  }
  if (!header_seen)
    throw ParseError(source + ": empty layers file; expected the header '" +
                     join(csv_columns(), ",") + "'");
  return layers;
}

std::vector<LayerWorkload> load_layers_csv(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw Error("cannot open layers file '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  return parse_layers_csv(text.str(), path);
}

}  // namespace tandem::hw
