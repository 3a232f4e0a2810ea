// RooflineModel: presets, parsing and the per-layer roofline (see roofline_model.hpp).
#include "hwmodels/roofline_model.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem::hw {
namespace {

struct NumericField {
  const char* name;
  double RooflineDevice::*member;
  bool allow_zero;
  const char* help;
};

constexpr NumericField kFields[] = {
    {"peak_gmacs", &RooflineDevice::peak_gmacs, false, "peak MAC/s / 1e9 (FP32 FLOP/s / 2)"},
    {"bandwidth_gbs", &RooflineDevice::bandwidth_gbs, false, "memory bandwidth in GB/s"},
    {"energy_per_mac_pj", &RooflineDevice::energy_per_mac_pj, true, "pJ per MAC"},
    {"energy_per_byte_pj", &RooflineDevice::energy_per_byte_pj, true, "pJ per byte of memory"},
    {"launch_us", &RooflineDevice::launch_us, true, "fixed overhead per layer, microseconds"},
    {"compute_efficiency", &RooflineDevice::compute_efficiency, false, "fraction of peak MAC/s"},
    {"memory_efficiency", &RooflineDevice::memory_efficiency, false, "fraction of bandwidth"},
    {"area_mm2", &RooflineDevice::area_mm2, true, "die area in mm^2 (0 = unknown)"},
};

RooflineDevice device(const char* name, double gmacs, double gbs, double mac_pj, double byte_pj,
                      double launch_us, int bytes, double area) {
  RooflineDevice d;
  d.name = name;
  d.peak_gmacs = gmacs;
  d.bandwidth_gbs = gbs;
  d.energy_per_mac_pj = mac_pj;
  d.energy_per_byte_pj = byte_pj;
  d.launch_us = launch_us;
  d.bytes_per_element = bytes;
  d.area_mm2 = area;
  return d;
}

}  // namespace

const std::vector<RooflineDevice>& roofline_presets() {
  // Peaks from vendor datasheets (docs/hwmodels.md "roofline presets"); pJ/MAC = board power /
  // peak MAC rate (an upper bound on the compute energy), pJ/byte from the DRAM technology.
  static const std::vector<RooflineDevice> presets = {
      device("gtx_1080ti", 5670, 484, 44, 60, 5, 4, 471),      // 11.34 TFLOPS, GDDR5X, 250 W
      device("rtx_2080ti", 6725, 616, 37, 56, 5, 4, 754),      // 13.45 TFLOPS, GDDR6, 250 W
      device("titan_rtx", 8150, 672, 34, 56, 5, 4, 754),       // 16.3 TFLOPS, GDDR6, 280 W
      device("xeon_gold_6226", 1037, 140.8, 120, 160, 2, 4, 0),  // 12c x 2.7 GHz x 64 FLOP, 125 W
      device("raspberry_pi4", 24, 12.8, 250, 120, 10, 4, 0),   // 4 x 1.5 GHz x 8 FLOP, LPDDR4
      device("pixel3_cpu", 44.8, 29.9, 110, 120, 5, 4, 0),     // 4 x 2.8 GHz x 8 FLOP, LPDDR4X
      device("edge_tpu", 2000, 8, 1, 120, 20, 1, 0),           // 4 TOPS int8 at 2 W
  };
  return presets;
}

const std::vector<ParameterDoc>& RooflineOptions::parameters() {
  static const std::vector<ParameterDoc> docs = [] {
    std::vector<std::string> names;
    for (const auto& p : roofline_presets()) names.push_back(p.name);
    std::vector<ParameterDoc> out = {
        {"preset", "", "a device preset (" + join(names, ", ") +
                           "); without one, peak_gmacs and bandwidth_gbs are required"}};
    for (const NumericField& f : kFields) out.push_back({f.name, "preset", f.help});
    out.push_back({"bytes_per_element", "preset (4)", "bytes per tensor element"});
    out.push_back({"devices_file", "", "a YAML file of user-defined devices {NAME: {field: ...}}"});
    return out;
  }();
  return docs;
}

