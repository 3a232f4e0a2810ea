// PyTorch source and weights of a network (see pytorch_export.hpp).
#include "trainers/pytorch_export.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "core/error.hpp"

namespace tandem {
namespace {

// The ModuleDict key of every layer: its name with characters other than [A-Za-z0-9_] replaced
// by '_', made unique by the layer's id when two names collide.
std::vector<std::string> module_keys(const ComputeGraph& graph) {
  std::vector<std::string> keys;
  std::set<std::string> taken;
  for (const Layer& layer : graph.layers()) {
    std::string key;
    for (char c : layer.name)
      key += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
    if (key.empty()) key = "layer";
    if (taken.count(key)) key += "_" + std::to_string(layer.id);
    taken.insert(key);
    keys.push_back(key);
  }
  return keys;
}

// A Python string literal (double-quoted, escaped).
std::string py_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string py_bool(bool value) { return value ? "True" : "False"; }

std::string py_number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

// The tensors of one layer that the weights file holds, by suffix, in file order.
const char* const kSuffixes[] = {".weight", ".bias", ".running_mean", ".running_var"};

struct WeightEntry {
  std::string key;  // state-dict key
  std::vector<std::int64_t> shape;
  Tensor* value;
};

std::vector<WeightEntry> weight_entries(const ComputeGraph& graph, ParameterSet& parameters) {
  const std::vector<std::string> keys = module_keys(graph);
  std::vector<WeightEntry> entries;
  for (const Layer& layer : graph.layers()) {
    for (const char* suffix : kSuffixes) {
      const std::string name = layer.name + suffix;
      Tensor* value = nullptr;
      if (Parameter* p = parameters.find(name)) value = &p->value;
      else if (Buffer* b = parameters.find_buffer(name)) value = &b->value;
      if (!value) continue;
      entries.push_back({"layers." + keys[layer.id] + suffix,
                         std::vector<std::int64_t>(value->shape().begin(), value->shape().end()),
                         value});
    }
  }
  return entries;
}

std::string shape_tuple(const std::vector<std::int64_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i)
    out += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? ", " : "");
  if (out.size() > 1 && out.back() == ' ') out.pop_back();
  return out + ")";
}

// The constructor line of a layer with parameters ("" for parameter-free layers).
std::string module_line(const ComputeGraph& graph, const Layer& layer,
                        const PytorchExportOptions& options) {
  const LayerAttributes& a = layer.attributes;
  switch (layer.kind) {
    case OpKind::conv2d: {
      const TensorShape in = graph.input_shape(layer.id);
      return "nn.Conv2d(" + std::to_string(in.channels) + ", " + std::to_string(a.out_channels) +
             ", (" + std::to_string(a.kernel_h) + ", " + std::to_string(a.kernel_w) +
             "), stride=" + std::to_string(a.stride) + ", padding=" + std::to_string(a.padding) +
             ", dilation=" + std::to_string(a.dilation) + ", groups=" + std::to_string(a.groups) +
             ", bias=" + py_bool(a.bias) + ")";
    }
    case OpKind::linear:
      return "nn.Linear(" + std::to_string(graph.input_shape(layer.id).elements()) + ", " +
             std::to_string(a.out_channels) + ", bias=" + py_bool(a.bias) + ")";
    case OpKind::batch_norm:
      return "nn.BatchNorm2d(" + std::to_string(layer.output.channels) +
             ", eps=" + py_number(options.bn_epsilon) +
             ", momentum=" + py_number(options.bn_momentum) + ", affine=" + py_bool(a.affine) + ")";
    case OpKind::dropout:
      return "nn.Dropout(" + py_number(a.rate) + ")";
    default:
      return "";
  }
}

