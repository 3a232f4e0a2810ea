// The `command` evaluator's protocol (see command_protocol.hpp), written and read with nlohmann's
// JSON library (Debian nlohmann-json3-dev): a complete, strict JSON reader is what a protocol
// other programs speak needs, and tandem's own JsonWriter only writes.
#include "experiments/evaluators/command_protocol.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

using Json = nlohmann::ordered_json;

Json shape_json(const TensorShape& shape) {
  return Json::array({shape.channels, shape.height, shape.width});
}

// A scalar parameter as written in a config: a number when the whole text is one, else a string.
Json scalar_json(const std::string& text) {
  if (!text.empty()) {
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() + text.size() && errno == 0 && std::isfinite(value)) {
      if (value == std::floor(value) && std::fabs(value) < 9.0e15)
        return Json(static_cast<std::int64_t>(value));
      return Json(value);
    }
  }
  return Json(text);
}

Json accelerator_json(const AcceleratorDescription& description) {
  Json parameters = Json::object();
  for (const auto& [key, value] : description.parameters()) {
    switch (value.kind) {
      case AcceleratorDescription::Value::Kind::scalar:
        parameters[key] = scalar_json(value.text);
        break;
      case AcceleratorDescription::Value::Kind::map_list: {
        Json list = Json::array();
        for (const auto& map : value.maps) {
          Json entry = Json::object();
          for (const auto& [name, text] : map) entry[name] = scalar_json(text);
          list.push_back(std::move(entry));
        }
        parameters[key] = std::move(list);
        break;
      }
      case AcceleratorDescription::Value::Kind::yaml:
        parameters[key] = value.text;
        break;
    }
  }
  Json out = Json::object();
  out["model"] = description.model();
  out["parameters"] = std::move(parameters);
  out["text"] = description.to_yaml();
  return out;
}

Json layer_json(const ComputeGraph& graph, const Layer& layer) {
  const LayerAttributes& a = layer.attributes;
  Json out = Json::object();
  out["name"] = layer.name;
  out["op"] = to_string(layer.kind);
  Json inputs = Json::array();
  for (LayerId input : layer.inputs) inputs.push_back(graph.layer(input).name);
  out["inputs"] = std::move(inputs);
  out["output"] = shape_json(layer.output);
  switch (layer.kind) {
    case OpKind::conv2d:
      out["out_channels"] = a.out_channels;
      out["kernel"] = Json::array({a.kernel_h, a.kernel_w});
      out["stride"] = a.stride;
      out["padding"] = a.padding;
      out["dilation"] = a.dilation;
      out["groups"] = a.groups;
      out["bias"] = a.bias;
      break;
    case OpKind::linear:
      out["out_features"] = a.out_channels;
      out["bias"] = a.bias;
      break;
    case OpKind::batch_norm:
      out["affine"] = a.affine;
      break;
    case OpKind::max_pool:
    case OpKind::avg_pool:
      out["kernel"] = Json::array({a.kernel_h, a.kernel_w});
      out["stride"] = a.stride;
      out["padding"] = a.padding;
      out["ceil_mode"] = a.ceil_mode;
      if (layer.kind == OpKind::avg_pool) out["count_include_pad"] = a.count_include_pad;
      break;
    case OpKind::zero:
      out["stride"] = a.stride;
      break;
    case OpKind::channel_slice:
      out["begin"] = a.slice_begin;
      out["end"] = a.slice_end;
      break;
    case OpKind::channel_shuffle:
      out["groups"] = a.groups;
      break;
    case OpKind::dropout:
      out["rate"] = a.rate;
      break;
    default:
      break;
  }
  out["macs"] = graph.layer_macs(layer.id);
  out["params"] = graph.layer_params(layer.id);
  return out;
}

Json network_json(const SearchSpace& space, const ComputeGraph& graph) {
  Json out = Json::object();
  const GraphOptions& options = space.graph_options();
  out["input"] = shape_json(options.input);
  out["classes"] = options.classes;
  out["macs"] = graph.total_macs();
  out["params"] = graph.total_params();
  Json layers = Json::array();
  for (LayerId id : graph.topological_order()) layers.push_back(layer_json(graph, graph.layer(id)));
  out["layers"] = std::move(layers);
  Json outputs = Json::array();
  for (LayerId id : graph.outputs()) outputs.push_back(graph.layer(id).name);
  out["outputs"] = std::move(outputs);
  return out;
}

