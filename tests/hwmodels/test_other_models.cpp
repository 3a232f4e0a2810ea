// Roofline, lookup table, heterogeneous chip and the registry: hand-computed values, design-spec
// violations and one-line errors for bad input.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/config_node.hpp"
#include "hwmodels/area.hpp"
#include "hwmodels/cost_model.hpp"
#include "hwmodels/heterogeneous_model.hpp"
#include "hwmodels/lookup_table_model.hpp"
#include "hwmodels/roofline_model.hpp"

using namespace tandem;
using namespace tandem::hw;

namespace {
LayerWorkload fc(int c, int m) {
  LayerWorkload l;
  l.name = "fc";
  l.type = LayerType::fc;
  l.c = c;
  l.m = m;
  return l;
}
std::string temp_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("roofline: memory-bound FC and compute-bound conv, by hand") {
  auto model = create_cost_model(ConfigNode::parse(
      "model: roofline\npeak_gmacs: 100\nbandwidth_gbs: 10\ncompute_efficiency: 1\n"
      "memory_efficiency: 1\nenergy_per_mac_pj: 2\nenergy_per_byte_pj: 10\n",
      "r.yaml"));
  // FC 1000 -> 1000: 1e6 MACs -> 10 us compute; bytes (1000 + 1e6 + 1000) * 4 = 4.008e6 ->
  // 400.8 us memory. Latency = 400.8 us (+ 0 launch).
  LayerCost cost = model->evaluate_layer(fc(1000, 1000));
  CHECK(cost.latency_s == doctest::Approx(400.8e-6));
  CHECK(cost.mapping == "memory-bound");
  CHECK(cost.energy.total_pj() == doctest::Approx(1e6 * 2 + 4.008e6 * 10));
  // conv 64 -> 64, 3x3, 56x56, pad 1: MACs = 56*56*64*576 = 115,605,504 -> 1.156 ms compute;
  // bytes = (200704 + 36864 + 200704) * 4 = 1,753,088 -> 175 us. Compute-bound.
  LayerWorkload conv;
  conv.c = 64, conv.h = conv.w = 56, conv.m = 64, conv.r = conv.s = 3, conv.pad = 1;
  cost = model->evaluate_layer(conv);
  CHECK(cost.latency_s == doctest::Approx(115605504.0 / 100e9));
  CHECK(cost.utilization == doctest::Approx(1.0));
  // Presets load and a required field without a preset is reported missing.
  CHECK(create_cost_model(ConfigNode::parse("model: roofline\npreset: titan_rtx\n", "r"))
            ->evaluate_layer(conv)
            .latency_s > 0);
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse("model: roofline\npeak_gmacs: 10\n", "r.yaml")),
      doctest::Contains("missing required key 'bandwidth_gbs'"), ConfigError);
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse("model: roofline\npreset: titan\n", "r.yaml")),
      doctest::Contains("titan_rtx"), ConfigError);
}

TEST_CASE("roofline: user-defined devices from a YAML file") {
  const std::string devices = temp_file("tandem_devices.yaml",
                                        "my_npu: {peak_gmacs: 50, bandwidth_gbs: 5}\n");
  auto model = create_cost_model(ConfigNode::parse(
      "model: roofline\ndevices_file: " + devices + "\npreset: my_npu\ncompute_efficiency: 1\n",
      "r.yaml"));
  // 1e6 MACs at 50 GMAC/s = 20 us; bytes 4.008e6 at 5 GB/s * 0.7 = 1145.1 us (+ 0 launch).
  CHECK(model->evaluate_layer(fc(1000, 1000)).latency_s ==
        doctest::Approx(4.008e6 / (5e9 * 0.7)));
}

