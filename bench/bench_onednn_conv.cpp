// oneDNN versus tandem's own convolution (Google Benchmark): tandem would take oneDNN (Debian
// libdnnl-dev) for convolution kernels only where it beats tandem's own path, and this benchmark
// decides that; its results and the decision are in docs/trainer.md. Nothing in tandem links oneDNN: CMake builds this file only when
// libdnnl is found.
//
// What is timed, per convolution shape of the trainer workloads (batch sizes as in
// ../shared/bench/torch_ref.py): one full training step of one conv layer, i.e. forward +
// backward-data + backward-weights, float32, no bias.
//   BM_TandemConv/<shape>: conv2d on a Tape + tape.backward, exactly bench_trainer.cpp's
//     conv_step (NCHW tensors, TBB ThreadArena of 1 or 2 threads, dY = 1).
//   BM_OneDnnConv/<shape>: oneDNN 2.x primitives created once with format_tag::any (oneDNN picks
//     its blocked layouts) and algorithm::convolution_auto (oneDNN picks direct or Winograd),
//     executed on NCHW / OIHW user buffers. The reorders NCHW -> blocked for x, W, dY and
//     blocked -> NCHW for Y, dX, dW are INSIDE the timed region, because tandem's tensors are
//     NCHW and every other op expects that. A reorder is skipped only where oneDNN chose the user
//     layout itself, or where two primitives want the same layout of the same tensor.
//   BM_OneDnnConvNoReorder/<shape>: the three primitives alone, data already in oneDNN's
//     layouts: the cost if the whole network lived in oneDNN formats (tandem's does not).
//   BM_OneDnnConvDirect/<shape>: as BM_OneDnnConv with algorithm::convolution_direct (no
//     Winograd: the same arithmetic as tandem's implicit GEMM).
// The label of each oneDNN run names the implementations oneDNN chose (forward | backward-data |
// backward-weights) and the number of reorders per step. Primitive creation is outside the timed
// region (a framework would cache primitives per shape).
// FLOPs per step = 3 * 2 * MACs, MACs = N * Cout * Cin * k * k * Hout * Wout: the conv_step /
// torch_ref.py convention (conv_step uses the input H*W, equal to Hout*Wout for its stride-1
// "same" shapes; here the output size is used, as the stride-2 and unpadded shapes need). For
// Winograd this is the direct-convolution count, so its GFLOP/s is an effective rate.
//
// Threads: Debian's libdnnl is built with the OpenMP CPU runtime (DNNL_CPU_RUNTIME ==
// DNNL_RUNTIME_OMP in dnnl_config.h), so its thread count is set with omp_set_num_threads
// before the primitives are created (oneDNN picks its blocking from the thread count). tandem
// runs in its own ThreadArena (TBB) of the same size. OMP_WAIT_POLICY defaults to PASSIVE, as in
// torch_ref.py: with libgomp's default spin-then-sleep wait, 2-thread oneDNN steps on this shared
// 2-core machine took 85-110 ms instead of 6-14 ms whenever another process held a core (waits
// quantised to the scheduler tick). libgomp reads the variable when it is loaded, before main(),
// so main() sets it and re-executes the program once; an explicit OMP_WAIT_POLICY is kept.
//
// Before any timing, main() checks once per shape and algorithm that oneDNN's Y, dX and dW equal
// tandem's: max|oneDNN - tandem| / max|tandem| <= 1e-4 for each, on random x, W and dY.
// Otherwise it prints the offending shape and exits with status 1 without timing anything.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/rng.hpp"
#include "trainers/engine.hpp"

#if DNNL_CPU_RUNTIME != DNNL_RUNTIME_OMP
#error "bench_onednn_conv sets oneDNN's threads through OpenMP; this libdnnl uses another runtime"
#endif

