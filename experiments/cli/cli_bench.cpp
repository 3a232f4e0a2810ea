// `tandem bench train`: times full training steps of the CPU engine (zero_grad + forward + loss +
// backward + SGD-momentum update, float32), with the same workloads, step definition, timing rule
// and FLOP convention as ../shared/bench/torch_ref.py, so the two can run side by side:
//   tandem bench train --workload mlp_mnist|lenet_mnist|nb201_c16|darts_mixed_edge|nb201_supernet|all
//   tandem bench train --space NAME --arch STRING --batch B --input CxHxW --classes K
// Output: `name step_ms images_per_s gflop_per_s`; flop = 3 * 2 * forward conv/linear MACs * batch.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <vector>

#include "core/error.hpp"
#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/runner/experiment.hpp"
#include "trainers/engine.hpp"
#include "trainers/kernels.hpp"

namespace tandem {
namespace {

// ---- workloads (layer for layer as torch_ref.py)

ComputeGraph mlp_mnist() {
  ComputeGraph g;
  auto x = g.add_input("x", {1, 28, 28});
  auto h = g.relu("relu", g.linear("fc1", x, 256));
  g.mark_output(g.linear("fc2", h, 10));
  return g;
}

ComputeGraph lenet_mnist() {
  ComputeGraph g;
  auto x = g.add_input("x", {1, 28, 28});
  auto a = g.max_pool("pool1", g.relu("relu1", g.conv2d("conv1", x, 6, 5, 1, 0, 1, 1, true)), 2, 2, 0);
  auto b = g.max_pool("pool2", g.relu("relu2", g.conv2d("conv2", a, 16, 5, 1, 0, 1, 1, true)), 2, 2, 0);
  auto f = g.relu("relu3", g.linear("fc1", b, 120));
  f = g.relu("relu4", g.linear("fc2", f, 84));
  g.mark_output(g.linear("fc3", f, 10));
  return g;
}

const char* kNb201Genotype =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

// DARTS search-phase ops on C channels (BN affine=False), torch_ref.py's MixedEdge.
ComputeGraph darts_op(const std::string& op, int c, int size) {
  ComputeGraph g;
  LayerId x = g.add_input("x", {c, size, size});
  auto sep_half = [&](const std::string& p, LayerId in, int k, int pad) {
    LayerId r = g.relu(p + ".relu", in);
    LayerId dw = g.conv2d(p + ".dw", r, c, k, 1, pad, 1, c);
    LayerId pw = g.conv2d(p + ".pw", dw, c, 1);
    return g.batch_norm(p + ".bn", pw, false);
  };
  LayerId out = x;
  if (op == "none") out = g.zero("zero", x);
  if (op == "max_pool_3x3") out = g.batch_norm("bn", g.max_pool("pool", x, 3, 1, 1), false);
  if (op == "avg_pool_3x3") out = g.batch_norm("bn", g.avg_pool("pool", x, 3, 1, 1, false), false);
  if (op == "skip_connect") out = g.identity("id", x);
  if (op == "sep_conv_3x3") out = sep_half("b", sep_half("a", x, 3, 1), 3, 1);
  if (op == "sep_conv_5x5") out = sep_half("b", sep_half("a", x, 5, 2), 5, 2);
  if (op == "dil_conv_3x3" || op == "dil_conv_5x5") {
    const int k = op == "dil_conv_3x3" ? 3 : 5;
    LayerId r = g.relu("relu", x);
    LayerId dw = g.conv2d("dw", r, c, k, 1, k == 3 ? 2 : 4, 2, c);
    out = g.batch_norm("bn", g.conv2d("pw", dw, c, 1), false);
  }
  g.mark_output(out);
  return g;
}

SupernetDescription darts_mixed_edge(int c, int size) {
  SupernetDescription d;
  LayerId x = d.skeleton.add_input("x", {c, size, size});
  MixedEdge edge;
  edge.placeholder = d.skeleton.identity("edge", x);
  d.skeleton.mark_output(edge.placeholder);
  edge.alpha_key = "edge";
  for (const char* op : {"none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3",
                         "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"})
    edge.candidates.push_back({op, darts_op(op, c, size)});
  d.edges.push_back(std::move(edge));
  return d;
}

// ---- timing, as torch_ref.py's time_steps: 3 warm-up steps, one estimate, then
// clamp(ceil(target / estimate), 10, 200) timed steps; the median.
double median_step_seconds(const std::function<void()>& step, int fixed_steps) {
  using clock = std::chrono::steady_clock;
  auto time_one = [&] {
    const auto t0 = clock::now();
    step();
    return std::chrono::duration<double>(clock::now() - t0).count();
  };
  for (int i = 0; i < 3; ++i) step();
  const double estimate = time_one();
  int n = fixed_steps > 0 ? fixed_steps
                          : static_cast<int>(std::min(200.0, std::max(10.0, std::ceil(4.0 / std::max(estimate, 1e-6)))));
  std::vector<double> times;
  for (int i = 0; i < n; ++i) times.push_back(time_one());
  std::sort(times.begin(), times.end());
  const std::size_t m = times.size();
  return m % 2 ? times[m / 2] : 0.5 * (times[m / 2 - 1] + times[m / 2]);
}

void print_line(const std::string& name, double seconds, std::int64_t batch, std::int64_t macs) {
  const double flop = 3.0 * 2.0 * static_cast<double>(macs) * static_cast<double>(batch);
  std::cout << name << " " << std::fixed << std::setprecision(3) << seconds * 1e3 << " "
            << std::setprecision(1) << batch / seconds << " " << std::setprecision(2)
            << flop / seconds / 1e9 << std::endl;
}

Tensor random_tensor(Shape shape, Rng& rng) {
  Tensor t = Tensor::empty(std::move(shape));
  for (auto& v : t.values()) v = static_cast<float>(rng.normal());
  return t;
}

void bench_network(const std::string& name, const ComputeGraph& graph, int batch, int classes,
                   int threads, int steps) {
  Network net(graph, {.seed = 0, .threads = threads});
  Rng rng(0);
  const TensorShape in = net.input_shape();
  Tensor x = random_tensor({batch, in.channels, in.height, in.width}, rng);
  std::vector<int> labels(static_cast<std::size_t>(batch));
  for (auto& l : labels) l = static_cast<int>(rng.uniform_index(static_cast<std::uint64_t>(classes)));
  Sgd sgd(net.weights(), {.learning_rate = 0.01, .momentum = 0.9});
  auto step = [&] {
    sgd.zero_grad();
    backward(cross_entropy(net.forward(x, true), labels));
    sgd.step();
  };
  print_line(name, median_step_seconds(step, steps), batch, graph.total_macs());
}

void bench_darts_edge(int threads, int steps) {
  const int batch = 32;
  Supernet net(darts_mixed_edge(16, 32), {.seed = 0, .threads = threads});
  Rng rng(0);
  Tensor x = random_tensor({batch, 16, 32, 32}, rng);
  Tensor target = random_tensor({batch, 16, 32, 32}, rng);
  Sgd sgd(net.parameters().all(), {.learning_rate = 0.01, .momentum = 0.9});  // alpha included
  auto step = [&] {
    sgd.zero_grad();
    backward(mse_loss(net.forward(x, true), Variable(target)));
    sgd.step();
  };
  const double seconds = median_step_seconds(step, steps);
  const Tensor& g = net.alpha("edge").grad;
  TANDEM_ASSERT(g.defined() && std::isfinite(g.data()[0]));
  std::int64_t macs = 0;
  for (const auto& c : net.description().edges[0].candidates) macs += c.graph.total_macs();
  print_line("darts_mixed_edge", seconds, batch, macs);
}

// The NB201 DARTS supernet (spaces/nb201_supernet.cpp: C=16, N=5, 3x32x32, 10 classes), one
// first-order DARTS search step at batch 64 (search/oneshot/darts/darts.cpp, as bench/torch_nb201_supernet.py):
// α step (zero_grad, forward on a valid batch, cross-entropy, backward, Adam) then w step
// (zero_grad, forward on a train batch, backward, clip_grad_norm 5, SGD-momentum). MACs count
// both forward passes over every candidate op.
void bench_nb201_supernet(int threads, int steps) {
  const int batch = 64;
  auto space = space_registry().create("nb201", ConfigNode());
  Supernet net(space->supernet(GraphOptions{}), {.seed = 0, .threads = threads});
  Rng rng(0);
  Tensor train = random_tensor({batch, 3, 32, 32}, rng), valid = random_tensor({batch, 3, 32, 32}, rng);
  std::vector<int> train_labels(batch), valid_labels(batch);
  for (auto& l : train_labels) l = static_cast<int>(rng.uniform_index(10));
  for (auto& l : valid_labels) l = static_cast<int>(rng.uniform_index(10));
  Sgd sgd(net.weights(), {.learning_rate = 0.025, .momentum = 0.9, .weight_decay = 5e-4,
                          .nesterov = true});
  Adam adam(net.architecture(), {.learning_rate = 3e-4, .beta1 = 0.5, .beta2 = 0.999,
                                 .weight_decay = 1e-3});
  auto step = [&] {
    net.zero_grad();
    backward(cross_entropy(net.forward(valid, true), valid_labels));
    adam.step();
    net.zero_grad();
    backward(cross_entropy(net.forward(train, true), train_labels));
    clip_grad_norm(net.weights(), 5.0);
    sgd.step();
  };
  const double seconds = median_step_seconds(step, steps);
  std::int64_t macs = net.description().skeleton.total_macs();
  for (const auto& edge : net.description().edges)
    for (const auto& c : edge.candidates) macs += c.graph.total_macs();
  print_line("nb201_supernet", seconds, batch, 2 * macs);
}

TensorShape parse_shape(const std::string& text) {
  std::vector<int> dims;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, 'x')) {
    const std::optional<long long> v = parse_integer_text(part);
    TANDEM_CHECK(v && *v > 0 && *v <= INT_MAX,
                 "--input '" + text + "': expected CxHxW with positive integers, e.g. 3x32x32");
    dims.push_back(static_cast<int>(*v));
  }
  TANDEM_CHECK(dims.size() == 3, "--input '" + text + "': expected CxHxW, e.g. 3x32x32");
  return {dims[0], dims[1], dims[2]};
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

const std::vector<std::string> kWorkloads = {"mlp_mnist", "lenet_mnist", "nb201_c16",
                                             "darts_mixed_edge", "nb201_supernet"};

void run_workload(const std::string& name, int threads, int steps) {
  if (name == "mlp_mnist") return bench_network(name, mlp_mnist(), 128, 10, threads, steps);
  if (name == "lenet_mnist") return bench_network(name, lenet_mnist(), 128, 10, threads, steps);
  if (name == "nb201_c16") {
    auto space = space_registry().create("nb201", ConfigNode());
    return bench_network(name, space->to_graph(space->parse(kNb201Genotype)), 64, 10, threads,
                         steps);
  }
  if (name == "darts_mixed_edge") return bench_darts_edge(threads, steps);
  if (name == "nb201_supernet") return bench_nb201_supernet(threads, steps);
  throw Error("--workload '" + name + "' is unknown; accepted: " + join(kWorkloads, ", ") +
              ", all");
}

}  // namespace

