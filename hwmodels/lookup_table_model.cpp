// LookupTableModel: CSV parsing, signature lookup and the declared fallback
// (see lookup_table_model.hpp).
#include "hwmodels/lookup_table_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem::hw {

const std::vector<ParameterDoc>& LookupTableOptions::parameters() {
  static const std::vector<ParameterDoc> docs = {
      {"table", "", "CSV of measurements (relative to the YAML file): "
                    "type,n,c,h,w,m,r,s,stride,pad,groups,latency_ms,energy_mj"},
      {"fallback", "", "optional model config ({model: roofline, preset: ...}) for unseen layers"},
      {"area_mm2", "0", "device area to report"},
  };
  return docs;
}

std::map<std::string, LookupEntry> parse_lookup_csv(const std::string& text,
                                                    const std::string& source) {
  static const std::vector<std::string> required = {"type", "n",      "c",   "h",      "w",
                                                    "m",    "r",      "s",   "stride", "pad",
                                                    "groups", "latency_ms", "energy_mj"};
  std::map<std::string, LookupEntry> entries;
  std::istringstream stream(text);
  std::string line;
  int line_number = 0;
  std::vector<int> column;  // index of each required field in a row
  std::size_t width = 0;
  while (std::getline(stream, line)) {
    ++line_number;
    const std::string row = trim(line);
    if (row.empty() || row[0] == '#') continue;
    const std::string where = source + ":" + std::to_string(line_number);
    std::vector<std::string> fields = split(row, ',');
    for (auto& f : fields) f = trim(f);
    if (column.empty()) {
      for (const auto& name : required) {
        auto found = std::find(fields.begin(), fields.end(), name);
        if (found == fields.end())
          throw ParseError(where + ": header lacks column '" + name + "'; required: " +
                           join(required, ","));
        column.push_back(static_cast<int>(found - fields.begin()));
      }
      width = fields.size();
      continue;
    }
    if (fields.size() != width)
      throw ParseError(where + ": expected " + std::to_string(width) + " fields, got " +
                       std::to_string(fields.size()));
    auto field = [&](int i) { return fields[static_cast<std::size_t>(column[i])]; };
    auto number = [&](int i) {
      const std::string& value = field(i);
      try {
        std::size_t used = 0;
        double parsed = std::stod(value, &used);
        if (used == value.size() && parsed >= 0) return parsed;
      } catch (const std::exception&) {
      }
      throw ParseError(where + ": column '" + required[i] + "': expected a number >= 0, got '" +
                       value + "'");
    };
    LayerWorkload layer;
    try {
      layer.type = layer_type_from_string(field(0));
    } catch (const ParseError& error) {
      throw ParseError(where + ": " + error.what());
    }
    int* ints[] = {&layer.n, &layer.c, &layer.h,   &layer.w,   &layer.m,
                   &layer.r, &layer.s, &layer.stride, &layer.pad, &layer.groups};
    for (int i = 0; i < 10; ++i) {
      const double value = number(i + 1);
      // Range first: converting a double beyond int's range to int is undefined behaviour.
      if (value > std::numeric_limits<int>::max() || value != std::floor(value))
        throw ParseError(where + ": column '" + required[i + 1] +
                         "': expected an integer (at most 2147483647), got '" + field(i + 1) + "'");
      *ints[i] = static_cast<int>(value);
    }
    layer.name = "row";
    layer.validate(where);
    entries[layer.signature()] = LookupEntry{number(11), number(12)};
  }
  if (column.empty()) throw ParseError(source + ": empty lookup table (no header)");
  return entries;
}

LookupTableOptions LookupTableOptions::parse(const ConfigNode& node) {
  check_model_keys(node, parameters());
  LookupTableOptions o;
  std::string path = node.get_string("table");
  const std::string& source = node.source();
  if (!path.empty() && path[0] != '/' && source.find('/') != std::string::npos)
    path = source.substr(0, source.rfind('/') + 1) + path;
  o.table_path = path;
  std::ifstream file(path);
  if (!file) node.at("table").fail("cannot open lookup table '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  o.entries = parse_lookup_csv(text.str(), path);
  if (node.has("fallback")) o.fallback = create_cost_model(node.at("fallback"));
  o.area_mm2 = get_positive_double(node, "area_mm2", 0, true);
  return o;
}

std::string LookupTableModel::describe() const {
  return "{model: lookup_table, table: " + options_.table_path +
         (options_.fallback ? ", fallback: " + options_.fallback->describe() : "") +
         ", area_mm2: " + format_number(options_.area_mm2) + "}";
}

LayerCost LookupTableModel::evaluate_layer(const LayerWorkload& layer) const {
  const std::string key = layer.signature();
  auto found = options_.entries.find(key);
  if (found == options_.entries.end()) {
    if (!options_.fallback)
      throw Error("lookup table '" + options_.table_path + "' has no entry for layer '" +
                  layer.name + "' (" + key + ") and no fallback model is declared");
    LayerCost cost = options_.fallback->evaluate_layer(layer);
    cost.mapping = "fallback " + options_.fallback->name() +
                   (cost.mapping.empty() ? "" : ": " + cost.mapping);
    return cost;
  }
  LayerCost cost;
  cost.name = layer.name;
  cost.macs = layer.macs();
  cost.latency_s = found->second.latency_ms * 1e-3;
  // The table gives only the layer's total energy; components are unknown, so the total is
  // reported in the MAC component (docs/hwmodels.md, "lookup_table").
  cost.energy.mac_pj = found->second.energy_mj * 1e9;
  cost.mapping = "measured";
  return cost;
}

}  // namespace tandem::hw