namespace {

using namespace tandem;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct ConvShape {
  int n, cin, cout, h, w, k, stride, pad;
  int out_h() const { return (h + 2 * pad - k) / stride + 1; }
  int out_w() const { return (w + 2 * pad - k) / stride + 1; }
  double macs() const {
    return static_cast<double>(n) * cout * cin * k * k * out_h() * out_w();
  }
};

// The trainer workloads' convolutions (batch sizes from torch_ref.py).
const ConvShape kNb201Stage1{64, 16, 16, 32, 32, 3, 1, 1};     // nb201_c16 cell conv, stage 1
const ConvShape kNb201Stage2{64, 32, 32, 16, 16, 3, 1, 1};     // nb201_c16 cell conv, stage 2
const ConvShape kNb201Stage3{64, 64, 64, 8, 8, 3, 1, 1};       // nb201_c16 cell conv, stage 3
const ConvShape kConv1x1{64, 16, 16, 32, 32, 1, 1, 0};         // nor_conv_1x1 at stage 1
const ConvShape kNb201Reduction{64, 16, 32, 32, 32, 3, 2, 1};  // reduction block conv_a
const ConvShape kLenetConv2{128, 6, 16, 12, 12, 5, 1, 0};      // lenet_mnist Conv2d(6, 16, 5)

Tensor random_tensor(Shape shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t = Tensor::empty(std::move(shape));
  for (auto& v : t.values()) v = static_cast<float>(rng.normal());
  return t;
}

Shape input_shape(const ConvShape& s) { return {s.n, s.cin, s.h, s.w}; }
Shape weight_shape(const ConvShape& s) { return {s.cout, s.cin, s.k, s.k}; }
Shape output_shape(const ConvShape& s) { return {s.n, s.cout, s.out_h(), s.out_w()}; }

// ---- oneDNN: one conv layer's forward, backward-data and backward-weights primitives.
class OneDnnConv {
 public:
  OneDnnConv(const ConvShape& s, dnnl::algorithm algo)
      : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    const dnnl::memory::dims src{s.n, s.cin, s.h, s.w}, wei{s.cout, s.cin, s.k, s.k},
        dst{s.n, s.cout, s.out_h(), s.out_w()}, strides{s.stride, s.stride}, pad{s.pad, s.pad};
    x_user_ = dnnl::memory({src, dt::f32, tag::nchw}, engine_);
    w_user_ = dnnl::memory({wei, dt::f32, tag::oihw}, engine_);
    dy_user_ = dnnl::memory({dst, dt::f32, tag::nchw}, engine_);
    y_user_ = dnnl::memory({dst, dt::f32, tag::nchw}, engine_);
    dx_user_ = dnnl::memory({src, dt::f32, tag::nchw}, engine_);
    dw_user_ = dnnl::memory({wei, dt::f32, tag::oihw}, engine_);

    const dnnl::memory::desc src_any(src, dt::f32, tag::any), wei_any(wei, dt::f32, tag::any),
        dst_any(dst, dt::f32, tag::any);
    fwd_pd_ = dnnl::convolution_forward::primitive_desc(
        {dnnl::prop_kind::forward_training, algo, src_any, wei_any, dst_any, strides, pad, pad},
        engine_);
    bwd_data_pd_ = dnnl::convolution_backward_data::primitive_desc(
        {algo, src_any, wei_any, dst_any, strides, pad, pad}, engine_, fwd_pd_);
    bwd_weights_pd_ = dnnl::convolution_backward_weights::primitive_desc(
        {algo, src_any, wei_any, dst_any, strides, pad, pad}, engine_, fwd_pd_);
    fwd_ = dnnl::convolution_forward(fwd_pd_);
    bwd_data_ = dnnl::convolution_backward_data(bwd_data_pd_);
    bwd_weights_ = dnnl::convolution_backward_weights(bwd_weights_pd_);

    // Inputs of each primitive: a reorder from the user buffer unless the layout matches the
    // user's, or an earlier primitive of the step already holds the same tensor in that layout.
    fwd_src_ = input_from(x_user_, fwd_pd_.src_desc());
    fwd_w_ = input_from(w_user_, fwd_pd_.weights_desc());
    fwd_dst_ = output_to(y_user_, fwd_pd_.dst_desc());
    bd_diff_dst_ = input_from(dy_user_, bwd_data_pd_.diff_dst_desc());
    bd_w_ = bwd_data_pd_.weights_desc() == fwd_pd_.weights_desc()
                ? Staged{fwd_w_.memory, {}, {}}
                : input_from(w_user_, bwd_data_pd_.weights_desc());
    bd_diff_src_ = output_to(dx_user_, bwd_data_pd_.diff_src_desc());
    bw_src_ = bwd_weights_pd_.src_desc() == fwd_pd_.src_desc()
                  ? Staged{fwd_src_.memory, {}, {}}
                  : input_from(x_user_, bwd_weights_pd_.src_desc());
    bw_diff_dst_ = bwd_weights_pd_.diff_dst_desc() == bwd_data_pd_.diff_dst_desc()
                       ? Staged{bd_diff_dst_.memory, {}, {}}
                       : input_from(dy_user_, bwd_weights_pd_.diff_dst_desc());
    bw_diff_w_ = output_to(dw_user_, bwd_weights_pd_.diff_weights_desc());
  }

