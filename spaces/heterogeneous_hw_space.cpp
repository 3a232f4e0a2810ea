// The heterogeneous_hw accelerator space (see heterogeneous_hw_space.hpp).
#include "spaces/heterogeneous_hw_space.hpp"

#include <algorithm>
#include <cmath>

#include "core/text.hpp"
#include "spaces/accelerator_space.hpp"

namespace tandem {
namespace {

constexpr int kSlots = 3;

class HeterogeneousHwSpace final : public AcceleratorParameterSpace {
 public:
  explicit HeterogeneousHwSpace(const ConfigNode& options)
      : AcceleratorParameterSpace(
            "heterogeneous_hw", "heterogeneous",
            "NASAIC-style chip: 1..3 sub-accelerators (os/ws/rs), PE and bandwidth split",
            parameters(), options) {}

  std::optional<AcceleratorDescription> accelerator_description(
      const Candidate& candidate) const override {
    check(candidate);
    using Value = AcceleratorDescription::Value;
    // Decision order: count, total_pes, dram_bytes_per_cycle, then per slot template, pe_share,
    // bw_share.
    const int count = std::stoi(value(candidate, 0));
    const double total_pes = std::stod(value(candidate, 1));
    double pe_weights = 0, bw_weights = 0;
    for (int i = 0; i < count; ++i) {
      pe_weights += std::stod(value(candidate, slot(i) + 1));
      bw_weights += std::stod(value(candidate, slot(i) + 2));
    }
    std::vector<AcceleratorDescription::ScalarMap> subs;
    for (int i = 0; i < count; ++i) {
      const std::string& tmpl = value(candidate, slot(i));
      const double pes = std::max(
          1.0, std::floor(total_pes * std::stod(value(candidate, slot(i) + 1)) / pe_weights));
      int rows = 1;
      while (double(rows) * 2 * rows * 2 <= pes) rows *= 2;  // largest power of 2 <= sqrt(pes)
      const int cols = std::max(1, static_cast<int>(pes / rows));
      const double share = std::stod(value(candidate, slot(i) + 2)) / bw_weights;
      subs.push_back({{"template", tmpl},
                      {tmpl == "rs" ? "pe_rows" : "rows", std::to_string(rows)},
                      {tmpl == "rs" ? "pe_cols" : "cols", std::to_string(cols)},
                      {"bandwidth_share", format_number(share)}});
    }
    AcceleratorDescription description(
        "heterogeneous", {{"assignment", Value::scalar("layers")},
                          {"dram_bytes_per_cycle", Value::scalar(value(candidate, 2), origin(candidate, 2))},
                          {"sub_accelerators", Value::map_list(std::move(subs))}});
    for (const auto& [key, v] : fixed()) description.add(key, v);
    return description;
  }

 private:
  static std::size_t slot(int i) { return 3 + 3 * static_cast<std::size_t>(i); }
  static std::vector<Parameter> parameters() {
    std::vector<Parameter> out = {{"count", {"1", "2", "3"}},
                                  {"total_pes", {"256", "512", "1024"}},
                                  {"dram_bytes_per_cycle", {"16", "32", "64"}}};
    for (int i = 0; i < kSlots; ++i) {
      const std::string n = std::to_string(i);
      out.push_back({"template_" + n, {"os", "ws", "rs"}, false});
      out.push_back({"pe_share_" + n, {"1", "2", "3", "4"}});
      out.push_back({"bw_share_" + n, {"1", "2", "3", "4"}});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<SearchSpace> create_heterogeneous_hw_space(const ConfigNode& options) {
  auto space = std::make_unique<HeterogeneousHwSpace>(options);
  const auto& counts = space->decisions()[0].choices;
  for (const auto& c : counts)
    if (c != "1" && c != "2" && c != "3")
      options.at("count").fail("expected counts between 1 and 3, got '" + c + "'");
  return space;
}

}  // namespace tandem
