// The table-driven op harness: for every op-table entry, forward against a naive double-precision
// reference loop (reference.hpp) and backward against central finite differences of that
// reference (double, h = 1e-5), relative error <= 1e-3 (max |analytic - numeric| / max |numeric|).
#include <doctest/doctest.h>

#include <functional>
#include <set>
#include <string>

#include "tests/trainers/reference.hpp"
#include "core/compute_graph.hpp"
#include "core/error.hpp"
#include "trainers/autograd.hpp"
#include "trainers/threading.hpp"

using namespace tandem;
using reference::Array;

namespace {

using Reference = std::function<Array(const std::vector<Array>&)>;

struct OpCase {
  std::string name;
  Op op;
  std::vector<Shape> inputs;
  OpAttributes attributes;
  std::vector<int> checked;  // inputs whose gradient is checked
  Reference forward;         // the op's value
  Reference differentiate;   // the function whose gradient backward returns (default: forward)
  double low = -1.0, high = 1.0;
};

Array scalar(double v) {
  Array a = reference::make({});
  a.v = {v};
  return a;
}

OpAttributes conv(int stride, int pad, int dil, int groups) {
  OpAttributes a;
  a.stride = stride;
  a.padding = pad;
  a.dilation = dil;
  a.groups = groups;
  return a;
}

OpAttributes pool(int k, int stride, int pad, bool include = true, bool ceil = false) {
  OpAttributes a;
  a.kernel_h = a.kernel_w = k;
  a.stride = stride;
  a.padding = pad;
  a.count_include_pad = include;
  a.ceil_mode = ceil;
  return a;
}

Reference conv_ref(const OpAttributes& a, bool bias) {
  return [a, bias](const std::vector<Array>& x) {
    return reference::conv2d(x[0], x[1], bias ? &x[2] : nullptr, a.stride, a.padding, a.dilation,
                             a.groups);
  };
}

std::vector<OpCase> cases() {
  std::vector<OpCase> c;
  // conv2d: plain, strided, dilated, grouped, depthwise (strided + dilated), pointwise, bias
  c.push_back({"conv 3x3 s1 p1", Op::conv2d, {{2, 3, 6, 5}, {4, 3, 3, 3}}, conv(1, 1, 1, 1), {0, 1}, {}, {}});
  c.push_back({"conv 3x3 s2 p0 bias", Op::conv2d, {{2, 3, 7, 7}, {4, 3, 3, 3}, {4}}, conv(2, 0, 1, 1), {0, 1, 2}, {}, {}});
  c.push_back({"conv 3x3 dil2 p2", Op::conv2d, {{1, 2, 7, 6}, {3, 2, 3, 3}}, conv(1, 2, 2, 1), {0, 1}, {}, {}});
  c.push_back({"conv 5x5 groups 2 s2 p2", Op::conv2d, {{2, 4, 8, 8}, {6, 2, 5, 5}}, conv(2, 2, 1, 2), {0, 1}, {}, {}});
  c.push_back({"conv depthwise 3x3 s1 p1", Op::conv2d, {{2, 4, 6, 6}, {4, 1, 3, 3}}, conv(1, 1, 1, 4), {0, 1}, {}, {}});
  c.push_back({"conv depthwise 5x5 s2 p4 dil2", Op::conv2d, {{2, 3, 9, 8}, {3, 1, 5, 5}}, conv(2, 4, 2, 3), {0, 1}, {}, {}});
  c.push_back({"conv depthwise x2 multiplier", Op::conv2d, {{1, 2, 5, 5}, {4, 1, 3, 3}}, conv(1, 1, 1, 2), {0, 1}, {}, {}});
  c.push_back({"conv pointwise 1x1", Op::conv2d, {{2, 5, 4, 3}, {3, 5, 1, 1}, {3}}, conv(1, 0, 1, 1), {0, 1, 2}, {}, {}});
  // >= 512 output pixels with a ragged tail: the blocked weight-gradient kernel path
  c.push_back({"conv 3x3 s1 p1 large plane", Op::conv2d, {{2, 2, 24, 23}, {3, 2, 3, 3}}, conv(1, 1, 1, 1), {0, 1}, {}, {}});
  // stride 1 with >= 16 output columns: the implicit-GEMM path (forward and input gradient)
  c.push_back({"conv 3x3 dil2 p2 wide", Op::conv2d, {{2, 3, 9, 18}, {4, 3, 3, 3}, {4}}, conv(1, 2, 2, 1), {0, 1, 2}, {}, {}});
  c.push_back({"conv 5x5 p1 wide (output narrower than input)", Op::conv2d, {{1, 2, 8, 21}, {3, 2, 5, 5}}, conv(1, 1, 1, 1), {0, 1}, {}, {}});
  c.push_back({"conv 1x1 stride 2", Op::conv2d, {{2, 3, 5, 5}, {2, 3, 1, 1}}, conv(2, 0, 1, 1), {0, 1}, {}, {}});
  // "same" stride-1 convolutions take the shifted-view kernels (AVX-512): row blocks of 8 with a
  // tail, ragged last pixel vectors, weight-gradient column groups of 9 with a short last group
  c.push_back({"conv 3x3 s1 p1 same, 11 out x 5 in channels, 9x9", Op::conv2d, {{3, 5, 9, 9}, {11, 5, 3, 3}, {11}}, conv(1, 1, 1, 1), {0, 1, 2}, {}, {}});
  c.push_back({"conv 5x5 s1 p2 same, 13 out channels", Op::conv2d, {{2, 2, 7, 9}, {13, 2, 5, 5}}, conv(1, 2, 1, 1), {0, 1}, {}, {}});
  // 16-row blocks (forward: 18 = 16 + 2 rows; input gradient: 17 = 16 + 1)
  c.push_back({"conv 3x3 s1 p1 same, 18 out x 17 in channels, 5x7", Op::conv2d, {{2, 17, 5, 7}, {18, 17, 3, 3}}, conv(1, 1, 1, 1), {0, 1}, {}, {}});
  // relu_input (fused ReLU -> conv): on the shifted-view path and on the paths that materialise
  // relu(x) (strided im2col, depthwise)
  for (OpCase relu_case : std::vector<OpCase>{
           {"conv 3x3 s1 p1 relu input", Op::conv2d, {{2, 3, 6, 5}, {4, 3, 3, 3}}, conv(1, 1, 1, 1), {0, 1}, {}, {}},
           {"conv 3x3 s1 p1 relu input, 10 out channels, 17x16", Op::conv2d, {{2, 4, 17, 16}, {10, 4, 3, 3}}, conv(1, 1, 1, 1), {0, 1}, {}, {}},
           {"conv 1x1 relu input", Op::conv2d, {{2, 5, 4, 3}, {3, 5, 1, 1}, {3}}, conv(1, 0, 1, 1), {0, 1, 2}, {}, {}},
           {"conv 3x3 s2 relu input", Op::conv2d, {{2, 3, 7, 7}, {4, 3, 3, 3}}, conv(2, 1, 1, 1), {0, 1}, {}, {}},
           {"conv depthwise 3x3 relu input", Op::conv2d, {{2, 4, 6, 6}, {4, 1, 3, 3}}, conv(1, 1, 1, 4), {0, 1}, {}, {}}}) {
    relu_case.attributes.relu_input = true;
    c.push_back(relu_case);
  }
  for (auto& k : c)
    if (k.op == Op::conv2d) {
      k.forward = conv_ref(k.attributes, k.inputs.size() > 2);
      if (k.attributes.relu_input)
        k.forward = [inner = k.forward](const std::vector<Array>& x) {
          std::vector<Array> rectified = x;
          rectified[0] = reference::map(x[0], reference::relu_f);
          return inner(rectified);
        };
    }

  c.push_back({"linear", Op::linear, {{3, 7}, {4, 7}, {4}}, {}, {0, 1, 2},
               [](const std::vector<Array>& x) { return reference::linear(x[0], x[1], &x[2]); }, {}});
  c.push_back({"linear flattens NCHW, no bias", Op::linear, {{2, 2, 2, 3}, {5, 12}}, {}, {0, 1},
               [](const std::vector<Array>& x) { return reference::linear(x[0], x[1], nullptr); }, {}});

  OpAttributes bn_train;
  bn_train.training = true;
  c.push_back({"batch_norm train affine", Op::batch_norm, {{3, 4, 3, 2}, {4}, {4}}, bn_train, {0, 1, 2},
               [](const std::vector<Array>& x) {
                 return reference::batch_norm(x[0], &x[1], &x[2], nullptr, nullptr, 1e-5);
               }, {}});
  c.push_back({"batch_norm train no affine", Op::batch_norm, {{4, 3, 2, 2}}, bn_train, {0},
               [](const std::vector<Array>& x) {
                 return reference::batch_norm(x[0], nullptr, nullptr, nullptr, nullptr, 1e-5);
               }, {}});
  c.push_back({"batch_norm train 2-D input", Op::batch_norm, {{6, 3}, {3}, {3}}, bn_train, {0, 1, 2},
               [](const std::vector<Array>& x) {
                 return reference::batch_norm(x[0], &x[1], &x[2], nullptr, nullptr, 1e-5);
               }, {}});
  {
    OpAttributes bn_eval;
    bn_eval.training = false;
    bn_eval.running_mean = Tensor({3}, std::vector<float>{0.5f, -0.25f, 0.0f});
    bn_eval.running_var = Tensor({3}, std::vector<float>{0.5f, 2.0f, 1.25f});
    const Array rm = reference::from_tensor(bn_eval.running_mean);
    const Array rv = reference::from_tensor(bn_eval.running_var);
    c.push_back({"batch_norm eval running stats", Op::batch_norm, {{2, 3, 2, 3}, {3}, {3}}, bn_eval,
                 {0, 1, 2},
                 [rm, rv](const std::vector<Array>& x) {
                   return reference::batch_norm(x[0], &x[1], &x[2], &rm, &rv, 1e-5);
                 }, {}});
  }
  c.push_back({"relu", Op::relu, {{2, 3, 4, 4}}, {}, {0},
               [](const std::vector<Array>& x) { return reference::map(x[0], reference::relu_f); }, {}});
  c.push_back({"relu6", Op::relu6, {{2, 3, 4, 4}}, {}, {0},
               [](const std::vector<Array>& x) { return reference::map(x[0], reference::relu6_f); }, {},
               -2.0, 8.0});
  auto pool_case = [&](std::string name, Op op, OpAttributes a) {
    const bool max = op == Op::max_pool;
    c.push_back({std::move(name), op, {{2, 2, 7, 6}}, a, {0},
                 [a, max](const std::vector<Array>& x) {
                   return reference::pool(x[0], a.kernel_h, a.stride, a.padding, max,
                                          a.count_include_pad, a.ceil_mode);
                 }, {}});
  };
  pool_case("max_pool 3x3 s1 p1", Op::max_pool, pool(3, 1, 1));
  pool_case("max_pool 3x3 s2 p1", Op::max_pool, pool(3, 2, 1));
  pool_case("max_pool 2x2 s2", Op::max_pool, pool(2, 2, 0));
  pool_case("avg_pool 3x3 s1 p1 include pad", Op::avg_pool, pool(3, 1, 1, true));
  pool_case("avg_pool 3x3 s1 p1 exclude pad", Op::avg_pool, pool(3, 1, 1, false));
  pool_case("avg_pool 3x3 s2 p1 exclude pad", Op::avg_pool, pool(3, 2, 1, false));
  pool_case("avg_pool 2x2 s2", Op::avg_pool, pool(2, 2, 0));
  {  // 2x2 stride-2 max pooling kernel: 19 outputs per row (a full 16-output step and a tail)
    c.push_back({"max_pool 2x2 s2 wide rows", Op::max_pool, {{1, 2, 6, 38}}, pool(2, 2, 0), {0},
                 [](const std::vector<Array>& x) {
                   return reference::pool(x[0], 2, 2, 0, true, true);
                 }, {}});
  }
  // ceil mode on the 7x6 input: the last row (and column) windows overhang the input
  pool_case("max_pool 2x2 s2 ceil", Op::max_pool, pool(2, 2, 0, true, true));
  pool_case("max_pool 3x3 s2 p1 ceil", Op::max_pool, pool(3, 2, 1, true, true));
  pool_case("avg_pool 2x2 s2 ceil", Op::avg_pool, pool(2, 2, 0, true, true));
  pool_case("avg_pool 3x3 s2 p1 ceil include pad", Op::avg_pool, pool(3, 2, 1, true, true));
  pool_case("avg_pool 3x3 s2 p1 ceil exclude pad", Op::avg_pool, pool(3, 2, 1, false, true));
  c.push_back({"global_avg_pool", Op::global_avg_pool, {{2, 3, 4, 5}}, {}, {0},
               [](const std::vector<Array>& x) { return reference::global_avg_pool(x[0]); }, {}});
  c.push_back({"add of three", Op::add, {{2, 3, 2, 2}, {2, 3, 2, 2}, {2, 3, 2, 2}}, {}, {0, 1, 2},
               [](const std::vector<Array>& x) {
                 Array y = x[0];
                 for (std::size_t i = 0; i < y.v.size(); ++i) y.v[i] += x[1].v[i] + x[2].v[i];
                 return y;
               }, {}});
  c.push_back({"concat", Op::concat, {{2, 2, 3, 3}, {2, 3, 3, 3}}, {}, {0, 1},
               [](const std::vector<Array>& x) { return reference::concat({&x[0], &x[1]}); }, {}});
  {
    OpAttributes a;
    a.begin = 1;
    a.end = 4;
    c.push_back({"channel_slice", Op::channel_slice, {{2, 5, 2, 3}}, a, {0},
                 [](const std::vector<Array>& x) { return reference::slice(x[0], 1, 4); }, {}});
    OpAttributes s;
    s.groups = 4;
    c.push_back({"channel_shuffle", Op::channel_shuffle, {{2, 8, 2, 2}}, s, {0},
                 [](const std::vector<Array>& x) { return reference::shuffle(x[0], 4); }, {}});
    OpAttributes k;
    k.index = 2;
    c.push_back({"scale by a weight vector entry", Op::scale, {{2, 3, 2, 2}, {4}}, k, {0, 1},
                 [](const std::vector<Array>& x) {
                   Array y = x[0];
                   for (auto& v : y.v) v *= x[1][2];
                   return y;
                 }, {}});
  }
  c.push_back({"softmax", Op::softmax, {{3, 5}}, {}, {0},
               [](const std::vector<Array>& x) { return reference::softmax(x[0]); }, {}});
  {
    OpAttributes a;
    a.allowed = {0, 2, 3};
    c.push_back({"softmax over a subset", Op::softmax, {{5}}, a, {0},
                 [](const std::vector<Array>& x) { return reference::softmax(x[0], {0, 2, 3}); }, {}});
  }
  c.push_back({"log_softmax", Op::log_softmax, {{3, 6}}, {}, {0},
               [](const std::vector<Array>& x) { return reference::log_softmax(x[0]); }, {}});
  for (double eps : {0.0, 0.1}) {
    OpAttributes a;
    a.labels = {2, 0, 4, 1};
    a.label_smoothing = eps;
    c.push_back({"cross_entropy smoothing " + std::to_string(eps), Op::cross_entropy, {{4, 5}}, a, {0},
                 [eps](const std::vector<Array>& x) {
                   return scalar(reference::cross_entropy(x[0], {2, 0, 4, 1}, eps));
                 }, {}, -2.0, 2.0});
  }
  {
    OpAttributes a;
    a.temperature = 2.0;
    c.push_back({"kl_divergence T=2", Op::kl_divergence, {{3, 4}, {3, 4}}, a, {0, 1},
                 [](const std::vector<Array>& x) {
                   return scalar(reference::kl_divergence(x[0], x[1], 2.0));
                 }, {}, -2.0, 2.0});
  }
  c.push_back({"mse_loss", Op::mse_loss, {{2, 3, 2, 2}, {2, 3, 2, 2}}, {}, {0, 1},
               [](const std::vector<Array>& x) {
                 double s = 0;
                 for (std::size_t i = 0; i < x[0].v.size(); ++i)
                   s += (x[0].v[i] - x[1].v[i]) * (x[0].v[i] - x[1].v[i]);
                 return scalar(s / static_cast<double>(x[0].v.size()));
               }, {}});
  {
    OpAttributes a;
    a.rate = 0.3;
    a.training = true;
    a.seed = 99;
    c.push_back({"dropout training", Op::dropout, {{2, 3, 4, 4}}, a, {0},
                 [](const std::vector<Array>& x) {
                   // mask rule: element i dropped when the i-th uniform of Rng(seed) < rate
                   Rng rng(99);
                   Array y = x[0];
                   for (auto& v : y.v) v = rng.uniform() < 0.3 ? 0.0 : v / 0.7;
                   return y;
                 }, {}});
    OpAttributes e = a;
    e.training = false;
    c.push_back({"dropout eval is identity", Op::dropout, {{2, 3}}, e, {0},
                 [](const std::vector<Array>& x) { return x[0]; }, {}});
  }
  {
    OpAttributes a;
    a.out_channels = 6;
    a.stride = 2;
    c.push_back({"zero with channels and stride", Op::zero, {{2, 3, 5, 4}}, a, {0},
                 [](const std::vector<Array>& x) {
                   return reference::make({x[0].size(0), 6, 3, 2});
                 }, {}});
  }
  c.push_back({"identity", Op::identity, {{2, 3, 2, 2}}, {}, {0},
               [](const std::vector<Array>& x) { return x[0]; }, {}});
  c.push_back({"flatten", Op::flatten, {{2, 3, 2, 2}}, {}, {0},
               [](const std::vector<Array>& x) {
                 Array y = x[0];
                 y.shape = {2, 12};
                 return y;
               }, {}});
  for (bool hard : {false, true}) {
    OpAttributes a;
    a.temperature = 0.7;
    a.hard = hard;
    a.seed = 7;
    auto soft = [](const std::vector<Array>& x) {
      Rng rng(7);  // noise rule: g_i = -log(-log(u_i)), u_i the i-th uniform of Rng(seed)
      Array z = x[0];
      for (auto& v : z.v) v -= std::log(-std::log(std::max(rng.uniform(), 1e-20)));
      return reference::softmax(z, {}, 0.7);
    };
    Reference forward = soft;
    if (hard)
      forward = [soft](const std::vector<Array>& x) {
        Array y = soft(x);
        const auto k = y.size(-1);
        for (std::int64_t r = 0; r < static_cast<std::int64_t>(y.v.size()) / k; ++r) {
          auto first = y.v.begin() + r * k;
          const auto best = std::max_element(first, first + k) - first;
          for (std::int64_t j = 0; j < k; ++j) first[j] = j == best ? 1.0 : 0.0;
        }
        return y;
      };
    // hard: straight-through, the gradient is that of the soft sample
    c.push_back({hard ? "gumbel_softmax hard" : "gumbel_softmax soft", Op::gumbel_softmax, {{3, 5}},
                 a, {0}, forward, soft});
  }
  {
    OpAttributes a;
    a.index = 3;
    a.allowed = {1, 3, 4};
    // ProxylessNAS: forward one-hot(active); gradient = that of sum_j g_j softmax(alpha)_j
    c.push_back({"binary_gate", Op::binary_gate, {{5}}, a, {0},
                 [](const std::vector<Array>&) {
                   Array y = reference::make({5});
                   y[3] = 1.0;
                   return y;
                 },
                 [](const std::vector<Array>& x) { return reference::softmax(x[0], {1, 3, 4}); }});
  }
  return c;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

void run_case(const OpCase& k, std::uint64_t seed) {
  INFO("op case: " << k.name);
  Rng rng(seed);
  std::vector<Tensor> values;
  std::vector<Array> arrays;
  for (const Shape& shape : k.inputs) {
    Tensor t = Tensor::empty(shape);
    for (auto& v : t.values()) v = static_cast<float>(k.low + (k.high - k.low) * rng.uniform());
    values.push_back(t);
    arrays.push_back(reference::from_tensor(t));
  }
  Tape tape;
  std::vector<Variable> vars;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const bool checked =
        std::find(k.checked.begin(), k.checked.end(), static_cast<int>(i)) != k.checked.end();
    vars.push_back(tape.leaf(values[i], checked));
  }
  OpAttributes attributes = k.attributes;
  if (attributes.running_mean.defined()) {  // keep the case's statistics untouched
    attributes.running_mean = attributes.running_mean.clone();
    attributes.running_var = attributes.running_var.clone();
  }
  Variable out = tape.apply(k.op, vars, attributes);

  // Forward against the reference.
  const Array expected = k.forward(arrays);
  REQUIRE(out.shape() == expected.shape);
  const double scale = std::max(1.0, max_abs(expected.v));
  for (std::int64_t i = 0; i < out.value().numel(); ++i)
    REQUIRE(std::abs(out.value().data()[i] - expected[i]) <= 1e-4 * scale);

  // Backward against central differences of sum(r * reference(x)).
  Tensor r = Tensor::empty(out.shape());
  for (auto& v : r.values()) v = static_cast<float>(2.0 * rng.uniform() - 1.0);
  tape.backward(out, r);
  const Reference& f = k.differentiate ? k.differentiate : k.forward;
  auto objective = [&](const std::vector<Array>& x) {
    const Array y = f(x);
    double s = 0;
    for (std::size_t i = 0; i < y.v.size(); ++i) s += static_cast<double>(r.data()[i]) * y.v[i];
    return s;
  };
  const double h = 1e-5;
  for (int input : k.checked) {
    INFO("input " << input);
    const Tensor analytic = vars[static_cast<std::size_t>(input)].grad();
    REQUIRE(analytic.defined());
    const std::int64_t n = analytic.numel();
    std::vector<std::int64_t> indices;
    for (std::int64_t j = 0; j < n; ++j) indices.push_back(j);
    if (n > 60) {  // a random sample keeps the suite fast
      rng.shuffle(indices);
      indices.resize(60);
    }
    std::vector<double> numeric, error;
    for (std::int64_t j : indices) {
      std::vector<Array> plus = arrays, minus = arrays;
      plus[static_cast<std::size_t>(input)][j] += h;
      minus[static_cast<std::size_t>(input)][j] -= h;
      const double d = (objective(plus) - objective(minus)) / (2 * h);
      numeric.push_back(d);
      error.push_back(analytic.data()[j] - d);
    }
    const double relative = max_abs(error) / std::max(max_abs(numeric), 1e-6);
    CHECK(relative <= 1e-3);
  }
}

}  // namespace