// The forward() statement computing layer `layer` into v<id>.
std::string forward_line(const ComputeGraph& graph, const Layer& layer, const std::string& key) {
  const LayerAttributes& a = layer.attributes;
  auto v = [](LayerId id) { return "v" + std::to_string(id); };
  const std::string x = layer.inputs.empty() ? "x" : v(layer.inputs.front());
  const std::string module = "self.layers[" + py_string(key) + "]";
  const std::string kernel = "(" + std::to_string(a.kernel_h) + ", " + std::to_string(a.kernel_w) + ")";
  std::string expression;
  switch (layer.kind) {
    case OpKind::input: expression = "x"; break;
    case OpKind::conv2d:
    case OpKind::batch_norm:
    case OpKind::dropout: expression = module + "(" + x + ")"; break;
    case OpKind::linear: expression = module + "(torch.flatten(" + x + ", 1))"; break;
    case OpKind::relu: expression = "F.relu(" + x + ")"; break;
    case OpKind::relu6: expression = "F.relu6(" + x + ")"; break;
    case OpKind::max_pool:
      expression = "F.max_pool2d(" + x + ", " + kernel + ", " + std::to_string(a.stride) + ", " +
                   std::to_string(a.padding) + ", ceil_mode=" + py_bool(a.ceil_mode) + ")";
      break;
    case OpKind::avg_pool:
      expression = "F.avg_pool2d(" + x + ", " + kernel + ", " + std::to_string(a.stride) + ", " +
                   std::to_string(a.padding) + ", ceil_mode=" + py_bool(a.ceil_mode) +
                   ", count_include_pad=" + py_bool(a.count_include_pad) + ")";
      break;
    case OpKind::global_avg_pool: expression = x + ".mean(dim=(2, 3), keepdim=True)"; break;
    case OpKind::add: {
      expression = v(layer.inputs.front());
      for (std::size_t i = 1; i < layer.inputs.size(); ++i) expression += " + " + v(layer.inputs[i]);
      break;
    }
    case OpKind::concat: {
      expression = "torch.cat([";
      for (std::size_t i = 0; i < layer.inputs.size(); ++i)
        expression += (i ? ", " : "") + v(layer.inputs[i]);
      expression += "], dim=1)";
      break;
    }
    case OpKind::zero:
      expression = x + ".new_zeros((" + x + ".shape[0], " + std::to_string(layer.output.channels) +
                   ", " + std::to_string(layer.output.height) + ", " +
                   std::to_string(layer.output.width) + "))";
      break;
    case OpKind::identity: expression = x; break;
    case OpKind::channel_slice:
      expression = x + "[:, " + std::to_string(a.slice_begin) + ":" + std::to_string(a.slice_end) + "]";
      break;
    case OpKind::channel_shuffle: {
      const TensorShape in = graph.input_shape(layer.id);
      const std::string g = std::to_string(a.groups);
      expression = x + ".reshape(" + x + ".shape[0], " + g + ", " +
                   std::to_string(in.channels / a.groups) + ", " + std::to_string(in.height) +
                   ", " + std::to_string(in.width) + ").transpose(1, 2).reshape(" + x +
                   ".shape[0], " + std::to_string(in.channels) + ", " + std::to_string(in.height) +
                   ", " + std::to_string(in.width) + ")";
      break;
    }
  }
  return v(layer.id) + " = " + expression + "  # " + layer.name + ": " + to_string(layer.kind);
}

}  // namespace

std::string pytorch_state_key(const ComputeGraph& graph, const std::string& tandem_name) {
  const std::vector<std::string> keys = module_keys(graph);
  for (const Layer& layer : graph.layers())
    for (const char* suffix : kSuffixes)
      if (tandem_name == layer.name + suffix) return "layers." + keys[layer.id] + suffix;
  throw Error("no layer of the network holds '" + tandem_name + "'");
}