// Python's json.dumps writes NaN, Infinity and -Infinity for non-finite floats, which JSON lacks:
// outside strings they become the strings "nan", "inf" and "-inf", which the reader accepts.
std::string quote_python_non_finite(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) out += text[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
    } else if (text.compare(i, 9, "-Infinity") == 0) {
      out += "\"-inf\"";
      i += 8;
    } else if (text.compare(i, 8, "Infinity") == 0) {
      out += "\"inf\"";
      i += 7;
    } else if (text.compare(i, 3, "NaN") == 0) {
      out += "\"nan\"";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string shorten(const std::string& text) {
  return text.size() <= 60 ? text : text.substr(0, 57) + "...";
}

// The number a report value stands for, or a message saying why it is not one.
std::optional<double> number_of(const Json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text == "nan" || text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (text == "inf" || text == "Infinity") return std::numeric_limits<double>::infinity();
    if (text == "-inf" || text == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

}  // namespace

std::uint64_t trial_seed(std::uint64_t experiment_seed, const std::string& candidate_text) {
  return Rng(experiment_seed).derive(fnv1a(candidate_text)).next_u64() >> 33;
}

std::string trial_document(const SearchSpace& space, const Candidate& candidate,
                           const TrialDocumentFields& fields) {
  return trial_document_json(space, candidate, fields).dump(2) + "\n";
}

Json trial_document_json(const SearchSpace& space, const Candidate& candidate,
                         const TrialDocumentFields& fields) {
  Json doc = Json::object();
  doc["protocol"] = kCommandProtocolVersion;
  doc["experiment"] = fields.experiment;
  doc["trial"] = fields.number;
  doc["seed"] = fields.seed;
  doc["worker"] = fields.worker_index;
  doc["trial_dir"] = fields.trial_dir;
  doc["space"] = space.name();
  doc["candidate"] = space.to_string(candidate);
  doc["architecture"] = space.architecture_string(candidate);
  Json decisions = Json::array();
  const auto& all = space.decisions();
  for (std::size_t i = 0; i < all.size() && i < candidate.decisions.size(); ++i) {
    Json decision = Json::object();
    decision["name"] = all[i].name;
    decision["index"] = candidate.decisions[i];
    decision["choice"] = all[i].choices.at(static_cast<std::size_t>(candidate.decisions[i]));
    decisions.push_back(std::move(decision));
  }
  doc["decisions"] = std::move(decisions);
  const auto accelerator = space.accelerator_description(candidate);
  doc["accelerator"] = accelerator ? accelerator_json(*accelerator) : Json(nullptr);
  // A space without a network (accelerator parameters, a table-only space) says so by raising an
  // Error from to_graph: the document then carries no network.
  std::optional<ComputeGraph> graph;
  try {
    graph = space.to_graph(candidate);
  } catch (const Error&) {
  }
  doc["network"] = graph ? network_json(space, *graph) : Json(nullptr);
  return doc;
}

ProgramLine parse_program_line(std::string_view line) {
  ProgramLine out;
  const std::size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos || line[first] != '{') return out;
  Json object = Json::parse(quote_python_non_finite(line), nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return out;  // not JSON: a log line that happens to start with '{'

  auto malformed = [&](std::string problem) {
    ProgramLine bad;
    bad.kind = ProgramLine::Kind::malformed;
    bad.problem = std::move(problem);
    return bad;
  };
  if (auto step = object.find("step"); step != object.end()) {
    const auto value = step->is_number() ? std::optional<double>(step->get<double>()) : std::nullopt;
    if (!value || !(*value >= 0) || *value >= 2147483648.0 || *value != std::floor(*value))
      return malformed("\"step\" is " + shorten(step->dump()) +
                       ": expected a whole number in [0, 2147483647]");
    out.kind = ProgramLine::Kind::intermediate;
    out.step = static_cast<int>(*value);
  } else {
    out.kind = ProgramLine::Kind::final;
  }
  for (const auto& [name, value] : object.items()) {
    if (name == "step") continue;
    if (name.empty()) return malformed("a metric has an empty name");
    const auto number = number_of(value);
    if (!number)
      return malformed("value of '" + shorten(name) + "' is " + shorten(value.dump()) +
                       ": expected a number (or \"nan\", \"inf\", \"-inf\")");
    out.values.set(name, *number);
  }
  return out;
}

std::string reply_line(std::optional<int> step, bool prune) {
  Json reply = Json::object();
  if (step) reply["step"] = *step;
  reply["prune"] = prune;
  return reply.dump();
}

}  // namespace tandem