TEST_CASE("op harness: every op's forward matches the reference and backward the finite differences") {
  const auto all = cases();
  std::set<Op> covered;
  std::uint64_t seed = 1;
  for (const OpCase& k : all) {
    run_case(k, seed++);
    covered.insert(k.op);
  }
  for (int i = 0; i < op_count; ++i) {
    INFO("op without a harness case: " << to_string(static_cast<Op>(i)));
    CHECK(covered.count(static_cast<Op>(i)) == 1);
  }
}

TEST_CASE("op harness passes with the baseline kernels and with two threads") {
  // The harness above runs in the default arena; here the same cases run inside a 2-thread arena
  // so the parallel paths (chunked weight gradients) are exercised too.
  ThreadArena arena(2);
  arena.execute([] {
    std::uint64_t seed = 100;
    for (const OpCase& k : cases()) run_case(k, seed++);
  });
}

TEST_CASE("pools in ceil mode match PyTorch on a 6x6 ramp") {
  // x = 1..36 row-major; kernel 3, stride 2, padding 1, ceil_mode: 4x4 outputs. Expected values
  // from torch.nn.functional.{avg,max}_pool2d(ceil_mode=True) (PyTorch 1.13), hand-checked at the
  // corners: out[0][3] = (6 + 12) / 6 (window clipped to the padded input: 3 rows x 2 columns),
  // out[3][3] = 36 / 4 with count_include_pad, 36 / 1 without.
  std::vector<float> ramp(36);
  for (int i = 0; i < 36; ++i) ramp[static_cast<std::size_t>(i)] = static_cast<float>(i + 1);
  const Tensor x({1, 1, 6, 6}, ramp);
  const std::vector<float> include = {2.0f,  4.0f,  16.0f / 3.0f, 3.0f,  9.0f,  15.0f, 17.0f, 9.0f,
                                      17.0f, 27.0f, 29.0f,        15.0f, 10.5f, 16.5f, 17.5f, 9.0f};
  const std::vector<float> exclude = {4.5f,  6.0f,  8.0f,  9.0f,  13.5f, 15.0f, 17.0f, 18.0f,
                                      25.5f, 27.0f, 29.0f, 30.0f, 31.5f, 33.0f, 35.0f, 36.0f};
  const std::vector<float> maximum = {8,  10, 12, 12, 20, 22, 24, 24,
                                      32, 34, 36, 36, 32, 34, 36, 36};
  auto check = [&](Op op, bool count_include_pad, const std::vector<float>& expected) {
    const Tensor y = run_forward(op, {x}, pool(3, 2, 1, count_include_pad, true));
    REQUIRE(y.shape() == Shape{1, 1, 4, 4});
    for (std::size_t i = 0; i < expected.size(); ++i)
      CHECK(y.data()[i] == doctest::Approx(expected[i]));
  };
  check(Op::avg_pool, true, include);
  check(Op::avg_pool, false, exclude);
  check(Op::max_pool, true, maximum);
  // Floor mode keeps 3x3; a graph layer infers the ceil-mode shape too.
  CHECK(run_forward(Op::avg_pool, {x}, pool(3, 2, 1)).shape() == Shape{1, 1, 3, 3});
  ComputeGraph g;
  const LayerId in = g.add_input("x", {1, 6, 6});
  CHECK(g.layer(g.avg_pool("ceil", in, 3, 2, 1, true, true)).output == TensorShape{1, 4, 4});
  CHECK(g.layer(g.max_pool("floor", in, 3, 2, 1)).output == TensorShape{1, 3, 3});
  // 2x2 stride 2 on 7x7: ceil adds the overhanging last row/column (floor 3, ceil 4). On 5x5 with
  // padding 1, ceil((5 + 2 - 2) / 2) + 1 = 4 windows, but the 4th would start at 6 >= 5 + 1 (past
  // the input and its padding) and is dropped: 3.
  const LayerId odd = g.add_input("odd", {1, 7, 7});
  CHECK(g.layer(g.max_pool("odd.ceil", odd, 2, 2, 0, true)).output == TensorShape{1, 4, 4});
  const LayerId five = g.add_input("five", {1, 5, 5});
  CHECK(g.layer(g.avg_pool("five.ceil", five, 2, 2, 1, true, true)).output == TensorShape{1, 3, 3});
}