  float* x() { return static_cast<float*>(x_user_.get_data_handle()); }
  float* w() { return static_cast<float*>(w_user_.get_data_handle()); }
  float* dy() { return static_cast<float*>(dy_user_.get_data_handle()); }
  const float* y() const { return static_cast<const float*>(y_user_.get_data_handle()); }
  const float* dx() const { return static_cast<const float*>(dx_user_.get_data_handle()); }
  const float* dw() const { return static_cast<const float*>(dw_user_.get_data_handle()); }

  // The training step on NCHW / OIHW user buffers, layout reorders included.
  void step_with_reorders() {
    run(fwd_src_);
    run(fwd_w_);
    fwd_.execute(stream_, {{DNNL_ARG_SRC, fwd_src_.memory},
                           {DNNL_ARG_WEIGHTS, fwd_w_.memory},
                           {DNNL_ARG_DST, fwd_dst_.memory}});
    run(fwd_dst_);
    run(bd_diff_dst_);
    run(bd_w_);
    bwd_data_.execute(stream_, {{DNNL_ARG_DIFF_DST, bd_diff_dst_.memory},
                                {DNNL_ARG_WEIGHTS, bd_w_.memory},
                                {DNNL_ARG_DIFF_SRC, bd_diff_src_.memory}});
    run(bd_diff_src_);
    run(bw_src_);
    run(bw_diff_dst_);
    bwd_weights_.execute(stream_, {{DNNL_ARG_SRC, bw_src_.memory},
                                   {DNNL_ARG_DIFF_DST, bw_diff_dst_.memory},
                                   {DNNL_ARG_DIFF_WEIGHTS, bw_diff_w_.memory}});
    run(bw_diff_w_);
    stream_.wait();
  }

  // The three primitives alone, on data already in oneDNN's layouts.
  void step_without_reorders() {
    fwd_.execute(stream_, {{DNNL_ARG_SRC, fwd_src_.memory},
                           {DNNL_ARG_WEIGHTS, fwd_w_.memory},
                           {DNNL_ARG_DST, fwd_dst_.memory}});
    bwd_data_.execute(stream_, {{DNNL_ARG_DIFF_DST, bd_diff_dst_.memory},
                                {DNNL_ARG_WEIGHTS, bd_w_.memory},
                                {DNNL_ARG_DIFF_SRC, bd_diff_src_.memory}});
    bwd_weights_.execute(stream_, {{DNNL_ARG_SRC, bw_src_.memory},
                                   {DNNL_ARG_DIFF_DST, bw_diff_dst_.memory},
                                   {DNNL_ARG_DIFF_WEIGHTS, bw_diff_w_.memory}});
    stream_.wait();
  }

  // Which implementations oneDNN chose, and how many layout reorders a step does.
  std::string describe() const {
    const int reorders = count(fwd_src_) + count(fwd_w_) + count(fwd_dst_) + count(bd_diff_dst_) +
                         count(bd_w_) + count(bd_diff_src_) + count(bw_src_) +
                         count(bw_diff_dst_) + count(bw_diff_w_);
    return std::string(fwd_pd_.impl_info_str()) + "|" + bwd_data_pd_.impl_info_str() + "|" +
           bwd_weights_pd_.impl_info_str() + " reorders=" + std::to_string(reorders);
  }

 private:
  // A primitive's argument in its own layout, and the reorder linking it to the user buffer
  // (from the user buffer for inputs, to it for outputs; none when the layouts agree).
  struct Staged {
    dnnl::memory memory;
    dnnl::reorder reorder;
    std::unordered_map<int, dnnl::memory> args;
  };