RooflineOptions RooflineOptions::parse(const ConfigNode& node) {
  check_model_keys(node, parameters());
  RooflineOptions o;
  std::vector<RooflineDevice> available = roofline_presets();
  // User-defined devices from a YAML file: {name: {peak_gmacs: ..., bandwidth_gbs: ...}}.
  if (node.has("devices_file")) {
    std::string path = node.get_string("devices_file");
    const std::string& source = node.source();
    if (!path.empty() && path[0] != '/' && source.find('/') != std::string::npos)
      path = source.substr(0, source.rfind('/') + 1) + path;
    ConfigNode devices = ConfigNode::load_file(path);
    for (const std::string& name : devices.keys()) {
      ConfigNode entry = devices.at(name);
      std::vector<std::string> keys = {"bytes_per_element"};
      for (const NumericField& f : kFields) keys.push_back(f.name);
      entry.check_keys(keys);
      RooflineDevice d;
      d.name = name;
      for (const NumericField& f : kFields)
        if (f.member == &RooflineDevice::peak_gmacs || f.member == &RooflineDevice::bandwidth_gbs)
          d.*f.member = get_required_positive_double(entry, f.name, f.allow_zero);
        else
          d.*f.member = get_positive_double(entry, f.name, d.*f.member, f.allow_zero);
      d.bytes_per_element = static_cast<int>(entry.get_int_in("bytes_per_element", 4, 1, 8));
      available.push_back(d);
    }
  }
  if (node.has("preset")) {
    std::vector<std::string> names;
    for (const auto& p : available) names.push_back(p.name);
    const std::string preset = node.get_choice("preset", "", names);
    for (const auto& p : available)
      if (p.name == preset) o.device = p;
    for (const NumericField& f : kFields)
      o.device.*f.member = get_positive_double(node, f.name, o.device.*f.member, f.allow_zero);
  } else {
    o.device.name = node.get_string("name", "custom");
    for (const NumericField& f : kFields) {
      const bool required =
          f.member == &RooflineDevice::peak_gmacs || f.member == &RooflineDevice::bandwidth_gbs;
      o.device.*f.member = required ? get_required_positive_double(node, f.name, f.allow_zero)
                                    : get_positive_double(node, f.name, o.device.*f.member,
                                                          f.allow_zero);
    }
  }
  o.device.bytes_per_element = static_cast<int>(
      node.get_int_in("bytes_per_element", o.device.bytes_per_element, 1, 8));
  if (o.device.compute_efficiency > 1 || o.device.memory_efficiency > 1)
    node.fail("compute_efficiency and memory_efficiency must be in (0, 1]");
  return o;
}

std::string RooflineOptions::to_yaml() const {
  std::string text = "{model: roofline, name: " + device.name;
  for (const NumericField& f : kFields)
    text += std::string(", ") + f.name + ": " + format_number(device.*f.member);
  return text + ", bytes_per_element: " + std::to_string(device.bytes_per_element) + "}";
}

LayerCost RooflineModel::evaluate_layer(const LayerWorkload& layer) const {
  const RooflineDevice& d = options_.device;
  LayerCost cost;
  cost.name = layer.name;
  cost.macs = layer.macs();
  const double macs = static_cast<double>(cost.macs);
  // Compulsory traffic: inputs + weights + outputs once each.
  const double bytes = static_cast<double>(layer.ifmap_words() + layer.filter_words() +
                                           layer.ofmap_words()) *
                       d.bytes_per_element;
  const double compute_s = macs / (d.peak_gmacs * 1e9 * d.compute_efficiency);
  const double memory_s = bytes / (d.bandwidth_gbs * 1e9 * d.memory_efficiency);
  cost.latency_s = std::max(compute_s, memory_s) + d.launch_us * 1e-6;
  cost.utilization = macs / (cost.latency_s * d.peak_gmacs * 1e9);
  cost.dram.read_bytes = static_cast<double>(layer.ifmap_words() + layer.filter_words()) *
                         d.bytes_per_element;
  cost.dram.write_bytes = static_cast<double>(layer.ofmap_words()) * d.bytes_per_element;
  cost.energy.mac_pj = macs * d.energy_per_mac_pj;
  cost.energy.dram_pj = bytes * d.energy_per_byte_pj;
  cost.mapping = compute_s >= memory_s ? "compute-bound" : "memory-bound";
  return cost;
}

}  // namespace tandem::hw