TEST_CASE("batch norm updates running statistics as PyTorch (unbiased variance, momentum 0.1)") {
  // Channel 0 values 1, 2, 3, 6 (N=4, 1x1): mean 3, biased var 3.5, unbiased var 14/3.
  Tensor x({4, 1, 1, 1}, std::vector<float>{1, 2, 3, 6});
  Tensor rm = Tensor::zeros({1}), rv = Tensor::full({1}, 1.0f);
  Variable y = batch_norm(Variable(x), {}, {}, rm, rv, {.training = true, .momentum = 0.1});
  CHECK(rm.item() == doctest::Approx(0.9 * 0 + 0.1 * 3.0));
  CHECK(rv.item() == doctest::Approx(0.9 * 1 + 0.1 * 14.0 / 3.0));
  CHECK(y.value().data()[0] == doctest::Approx((1 - 3) / std::sqrt(3.5 + 1e-5)));
}

TEST_CASE("op errors name the shapes") {
  Tensor x = Tensor::zeros({2, 3, 4, 4});
  Tensor w = Tensor::zeros({4, 2, 3, 3});
  CHECK_THROWS_WITH_AS(conv2d(Variable(x), Variable(w), {}, {}),
                       doctest::Contains("does not fit input 2x3x4x4"), Error);
  CHECK_THROWS_AS(cross_entropy(Variable(Tensor::zeros({2, 3})), {0, 3}), Error);
}
