// Micro-benchmarks of the training engine's kernels (Google Benchmark): the dispatched SGEMM
// (1024^3, the machine's reachable peak for the conv path), and conv2d / depthwise conv / batch
// norm forward+backward at the shapes of nb201_c16 and darts_mixed_edge. Whole training steps
// against PyTorch are timed by `tandem bench train` (see docs/trainer.md), not here.
#include <benchmark/benchmark.h>

#include "core/rng.hpp"
#include "trainers/engine.hpp"
#include "trainers/kernels.hpp"

namespace {

using namespace tandem;

Tensor random_tensor(Shape shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t = Tensor::empty(std::move(shape));
  for (auto& v : t.values()) v = static_cast<float>(rng.normal());
  return t;
}

void BM_Gemm1024(benchmark::State& state) {
  const int n = 1024;
  Tensor a = random_tensor({n, n}, 1), b = random_tensor({n, n}, 2), c = Tensor::zeros({n, n});
  ThreadArena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      parallel_for(state.range(0), 1, [&](std::int64_t begin, std::int64_t end) {
        const std::int64_t r0 = n * begin / state.range(0), r1 = n * end / state.range(0);
        kernels::gemm(false, false, r1 - r0, n, n, 1.0f, a.data() + r0 * n, n, b.data(), n,
                      0.0f, c.data() + r0 * n, n);
      });
    });
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(kernels::table().isa);
}
BENCHMARK(BM_Gemm1024)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// One conv layer forward + backward (input and weight gradients).
void conv_step(benchmark::State& state, Shape input, int out_channels, int kernel, int padding,
               int dilation, int groups) {
  const int threads = static_cast<int>(state.range(0));
  ThreadArena arena(threads);
  Tensor x = random_tensor(input, 3);
  ParameterSet set;
  Parameter& w = set.add("w", random_tensor({out_channels, input[1] / groups, kernel, kernel}, 4));
  for (auto _ : state) {
    arena.execute([&] {
      Tape tape;
      Variable xv = tape.leaf(x, true);
      Variable y = conv2d(xv, tape.parameter(w), {}, {1, padding, dilation, groups});
      tape.backward(y, Tensor::full(y.shape(), 1.0f));
    });
  }
  const double macs = static_cast<double>(input[0]) * out_channels * (input[1] / groups) * kernel *
                      kernel * input[2] * input[3];
  state.counters["GFLOP/s"] = benchmark::Counter(6.0 * macs, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ConvNb201Stage1(benchmark::State& state) { conv_step(state, {64, 16, 32, 32}, 16, 3, 1, 1, 1); }
BENCHMARK(BM_ConvNb201Stage1)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ConvNb201Stage3(benchmark::State& state) { conv_step(state, {64, 64, 8, 8}, 64, 3, 1, 1, 1); }
BENCHMARK(BM_ConvNb201Stage3)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DepthwiseDil5x5(benchmark::State& state) { conv_step(state, {32, 16, 32, 32}, 16, 5, 4, 2, 16); }
BENCHMARK(BM_DepthwiseDil5x5)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BatchNormTrain(benchmark::State& state) {
  ThreadArena arena(static_cast<int>(state.range(0)));
  Tensor x = random_tensor({64, 16, 32, 32}, 5);
  ParameterSet set;
  Parameter& gamma = set.add("g", Tensor::full({16}, 1.0f));
  Parameter& beta = set.add("b", Tensor::zeros({16}));
  for (auto _ : state) {
    arena.execute([&] {
      Tape tape;
      Variable y = batch_norm(tape.leaf(x, true), tape.parameter(gamma), tape.parameter(beta), {},
                              {}, {.training = true});
      tape.backward(y, Tensor::full(y.shape(), 1.0f));
    });
  }
  state.SetBytesProcessed(state.iterations() * x.numel() * 4 * 6);
}
BENCHMARK(BM_BatchNormTrain)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

