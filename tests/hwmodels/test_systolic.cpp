// Systolic model: compute cycles against SCALE-Sim v2's fold formulas, worked by hand for small
// GEMMs in every dataflow (full and partial folds, depthwise), against the SCALE-Sim runs quoted
// in docs/hwmodels.md, SRAM/DRAM counts, stalls, energy = sum of accesses x energy, monotonicity
// and infeasible configurations.
#include <doctest/doctest.h>

#include "core/config_node.hpp"
#include "hwmodels/cost_model.hpp"
#include "hwmodels/systolic_model.hpp"

using namespace tandem;
using namespace tandem::hw;

namespace {

SystolicArrayModel make(int rows, int cols, Dataflow dataflow, double bandwidth = 0) {
  SystolicOptions o;
  o.rows = rows;
  o.cols = cols;
  o.dataflow = dataflow;
  o.dram_bytes_per_cycle = bandwidth;
  o.energy = energy_table_preset("accelergy_45nm");
  return SystolicArrayModel(o);
}

LayerWorkload fc(int n, int c, int m) {
  LayerWorkload l;
  l.name = "fc";
  l.type = LayerType::fc;
  l.n = n;
  l.c = c;
  l.m = m;
  return l;
}

LayerWorkload conv(int c, int hw, int m, int k, int stride, int pad, int groups = 1) {
  LayerWorkload l;
  l.name = "conv";
  l.type = groups > 1 && groups == c ? LayerType::dwconv : LayerType::conv;
  l.c = c;
  l.h = l.w = hw;
  l.m = m;
  l.r = l.s = k;
  l.stride = stride;
  l.pad = pad;
  l.groups = groups;
  return l;
}

}  // namespace

TEST_CASE("systolic: FC GEMM P=5 K=10 M=6 on 4x4, partial folds, every dataflow") {
  const LayerWorkload layer = fc(5, 10, 6);  // P = 5, K = 10, M = 6, 300 MACs
  // OS: Sr = P = 5 -> Fr = ceil(5/4) = 2; Sc = M = 6 -> Fc = 2; Tfold = K + R + C - 2 = 16.
  //     cycles = 2 * 2 * 16 - 1 = 63.
  LayerCost os = make(4, 4, Dataflow::os).evaluate_layer(layer);
  CHECK(os.macs == 300);
  CHECK(os.compute_cycles == 63);
  CHECK(os.stall_cycles == 0);
  CHECK(os.utilization == doctest::Approx(300.0 / (63 * 16)));
  // WS: Sr = K = 10 -> Fr = 3; Sc = M = 6 -> Fc = 2; Tfold = P + 2R + C - 2 = 5 + 8 + 4 - 2 = 15.
  //     cycles = 3 * 2 * 15 - 1 = 89.
  CHECK(make(4, 4, Dataflow::ws).evaluate_layer(layer).compute_cycles == 89);
  // IS: Sr = K = 10 -> Fr = 3; Sc = P = 5 -> Fc = 2; Tfold = M + 2R + C - 2 = 6 + 8 + 4 - 2 = 16.
  //     cycles = 3 * 2 * 16 - 1 = 95.
  CHECK(make(4, 4, Dataflow::is).evaluate_layer(layer).compute_cycles == 95);
  // Non-square array 2x8 under OS: Fr = ceil(5/2) = 3, Fc = ceil(6/8) = 1,
  // Tfold = 10 + 2 + 8 - 2 = 18 -> 3 * 18 - 1 = 53.
  CHECK(make(2, 8, Dataflow::os).evaluate_layer(layer).compute_cycles == 53);
}

TEST_CASE("systolic: conv by im2col, exact fit and partial folds") {
  // 3x3 conv, C=3 -> M=8, 8x8 input, pad 1: E = F = 8, P = 64, K = 27, M = 8.
  const LayerWorkload layer = conv(3, 8, 8, 3, 1, 1);
  CHECK(layer.macs() == 64 * 27 * 8);
  // OS 8x8: Fr = 64/8 = 8, Fc = 1, Tfold = 27 + 8 + 8 - 2 = 41 -> 8 * 41 - 1 = 327.
  CHECK(make(8, 8, Dataflow::os).evaluate_layer(layer).compute_cycles == 327);
  // WS 8x8: Sr = K = 27 -> Fr = 4 (partial: 3 rows in the last fold), Fc = 1,
  //         Tfold = 64 + 16 + 8 - 2 = 86 -> 4 * 86 - 1 = 343.
  CHECK(make(8, 8, Dataflow::ws).evaluate_layer(layer).compute_cycles == 343);
  // IS 8x8: Fr = 4, Sc = P = 64 -> Fc = 8, Tfold = 8 + 16 + 8 - 2 = 30 -> 32 * 30 - 1 = 959.
  CHECK(make(8, 8, Dataflow::is).evaluate_layer(layer).compute_cycles == 959);
}