  Staged input_from(const dnnl::memory& user, const dnnl::memory::desc& wanted) {
    if (user.get_desc() == wanted) return {user, {}, {}};
    dnnl::memory staged(wanted, engine_);
    return {staged, dnnl::reorder(user, staged), {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, staged}}};
  }
  Staged output_to(const dnnl::memory& user, const dnnl::memory::desc& produced) {
    if (user.get_desc() == produced) return {user, {}, {}};
    dnnl::memory staged(produced, engine_);
    return {staged, dnnl::reorder(staged, user), {{DNNL_ARG_FROM, staged}, {DNNL_ARG_TO, user}}};
  }
  void run(Staged& staged) {
    if (!staged.args.empty()) staged.reorder.execute(stream_, staged.args);
  }
  static int count(const Staged& staged) { return staged.args.empty() ? 0 : 1; }

  dnnl::engine engine_;
  dnnl::stream stream_;
  dnnl::memory x_user_, w_user_, dy_user_, y_user_, dx_user_, dw_user_;
  dnnl::convolution_forward::primitive_desc fwd_pd_;
  dnnl::convolution_backward_data::primitive_desc bwd_data_pd_;
  dnnl::convolution_backward_weights::primitive_desc bwd_weights_pd_;
  dnnl::convolution_forward fwd_;
  dnnl::convolution_backward_data bwd_data_;
  dnnl::convolution_backward_weights bwd_weights_;
  Staged fwd_src_, fwd_w_, fwd_dst_, bd_diff_dst_, bd_w_, bd_diff_src_, bw_src_, bw_diff_dst_,
      bw_diff_w_;
};

void fill_onednn_inputs(OneDnnConv& conv, const Tensor& x, const Tensor& w, const Tensor& dy) {
  std::memcpy(conv.x(), x.data(), sizeof(float) * x.numel());
  std::memcpy(conv.w(), w.data(), sizeof(float) * w.numel());
  std::memcpy(conv.dy(), dy.data(), sizeof(float) * dy.numel());
}

// ---- the benchmarks