TEST_CASE("lookup_table: measured rows, unseen layers and the declared fallback") {
  const std::string table = temp_file(
      "tandem_lut.csv",
      "type,n,c,h,w,m,r,s,stride,pad,groups,latency_ms,energy_mj\n"
      "fc,1,64,1,1,10,1,1,1,0,1,0.25,0.001\n");
  auto model = create_cost_model(
      ConfigNode::parse("model: lookup_table\ntable: " + table + "\n", "l.yaml"));
  LayerCost cost = model->evaluate_layer(fc(64, 10));
  CHECK(cost.latency_s == doctest::Approx(0.25e-3));
  CHECK(cost.energy.total_pj() == doctest::Approx(1e6));
  CHECK_THROWS_WITH_AS(model->evaluate_layer(fc(64, 11)),
                       doctest::Contains("no entry for layer 'fc' (fc n1 c64 h1 w1 m11"), Error);
  auto with_fallback = create_cost_model(ConfigNode::parse(
      "model: lookup_table\ntable: " + table +
          "\nfallback: {model: roofline, peak_gmacs: 1, bandwidth_gbs: 1000, launch_us: 0,"
          " compute_efficiency: 1}\n",
      "l.yaml"));
  cost = with_fallback->evaluate_layer(fc(64, 11));
  CHECK(cost.latency_s == doctest::Approx(704e-9));  // 704 MACs at 1 GMAC/s
  CHECK(cost.mapping.find("fallback roofline") == 0);
  const std::string bad = temp_file("tandem_lut_bad.csv",
                                    "type,n,c,h,w,m,r,s,stride,pad,groups,latency_ms,energy_mj\n"
                                    "fc,1,64,1,1,10,1,1,1,0,1,fast,0.001\n");
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse("model: lookup_table\ntable: " + bad + "\n", "l")),
      doctest::Contains("tandem_lut_bad.csv:2: column 'latency_ms'"), ParseError);
  CHECK_THROWS_WITH_AS(create_cost_model(ConfigNode::parse("model: lookup_table\n", "l.yaml")),
                       doctest::Contains("missing required key 'table'"), ConfigError);
}

// Found by tests/fuzz/fuzz_lookup_table: a size beyond int's range was converted to int before it
// was checked (undefined behaviour, reported by UBSan); now it is refused with the accepted range.
TEST_CASE("lookup_table: a layer size beyond 2147483647 is one clear line") {
  const std::string header = "type,n,c,h,w,m,r,s,stride,pad,groups,latency_ms,energy_mj\n";
  CHECK_THROWS_WITH_AS(parse_lookup_csv(header + "fc,1,12147483647,1,1,10,1,1,1,0,1,0.2,0.1\n", "t.csv"),
                       "t.csv:2: column 'c': expected an integer (at most 2147483647), got "
                       "'12147483647'",
                       ParseError);
  CHECK_THROWS_WITH_AS(parse_lookup_csv(header + "fc,1,2147483648,1,1,10,1,1,1,0,1,0.2,0.1\n", "t.csv"),
                       doctest::Contains("at most 2147483647"), ParseError);
  CHECK(parse_lookup_csv(header + "fc,1,2147483647,1,1,10,1,1,1,0,1,0.2,0.1\n", "t.csv").size() == 1);
}