TEST_CASE("systolic: depthwise runs one single-channel GEMM per channel") {
  // dwconv C = M = 4, 6x6 input, 3x3, no pad: E = F = 4, per channel P = 16, K = 9, M = 1.
  const LayerWorkload layer = conv(4, 6, 4, 3, 1, 0, 4);
  CHECK(layer.macs() == 4 * 16 * 9);
  // OS 4x4: Fr = 4, Fc = 1, Tfold = 9 + 4 + 4 - 2 = 15 -> 4 * 15 - 1 = 59 per channel, x4 = 236.
  CHECK(make(4, 4, Dataflow::os).evaluate_layer(layer).compute_cycles == 236);
  // WS 4x4: Fr = ceil(9/4) = 3, Fc = 1, Tfold = 16 + 8 + 4 - 2 = 26 -> 3 * 26 - 1 = 77, x4 = 308.
  CHECK(make(4, 4, Dataflow::ws).evaluate_layer(layer).compute_cycles == 308);
  // IS 4x4: Fr = 3, Fc = 4, Tfold = 1 + 8 + 4 - 2 = 11 -> 12 * 11 - 1 = 131, x4 = 524.
  CHECK(make(4, 4, Dataflow::is).evaluate_layer(layer).compute_cycles == 524);
  // Only one column of four is ever used under OS: utilization <= 1/4.
  CHECK(make(4, 4, Dataflow::os).evaluate_layer(layer).utilization < 0.25);
}

TEST_CASE("systolic: SCALE-Sim runs quoted in docs (NB201 1x1 conv, 64 ch, 8x8, WS)") {
  // From SCALE-Sim v2 runs (reference sheet section 1.7): 445 cycles on 128x128, 5,503 on 8x8.
  const LayerWorkload layer = conv(64, 8, 64, 1, 1, 0);
  CHECK(layer.macs() == 262144);
  CHECK(make(128, 128, Dataflow::ws).evaluate_layer(layer).compute_cycles == 445);
  CHECK(make(8, 8, Dataflow::ws).evaluate_layer(layer).compute_cycles == 5503);
  CHECK(make(128, 128, Dataflow::ws).evaluate_layer(layer).utilization ==
        doctest::Approx(0.036).epsilon(0.02));
}

TEST_CASE("systolic: SCALE-Sim output size option (H=224, R=3, s=2 gives 112, not 111)") {
  LayerWorkload layer = conv(1, 224, 1, 3, 2, 0);
  CHECK(layer.out_h() == 111);
  SystolicOptions o;
  o.rows = o.cols = 8;
  o.dram_bytes_per_cycle = 0;
  o.energy = energy_table_preset("accelergy_45nm");
  // OS, K = 9, M = 1: conv arithmetic P = 111^2 = 12321 -> Fr = 1541; SCALE-Sim P = 112^2 = 12544
  // -> Fr = 1568. Tfold = 9 + 8 + 8 - 2 = 23.
  CHECK(SystolicArrayModel(o).evaluate_layer(layer).compute_cycles == 1541 * 23 - 1);
  o.scalesim_output_size = true;
  CHECK(SystolicArrayModel(o).evaluate_layer(layer).compute_cycles == 1568 * 23 - 1);
}

TEST_CASE("systolic: SRAM / DRAM counts, stalls and energy = sum of accesses x energy") {
  SystolicOptions o;
  o.rows = o.cols = 4;
  o.dataflow = Dataflow::os;
  o.dram_bytes_per_cycle = 1;
  EnergyTable t;
  t.mac = 1;
  t.ifmap_spad_read = 0.1;
  t.psum_spad_write = 0.01;
  t.noc = 0.5;
  t.sram_read = 2;
  t.sram_write = 3;
  t.dram_read = 100;
  t.dram_write = 200;
  o.energy = t;
  const LayerCost cost = SystolicArrayModel(o).evaluate_layer(fc(5, 10, 6));
  // OS, Fr = Fc = 2: ifmap SRAM reads Fc*P*K = 100, filter Fr*K*M = 120, ofmap writes P*M = 30.
  // Both operands fit their SRAMs -> DRAM reads 50 + 60 = 110 words, writes 30.
  CHECK(cost.dram.read_bytes == 110);
  CHECK(cost.dram.write_bytes == 30);
  CHECK(cost.sram.read_bytes == 100 + 120 + 30);   // array reads + ofmap drained to DRAM
  CHECK(cost.sram.write_bytes == 110 + 30);        // DRAM fills + ofmap writes
  // 140 DRAM bytes at 1 byte/cycle = 140 cycles, compute hides 63 -> 77 stall cycles.
  CHECK(cost.stall_cycles == 140 - 63);
  CHECK(cost.total_cycles() == 140);
  // Energy: MAC 300*1; RF 2*300*0.1 + 300*0.01 = 63; NoC 2*300*0.5 = 300;
  // SRAM 250*2 + 140*3 = 920; DRAM 110*100 + 30*200 = 17000.
  CHECK(cost.energy.mac_pj == doctest::Approx(300));
  CHECK(cost.energy.rf_pj == doctest::Approx(63));
  CHECK(cost.energy.noc_pj == doctest::Approx(300));
  CHECK(cost.energy.sram_pj == doctest::Approx(920));
  CHECK(cost.energy.dram_pj == doctest::Approx(17000));
  CHECK(cost.energy.total_pj() == doctest::Approx(18583));
}