// tandem's step: bench_trainer.cpp's conv_step (groups 1, dilation 1, no bias, dY = 1).
void BM_TandemConv(benchmark::State& state, ConvShape s) {
  const int threads = static_cast<int>(state.range(0));
  ThreadArena arena(threads);
  Tensor x = random_tensor(input_shape(s), 3);
  ParameterSet set;
  Parameter& w = set.add("w", random_tensor(weight_shape(s), 4));
  for (auto _ : state) {
    arena.execute([&] {
      Tape tape;
      Variable xv = tape.leaf(x, true);
      Variable y = conv2d(xv, tape.parameter(w), {}, {s.stride, s.pad, 1, 1});
      tape.backward(y, Tensor::full(y.shape(), 1.0f));
    });
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(6.0 * s.macs(), benchmark::Counter::kIsIterationInvariantRate);
}

void onednn_bench(benchmark::State& state, const ConvShape& s, dnnl::algorithm algo,
                  bool reorders) {
  omp_set_num_threads(static_cast<int>(state.range(0)));  // before creation: blocking depends on it
  OneDnnConv conv(s, algo);
  fill_onednn_inputs(conv, random_tensor(input_shape(s), 3), random_tensor(weight_shape(s), 4),
                     Tensor::full(output_shape(s), 1.0f));
  conv.step_with_reorders();  // also fills the blocked buffers the no-reorder step reads
  for (auto _ : state) {
    if (reorders) {
      conv.step_with_reorders();
    } else {
      conv.step_without_reorders();
    }
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(6.0 * s.macs(), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(conv.describe());
}
void BM_OneDnnConv(benchmark::State& state, ConvShape s) {
  onednn_bench(state, s, dnnl::algorithm::convolution_auto, true);
}
void BM_OneDnnConvNoReorder(benchmark::State& state, ConvShape s) {
  onednn_bench(state, s, dnnl::algorithm::convolution_auto, false);
}
void BM_OneDnnConvDirect(benchmark::State& state, ConvShape s) {
  onednn_bench(state, s, dnnl::algorithm::convolution_direct, true);
}

#define TANDEM_CONV_BENCHMARKS(name, shape)                                                   \
  BENCHMARK_CAPTURE(BM_TandemConv, name, shape)                                              \
      ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();                        \
  BENCHMARK_CAPTURE(BM_OneDnnConv, name, shape)                                              \
      ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();                        \
  BENCHMARK_CAPTURE(BM_OneDnnConvNoReorder, name, shape)                                     \
      ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();                        \
  BENCHMARK_CAPTURE(BM_OneDnnConvDirect, name, shape)                                        \
      ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()

TANDEM_CONV_BENCHMARKS(nb201_stage1_3x3, kNb201Stage1);
TANDEM_CONV_BENCHMARKS(nb201_stage2_3x3, kNb201Stage2);
TANDEM_CONV_BENCHMARKS(nb201_stage3_3x3, kNb201Stage3);
TANDEM_CONV_BENCHMARKS(nb201_stage1_1x1, kConv1x1);
TANDEM_CONV_BENCHMARKS(nb201_reduction_3x3s2, kNb201Reduction);
TANDEM_CONV_BENCHMARKS(lenet_conv2_5x5, kLenetConv2);

// ---- the check that both compute the same step

// max|got - want| / max|want|.
double relative_error(const float* got, const Tensor& want) {
  double diff = 0.0, scale = 0.0;
  for (std::int64_t i = 0; i < want.numel(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(got[i]) - want.data()[i]));
    scale = std::max(scale, std::abs(static_cast<double>(want.data()[i])));
  }
  return scale > 0.0 ? diff / scale : diff;
}

bool same_step(const char* name, const ConvShape& s) {
  const Tensor x = random_tensor(input_shape(s), 11), w0 = random_tensor(weight_shape(s), 12),
               dy = random_tensor(output_shape(s), 13);
  ThreadArena arena(2);
  ParameterSet set;
  Parameter& w = set.add("w", w0.clone());
  Tensor y, dx;
  arena.execute([&] {
    Tape tape;
    Variable xv = tape.leaf(x, true);
    Variable yv = conv2d(xv, tape.parameter(w), {}, {s.stride, s.pad, 1, 1});
    tape.backward(yv, dy);
    y = yv.value().clone();
    dx = xv.grad().clone();
  });
  omp_set_num_threads(2);
  bool ok = true;
  for (const auto algo : {dnnl::algorithm::convolution_auto, dnnl::algorithm::convolution_direct}) {
    OneDnnConv conv(s, algo);
    fill_onednn_inputs(conv, x, w0, dy);
    conv.step_with_reorders();
    const double ey = relative_error(conv.y(), y), edx = relative_error(conv.dx(), dx),
                 edw = relative_error(conv.dw(), w.grad);
    const bool same = ey <= 1e-4 && edx <= 1e-4 && edw <= 1e-4;
    std::fprintf(stderr, "check %-22s %-6s Y %.1e  dX %.1e  dW %.1e  %s  [%s]\n", name,
                 algo == dnnl::algorithm::convolution_auto ? "auto" : "direct", ey, edx, edw,
                 same ? "ok" : "MISMATCH", conv.describe().c_str());
    ok = ok && same;
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {  // see the top of the file
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);
    std::perror("bench_onednn_conv: re-executing with OMP_WAIT_POLICY=PASSIVE failed");
    return 1;
  }
  std::fprintf(stderr, "OMP_WAIT_POLICY=%s\n", std::getenv("OMP_WAIT_POLICY"));
  // '&', not '&&': every shape is checked and printed, even after a mismatch.
  const bool all_same = same_step("nb201_stage1_3x3", kNb201Stage1) &
                        same_step("nb201_stage2_3x3", kNb201Stage2) &
                        same_step("nb201_stage3_3x3", kNb201Stage3) &
                        same_step("nb201_stage1_1x1", kConv1x1) &
                        same_step("nb201_reduction_3x3s2", kNb201Reduction) &
                        same_step("lenet_conv2_5x5", kLenetConv2);
  if (!all_same) {
    std::fprintf(stderr,
                 "bench_onednn_conv: oneDNN and tandem disagree beyond 1e-4 relative (see above); "
                 "not timing different computations\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
