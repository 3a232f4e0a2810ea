// Cost-model throughput: single-layer evaluations per second (systolic, roofline, eyeriss with
// its mapper) and whole NAS-Bench-201 networks per second (lowering + evaluation). Run:
//   ./build/bench_hwmodels --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "core/config_node.hpp"
#include "core/rng.hpp"
#include "experiments/runner/experiment.hpp"
#include "hwmodels/cost_model.hpp"

using namespace tandem;

namespace {

hw::LayerWorkload nb201_conv3x3() {
  hw::LayerWorkload l;
  l.name = "conv";
  l.c = 32;
  l.h = l.w = 16;
  l.m = 32;
  l.r = l.s = 3;
  l.pad = 1;
  return l;
}

std::unique_ptr<hw::CostModel> model(const std::string& yaml) {
  return hw::create_cost_model(ConfigNode::parse(yaml, "bench"));
}

void layer_bench(benchmark::State& state, const std::string& yaml) {
  auto m = model(yaml);
  hw::LayerWorkload layer = nb201_conv3x3();
  for (auto _ : state) {
    layer.m = 16 + static_cast<int>(state.iterations() % 48);  // defeat constant folding
    benchmark::DoNotOptimize(m->evaluate_layer(layer));
  }
  state.counters["layers/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_SystolicLayer(benchmark::State& state) {
  layer_bench(state, "{model: systolic, rows: 32, cols: 32, dataflow: ws}");
}
void BM_RooflineLayer(benchmark::State& state) {
  layer_bench(state, "{model: roofline, preset: titan_rtx}");
}
void BM_EyerissLayerWithMapper(benchmark::State& state) {
  layer_bench(state, "{model: eyeriss}");
}

void network_bench(benchmark::State& state, const std::string& yaml) {
  auto space = space_registry().create("nb201", ConfigNode());
  auto m = model(yaml);
  Rng rng(0);
  std::vector<ComputeGraph> graphs;
  for (int i = 0; i < 64; ++i) graphs.push_back(space->to_graph(space->sample(rng)));
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(m->evaluate(graphs[i++ % graphs.size()]));
  state.counters["networks/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Nb201NetworkSystolic(benchmark::State& state) {
  network_bench(state, "{model: systolic, rows: 32, cols: 32, dataflow: ws}");
}
void BM_Nb201NetworkRoofline(benchmark::State& state) {
  network_bench(state, "{model: roofline, preset: titan_rtx}");
}
void BM_Nb201NetworkEyeriss(benchmark::State& state) {
  network_bench(state, "{model: eyeriss, pooling: dense}");
}

}  // namespace

BENCHMARK(BM_SystolicLayer);
BENCHMARK(BM_RooflineLayer);
BENCHMARK(BM_EyerissLayerWithMapper);
BENCHMARK(BM_Nb201NetworkSystolic);
BENCHMARK(BM_Nb201NetworkRoofline);
BENCHMARK(BM_Nb201NetworkEyeriss);
