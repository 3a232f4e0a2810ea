// Eyeriss model: row-stationary tilings counted by hand, the Timeloop eyeriss_like anchor
// (5,505,024 cycles, 100% of 168 PEs), energy = sum of accesses x energy, infeasible layers.
#include <doctest/doctest.h>

#include "core/config_node.hpp"
#include "hwmodels/eyeriss_model.hpp"

using namespace tandem;
using namespace tandem::hw;

namespace {
LayerWorkload conv(int c, int hw, int m, int k, int stride, int pad) {
  LayerWorkload l;
  l.name = "conv";
  l.c = c;
  l.h = l.w = hw;
  l.m = m;
  l.r = l.s = k;
  l.stride = stride;
  l.pad = pad;
  return l;
}
}  // namespace

TEST_CASE("eyeriss: one row-stationary tiling of an FC layer counted by hand") {
  LayerWorkload fc;
  fc.type = LayerType::fc;
  fc.c = 24;
  fc.m = 24;
  RowStationaryArray array;
  array.pe_rows = array.pe_cols = 2;
  array.ifmap_spad_words = 4;
  array.weight_spad_words = 16;
  array.psum_spad_words = 4;
  RowStationaryMapping mp;
  REQUIRE(evaluate_row_stationary(fc, array, energy_table_preset("eyeriss_normalized"), 1, 4, 4,
                                  mp));
  // R = 1 -> 2 sets vertically, e = 1 -> 2 horizontally; 6 filter blocks, 6 channel blocks,
  // 1 row block: passes = ceil(6/2) * ceil(1/2) * 6 = 18; cycles = 18 * p*q*S*F = 18 * 16 = 288.
  CHECK(mp.passes == 18);
  CHECK(mp.cycles == 288);
  // GLB reads: ifmap 24 words x ceil(6/2) = 72; weights 576 x ceil(1/2) = 576;
  // psums 24 outputs x (6 channel blocks - 1) = 120 -> 768. Writes 24 x 6 = 144.
  CHECK(mp.glb_reads == 768);
  CHECK(mp.glb_writes == 144);
  // Illegal: q*S = 5 > ifmap spad 4.
  CHECK_FALSE(evaluate_row_stationary(fc, array, energy_table_preset("eyeriss_normalized"), 1, 1,
                                      5, mp));
}

TEST_CASE("eyeriss: Timeloop eyeriss_like anchor, C=128 M=256 3x3 at 56x56 on 12x14") {
  // Timeloop + Accelergy ISPASS tutorial: 5,505,024 cycles = 0.925 G MACs / 168 PEs (100%).
  const LayerWorkload layer = conv(128, 56, 256, 3, 1, 1);
  CHECK(layer.macs() == 924844032);
  EyerissOptions o;
  o.objective = MapperObjective::latency;
  o.energy = energy_table_preset("accelergy_45nm");
  const LayerCost cost = EyerissModel(o).evaluate_layer(layer);
  REQUIRE(cost.feasible);
  CHECK(cost.compute_cycles == 5505024);
  CHECK(cost.utilization == doctest::Approx(1.0));
}

TEST_CASE("eyeriss: energy is the sum of accesses x per-access energy") {
  EyerissOptions o;
  o.energy = energy_table_preset("eyeriss_normalized");  // MAC 1, spads 1, NoC 2, GLB 6, DRAM 200
  o.array.word_bytes = 2;
  const LayerCost cost = EyerissModel(o).evaluate_layer(conv(16, 32, 16, 3, 1, 1));
  REQUIRE(cost.feasible);
  const double words_rf = (cost.rf.read_bytes + cost.rf.write_bytes) / 2;
  CHECK(cost.energy.mac_pj == doctest::Approx(double(cost.macs)));
  CHECK(cost.energy.rf_pj == doctest::Approx(words_rf * 1));
  CHECK(cost.energy.noc_pj == doctest::Approx(cost.noc_bytes / 2 * 2));
  CHECK(cost.energy.sram_pj ==
        doctest::Approx((cost.sram.read_bytes + cost.sram.write_bytes) / 2 * 6));
  CHECK(cost.energy.dram_pj ==
        doctest::Approx((cost.dram.read_bytes + cost.dram.write_bytes) / 2 * 200));
  // Every operand is read from its spad once per MAC (ifmap, weight, psum) and psums written.
  CHECK(cost.rf.read_bytes == doctest::Approx(3.0 * double(cost.macs) * 2));
}

TEST_CASE("eyeriss: mapper objectives order their own metric") {
  const LayerWorkload layer = conv(32, 16, 64, 3, 1, 1);
  auto run = [&](MapperObjective objective) {
    EyerissOptions o;
    o.objective = objective;
    o.energy = energy_table_preset("accelergy_45nm");
    return EyerissModel(o).evaluate_layer(layer);
  };
  const LayerCost by_energy = run(MapperObjective::energy);
  const LayerCost by_latency = run(MapperObjective::latency);
  CHECK(by_energy.energy.total_pj() <= by_latency.energy.total_pj());
  CHECK(by_latency.total_cycles() <= by_energy.total_cycles());
}

TEST_CASE("eyeriss: a layer larger than the GLB or the spads is infeasible with a reason") {
  EyerissOptions o;
  o.glb_kb = 0.01;  // 5 words
  o.energy = energy_table_preset("accelergy_45nm");
  LayerCost cost = EyerissModel(o).evaluate_layer(conv(16, 32, 16, 3, 1, 1));
  CHECK_FALSE(cost.feasible);
  CHECK(cost.reason.find("global buffer") != std::string::npos);
  EyerissOptions small;
  small.array.ifmap_spad_words = 2;  // a 3-wide filter row needs 3
  small.energy = energy_table_preset("accelergy_45nm");
  cost = EyerissModel(small).evaluate_layer(conv(16, 32, 16, 3, 1, 1));
  CHECK_FALSE(cost.feasible);
  CHECK(cost.reason.find("spad") != std::string::npos);
}

TEST_CASE("eyeriss: energy tables from YAML: presets and overrides") {
  auto model = create_cost_model(ConfigNode::parse(
      "model: eyeriss\nenergy_table: {base: accelergy_32nm, dram_read: 10}\n", "e.yaml"));
  auto* eyeriss = dynamic_cast<EyerissModel*>(model.get());
  REQUIRE(eyeriss);
  CHECK(eyeriss->options().energy.dram_read == 10);
  CHECK(eyeriss->options().energy.mac == doctest::Approx(0.208));
  // 32 nm GLB read: 18.18 pJ per 64-bit access = 2.2725 pJ per byte.
  CHECK(eyeriss->options().energy.sram_read == doctest::Approx(2.2725));
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse("model: eyeriss\nenergy_table: acelergy_32nm\n", "e")),
      doctest::Contains("did you mean 'accelergy_32nm'"), ConfigError);
}