TEST_CASE("heterogeneous: parallel sub-accelerators, assignment and design specs") {
  const std::string fast =
      "model: heterogeneous\ndram_bytes_per_cycle: 1000000\nfrequency_mhz: 100\n"
      "sub_accelerators:\n"
      "  - {template: os, rows: 4, cols: 4, bandwidth_share: 0.5}\n"
      "  - {template: ws, rows: 4, cols: 4, bandwidth_share: 0.5}\n"
      "task_assignment: [0, 1]\nspecs: {max_latency_ms: 0.0005}\n";
  auto model = create_cost_model(ConfigNode::parse(fast, "h.yaml"));
  LayerWorkload a = fc(10, 6);
  a.n = 5;  // OS 4x4: 63 cycles (see test_systolic); WS 4x4: 89 cycles
  // Task 0 on the OS array: 2 layers x 63 = 126 cycles; task 1 on WS: 1 layer x 89 cycles.
  // In parallel: max(126, 89) = 126 cycles at 100 MHz = 1.26 us.
  // Through the CostModel interface: no cast to the heterogeneous model.
  CostReport report = model->evaluate_tasks({{"t0", {a, a}}, {"t1", {a}}});
  CHECK(report.layers.size() == 3);
  CHECK(report.layers[0].name == "task0/fc");
  CHECK(report.total.latency_s == doctest::Approx(126 / 100e6));
  CHECK(report.total.compute_cycles == 126 + 89);
  // 1.26 us > spec 0.5 us.
  CHECK_FALSE(report.feasible);
  CHECK(report.reason.find("latency") == 0);
  // Area is the sum of the two arrays' areas.
  CHECK(report.area_mm2 == doctest::Approx(2 * (16 * area::systolic_pe_um2(8) / 1e6 +
                                                area::sram_mm2(192))));
  // Per-layer assignment picks the faster array: OS (63 cycles) over WS (89 cycles).
  auto layers = create_cost_model(ConfigNode::parse(
      "model: heterogeneous\nassignment: layers\ndram_bytes_per_cycle: 1000000\n"
      "sub_accelerators: [{template: ws, rows: 4, cols: 4}, {template: os, rows: 4, cols: 4}]\n",
      "h.yaml"));
  LayerCost best = layers->evaluate_layer(a);
  CHECK(best.compute_cycles == 63);
  CHECK(best.mapping.find("sub 1 (os)") == 0);
  // A row-stationary sub-accelerator is accepted as a third template.
  CHECK(create_cost_model(ConfigNode::parse(
            "model: heterogeneous\nsub_accelerators: [{template: rs, pe_rows: 4, pe_cols: 4}]\n",
            "h.yaml"))
            ->evaluate_layer(a)
            .feasible);
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse(
          "model: heterogeneous\nsub_accelerators: [{template: os, bandwidth_share: 0.8},"
          " {template: ws, bandwidth_share: 0.8}]\n",
          "h.yaml")),
      doctest::Contains("sum to 1.6"), ConfigError);
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse(
          "model: heterogeneous\nsub_accelerators: [{template: tpu}]\n", "h.yaml")),
      doctest::Contains("accepted: os, ws, rs"), ConfigError);
}

TEST_CASE("evaluate_tasks: a single-clock model runs the networks one after another") {
  // OS 4x4 systolic array, FC P=5 K=10 M=6: 63 cycles per layer (see test_systolic).
  auto model = create_cost_model(ConfigNode::parse(
      "{model: systolic, rows: 4, cols: 4, dataflow: os, dram_bytes_per_cycle: 1000000}", "s"));
  LayerWorkload a = fc(10, 6);
  a.n = 5;
  const CostReport two = model->evaluate_tasks({{"cifar10", {a, a}}, {"cifar100", {a}}});
  REQUIRE(two.layers.size() == 3);
  CHECK(two.layers[0].name == "cifar10/fc");
  CHECK(two.layers[2].name == "cifar100/fc");
  CHECK(two.total.compute_cycles == 3 * 63);  // sequential: the sum
  // One task: the plain network, layer names unchanged.
  const CostReport one = model->evaluate_tasks({{"cifar10", {a}}});
  REQUIRE(one.layers.size() == 1);
  CHECK(one.layers[0].name == "fc");
  CHECK(one.total.compute_cycles == 63);
}

TEST_CASE("registry: unknown model, missing model key, documented parameters") {
  CHECK(cost_model_registry().names_of_kind("analytic") ==
        std::vector<std::string>{"eyeriss", "heterogeneous", "roofline", "systolic"});
  CHECK(cost_model_registry().names_of_kind("measured") ==
        std::vector<std::string>{"lookup_table"});
  CHECK_THROWS_WITH_AS(create_cost_model(ConfigNode::parse("model: systolc\n", "a.yaml")),
                       doctest::Contains("a.yaml:1:8: 'model': unknown cost model 'systolc' "
                                         "(did you mean 'systolic'?)"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(create_cost_model(ConfigNode::parse("rows: 4\n", "a.yaml")),
                       doctest::Contains("missing required key 'model'"), ConfigError);
  for (const auto& name : cost_model_registry().names())
    CHECK_FALSE(cost_model_parameters(name).empty());
}

TEST_CASE("area: cited constants") {
  // 8-bit MAC: 6350 * (8/32)^2 + 278 = 674.875 um^2; SRAM: 8192 * 0.346 / 0.7 um^2 per KB.
  CHECK(area::mac_um2(8) == doctest::Approx(674.875));
  CHECK(area::sram_mm2_per_kb() == doctest::Approx(8192 * 0.346 / 0.7 / 1e6));
}