std::string pytorch_module_source(const ComputeGraph& graph, ParameterSet* parameters,
                                  const PytorchExportOptions& options) {
  TANDEM_CHECK(options.weights_file.empty() || parameters,
               "exporting weights needs the network's parameters");
  const std::vector<std::string> keys = module_keys(graph);
  const std::vector<LayerId> inputs = graph.inputs();
  TANDEM_CHECK(inputs.size() == 1, "a PyTorch export needs a network with one input");
  const TensorShape input = graph.layer(inputs.front()).output;
  std::vector<LayerId> outputs = graph.outputs();
  if (outputs.empty()) outputs.push_back(graph.size() - 1);

  std::ostringstream py;
  for (std::string line : options.header) {
    for (char& c : line)
      if (c == '\n' || c == '\r') c = ' ';  // one comment line each
    py << "# " << line << "\n";
  }
  py << "# Written by `tandem export`: needs torch only. build() returns the network"
     << (options.weights_file.empty() ? " (PyTorch's own initialisation).\n"
                                      : " with its weights.\n")
     << "import os\n\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
     << "INPUT_SHAPE = (" << input.channels << ", " << input.height << ", " << input.width
     << ")  # C, H, W of one sample\n";
  if (!options.weights_file.empty()) {
    py << "WEIGHTS_FILE = " << py_string(options.weights_file)
       << "  # float32, little-endian, in the order of WEIGHTS\n"
       << "WEIGHTS = [  # state-dict key, shape\n";
    for (const WeightEntry& entry : weight_entries(graph, *parameters))
      py << "    (" << py_string(entry.key) << ", " << shape_tuple(entry.shape) << "),\n";
    py << "]\n";
  }
  py << "\n\nclass " << options.class_name << "(nn.Module):\n"
     << "    def __init__(self):\n        super().__init__()\n        self.layers = nn.ModuleDict()\n";
  for (const Layer& layer : graph.layers()) {
    const std::string line = module_line(graph, layer, options);
    if (!line.empty())
      py << "        self.layers[" << py_string(keys[layer.id]) << "] = " << line << "\n";
  }
  py << "\n    def forward(self, x):\n";
  for (LayerId id : graph.topological_order())
    py << "        " << forward_line(graph, graph.layer(id), keys[id]) << "\n";
  py << "        return v" << outputs.front() << "\n\n\n";
  py << "def build():\n    model = " << options.class_name << "()\n";
  if (!options.weights_file.empty()) {
    py << "    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), WEIGHTS_FILE)\n"
       << "    with open(path, \"rb\") as f:\n        data = bytearray(f.read())\n"
       << "    state = dict(model.named_parameters())\n    state.update(model.named_buffers())\n"
       << "    offset = 0\n    for key, shape in WEIGHTS:\n        count = 1\n"
       << "        for n in shape:\n            count *= n\n"
       << "        values = torch.frombuffer(data, dtype=torch.float32, count=count, "
          "offset=offset)\n"
       << "        with torch.no_grad():\n            state[key].copy_(values.reshape(shape))\n"
       << "        offset += 4 * count\n"
       << "    if offset != len(data):\n"
       << "        raise ValueError(\"%s: %d bytes, expected %d\" % (path, len(data), offset))\n";
  }
  py << "    return model\n";
  return py.str();
}

void write_pytorch_weights(const std::string& path, const ComputeGraph& graph,
                           ParameterSet& parameters) {
  static_assert(sizeof(float) == 4, "float32 weights");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot write the weights file");
  for (const WeightEntry& entry : weight_entries(graph, parameters)) {
    for (float value : entry.value->values()) {
      std::uint32_t bits;
      std::memcpy(&bits, &value, 4);
      const unsigned char bytes[4] = {static_cast<unsigned char>(bits),
                                      static_cast<unsigned char>(bits >> 8),
                                      static_cast<unsigned char>(bits >> 16),
                                      static_cast<unsigned char>(bits >> 24)};
      out.write(reinterpret_cast<const char*>(bytes), 4);
    }
  }
  if (!out.flush()) throw Error(path + ": cannot write the weights file");
}

void read_pytorch_weights(const std::string& path, const ComputeGraph& graph,
                          ParameterSet& parameters) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the weights file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<WeightEntry> entries = weight_entries(graph, parameters);
  std::size_t expected = 0;
  for (const WeightEntry& entry : entries) expected += static_cast<std::size_t>(entry.value->numel()) * 4;
  if (bytes.size() != expected)
    throw Error(path + ": " + std::to_string(bytes.size()) + " bytes, but the network's " +
                std::to_string(entries.size()) + " tensors take " + std::to_string(expected) +
                " (weights of another network?)");
  std::size_t at = 0;
  for (const WeightEntry& entry : entries) {
    for (float& v : entry.value->values()) {
      const auto* b = reinterpret_cast<const unsigned char*>(bytes.data() + at);
      const std::uint32_t bits = static_cast<std::uint32_t>(b[0]) |
                                 static_cast<std::uint32_t>(b[1]) << 8 |
                                 static_cast<std::uint32_t>(b[2]) << 16 |
                                 static_cast<std::uint32_t>(b[3]) << 24;
      std::memcpy(&v, &bits, 4);
      at += 4;
    }
  }
}

}  // namespace tandem