int cli_bench(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Time training steps of the CPU engine (see docs/trainer.md).");
  options.add_options()("workload", "mlp_mnist | lenet_mnist | nb201_c16 | darts_mixed_edge | nb201_supernet | all",
                        cxxopts::value<std::string>())(
      "space", "search space of --arch", cxxopts::value<std::string>())(
      "arch", "candidate string of --space", cxxopts::value<std::string>())(
      "batch", "batch size (with --space)", integer_value("64"))(
      "input", "input shape CxHxW (with --space)", cxxopts::value<std::string>())(
      "classes", "classes (with --space)", integer_value("10"))(
      "steps", "timed steps (default: as torch_ref.py, ~4 s)", integer_value("0"))(
      "threads", "engine threads", integer_value("2"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"SUBCOMMAND"}, args)) return 0;
  const std::string sub = args["SUBCOMMAND"].as<std::string>();
  TANDEM_CHECK(sub == "train", "tandem bench: unknown subcommand '" + sub + "'; accepted: train");
  const int threads = static_cast<int>(integer_option(args, "threads", 1, INT_MAX));
  const int steps = static_cast<int>(integer_option(args, "steps", 0, INT_MAX));
  std::cout << "# tandem bench train threads=" << threads << " kernels=" << kernels::table().isa
            << std::endl;
  std::cout << "# name step_ms images_per_s gflop_per_s" << std::endl;
  if (args.count("workload")) {
    TANDEM_CHECK(!args.count("space"), "give either --workload or --space, not both");
    const std::string workload = args["workload"].as<std::string>();
    if (workload == "all") {
      for (const auto& w : kWorkloads) run_workload(w, threads, steps);
    } else {
      run_workload(workload, threads, steps);
    }
  } else {
    TANDEM_CHECK(args.count("space") && args.count("arch"),
                 "tandem bench train: give --workload NAME, or --space NAME --arch STRING");
    auto space = space_registry().create(args["space"].as<std::string>(), ConfigNode());
    GraphOptions graph_options = space->graph_options();
    if (args.count("input")) graph_options.input = parse_shape(args["input"].as<std::string>());
    graph_options.classes = static_cast<int>(integer_option(args, "classes", 1, INT_MAX));
    space->set_graph_options(graph_options);
    const Candidate candidate = space->parse(args["arch"].as<std::string>());
    space->check(candidate);
    // at least 2: batch norm needs it
    const int batch = static_cast<int>(integer_option(args, "batch", 2, INT_MAX));
    bench_network(args["space"].as<std::string>(), space->to_graph(candidate), batch,
                  graph_options.classes, threads, steps);
  }
  std::cout << "# peak_rss_mib " << std::fixed << std::setprecision(1) << peak_rss_mib()
            << std::endl;
  return 0;
}

}  // namespace tandem