TEST_CASE("systolic: WS re-fetches nothing from the filter - partial sums written per row fold") {
  // WS on 4x4, FC P=5 K=10 M=6: Fr = 3 -> ofmap writes Fr*P*M = 90; filter DRAM = K*M = 60.
  const LayerCost cost = make(4, 4, Dataflow::ws).evaluate_layer(fc(5, 10, 6));
  CHECK(cost.dram.write_bytes == 90);
  CHECK(cost.dram.read_bytes == 50 + 60);
}

TEST_CASE("systolic: more PEs are never slower on compute-bound layers at equal bandwidth") {
  const LayerWorkload layers[] = {conv(3, 224, 64, 3, 1, 1), conv(64, 56, 64, 3, 1, 1),
                                  conv(256, 14, 512, 1, 1, 0), conv(128, 28, 128, 3, 2, 1)};
  for (Dataflow dataflow : {Dataflow::os, Dataflow::ws, Dataflow::is})
    for (const LayerWorkload& layer : layers) {
      double previous = 1e300;
      for (int size : {4, 8, 16, 32, 64}) {
        SystolicOptions o;
        o.rows = o.cols = size;
        o.dataflow = dataflow;
        o.dram_bytes_per_cycle = 1e6;  // ample and equal for all sizes
        o.ifmap_sram_kb = o.filter_sram_kb = o.ofmap_sram_kb = 1024;
        o.energy = energy_table_preset("accelergy_45nm");
        const double cycles = SystolicArrayModel(o).evaluate_layer(layer).total_cycles();
        CHECK(cycles <= previous);
        previous = cycles;
      }
    }
}

TEST_CASE("systolic: a stationary tile larger than half its SRAM is infeasible") {
  SystolicOptions o;
  o.rows = o.cols = 64;
  o.dataflow = Dataflow::ws;
  o.filter_sram_kb = 4;  // active half = 2048 bytes < 64 * 64 filter tile
  o.energy = energy_table_preset("accelergy_45nm");
  const LayerCost cost = SystolicArrayModel(o).evaluate_layer(conv(64, 8, 64, 3, 1, 1));
  CHECK_FALSE(cost.feasible);
  CHECK(cost.reason.find("filter") != std::string::npos);
  CHECK(cost.reason.find("2048") != std::string::npos);
  CostReport report = SystolicArrayModel(o).evaluate({conv(64, 8, 64, 3, 1, 1)});
  CHECK_FALSE(report.feasible);
}

TEST_CASE("systolic: options from YAML, defaults and bad values") {
  auto model = create_cost_model(ConfigNode::parse(
      "model: systolic\nrows: 8\ncols: 16\ndataflow: ws\nenergy_table: eyeriss_normalized\n",
      "acc.yaml"));
  auto* systolic = dynamic_cast<SystolicArrayModel*>(model.get());
  REQUIRE(systolic);
  CHECK(systolic->options().rows == 8);
  CHECK(systolic->options().cols == 16);
  CHECK(systolic->options().dataflow == Dataflow::ws);
  CHECK(systolic->options().energy.dram_read == 100);
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse("model: systolic\nrows: -4\n", "acc.yaml")),
      doctest::Contains("acc.yaml:2"), ConfigError);
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse("model: systolic\ndataflow: rs\n", "acc.yaml")),
      doctest::Contains("accepted: os, ws, is"), ConfigError);
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse("model: systolic\nrowz: 4\n", "acc.yaml")),
      doctest::Contains("rows"), ConfigError);
  CHECK_THROWS_WITH_AS(
      create_cost_model(ConfigNode::parse("model: systolic\nfrequency_mhz: -1\n", "acc.yaml")),
      doctest::Contains("positive"), ConfigError);
}
