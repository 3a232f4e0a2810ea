// LookupTableModel: per-layer latency and energy measured on a real device, loaded from a CSV
// keyed by the layer signature (type, shapes, kernel, stride, padding, groups) — the way FBNet
// (Wu et al., CVPR 2019, latency lookup table) and nn-Meter (Zhang et al., MobiSys 2021, kernel
// tables) predict latency. An unseen layer is an error naming its signature, unless a fallback
// model is declared, which then costs the layer (its report row says so).
//
// CSV header (any column order): type,n,c,h,w,m,r,s,stride,pad,groups,latency_ms,energy_mj
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hwmodels/cost_model.hpp"

namespace tandem::hw {

struct LookupEntry {
  double latency_ms = 0;
  double energy_mj = 0;
};

struct LookupTableOptions {
  std::string table_path;
  std::map<std::string, LookupEntry> entries;  // signature -> measurement
  std::shared_ptr<const CostModel> fallback;   // null = unseen layers are errors
  double area_mm2 = 0;

  static const std::vector<ParameterDoc>& parameters();
  static LookupTableOptions parse(const ConfigNode& node);
};

// Parses the CSV text; errors name "source:line".
std::map<std::string, LookupEntry> parse_lookup_csv(const std::string& text,
                                                    const std::string& source);

class LookupTableModel final : public CostModel {
 public:
  explicit LookupTableModel(LookupTableOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "lookup_table"; }
  // Throws tandem::Error for an unseen layer without a fallback.
  LayerCost evaluate_layer(const LayerWorkload& layer) const override;
  double area_mm2() const override { return options_.area_mm2; }
  std::string describe() const override;
  std::size_t size() const { return options_.entries.size(); }

 private:
  LookupTableOptions options_;
};

}  // namespace tandem::hw
