// Supernet from a hand-built NB201-style description (two cells sharing alpha per edge position):
// architecture and weight gradients against finite differences of a double reference in every
// mode (weighted sum, restricted subsets, partial channels with edge normalisation, binary
// gates), single-path execution, sampling and derivation.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "tests/trainers/gradient_check.hpp"
#include "trainers/engine.hpp"

using namespace tandem;
namespace ref = tandem::reference;

namespace {

const std::vector<std::string> kOps = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                       "avg_pool_3x3"};
const std::vector<std::string> kEdges = {"1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"};

ComputeGraph candidate(const std::string& op, int channels, int size) {
  ComputeGraph g;
  auto x = g.add_input("x", {channels, size, size});
  LayerId out = x;
  if (op == "none") out = g.zero("zero", x);
  if (op == "skip_connect") out = g.identity("id", x);
  if (op == "avg_pool_3x3") out = g.avg_pool("pool", x, 3, 1, 1, false);
  if (op == "nor_conv_1x1" || op == "nor_conv_3x3") {
    const int k = op == "nor_conv_1x1" ? 1 : 3;
    out = g.batch_norm("bn", g.conv2d("conv", g.relu("relu", x), channels, k, 1, k / 2), false);
  }
  g.mark_output(out);
  return g;
}

// stem -> cell -> cell -> BN -> ReLU -> GAP -> linear; every cell edge a placeholder.
SupernetDescription nb201_supernet(int channels, int size, int partial = 1, bool beta = false) {
  SupernetDescription d;
  ComputeGraph& g = d.skeleton;
  auto x = g.add_input("x", {3, size, size});
  LayerId state = g.batch_norm("stem.bn", g.conv2d("stem.conv", x, channels, 3, 1, 1));
  for (int cell = 0; cell < 2; ++cell) {
    std::vector<LayerId> nodes = {state};
    int e = 0;
    for (int i = 1; i <= 3; ++i) {
      std::vector<LayerId> terms;
      for (int j = 0; j < i; ++j, ++e) {
        const std::string name = "cell" + std::to_string(cell) + "." + kEdges[e];
        LayerId ph = g.identity(name, nodes[j]);
        MixedEdge edge;
        edge.placeholder = ph;
        edge.alpha_key = kEdges[e];  // shared by both cells, as NB201's 6x5 alpha
        edge.partial_channels = partial;
        for (const auto& op : kOps)
          edge.candidates.push_back({op, candidate(op, channels / partial, size)});
        if (beta) {
          edge.beta_key = "node" + std::to_string(i);
          edge.beta_index = j;
        }
        d.edges.push_back(std::move(edge));
        terms.push_back(ph);
      }
      nodes.push_back(g.add_sum("cell" + std::to_string(cell) + ".node" + std::to_string(i), terms));
    }
    state = nodes.back();
  }
  auto head = g.relu("last.relu", g.batch_norm("last.bn", state));
  g.mark_output(g.linear("classifier", g.global_avg_pool("gap", head), 3));
  return d;
}

Tensor random_tensor(Shape shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t = Tensor::empty(std::move(shape));
  for (auto& v : t.values()) v = static_cast<float>(rng.normal());
  return t;
}

std::vector<int> allowed_or_all(const MixedEdge& e) {
  if (!e.allowed.empty()) return e.allowed;
  std::vector<int> all;
  for (std::size_t k = 0; k < e.candidates.size(); ++k) all.push_back(static_cast<int>(k));
  return all;
}

// Double reference of the supernet's loss. coefficient(e, k, p) gives the weight of candidate k on
// edge e from the parameters p (nullopt-like NaN = candidate not evaluated).
double reference_loss(const Supernet& net, const ref::Array& x, const std::vector<int>& labels,
                      const ref::Params& p,
                      const std::function<double(std::size_t, int, const ref::Params&)>& coefficient) {
  const SupernetDescription& d = net.description();
  std::vector<LayerId> placeholders;
  for (const auto& e : d.edges) placeholders.push_back(e.placeholder);
  auto hook = [&](LayerId id, const ref::Array& in) {
    std::size_t e = 0;
    while (d.edges[e].placeholder != id) ++e;
    const MixedEdge& edge = d.edges[e];
    const std::string prefix = d.skeleton.layer(id).name + "/";
    const int k_partial = edge.partial_channels;
    const int c = static_cast<int>(in.size(1));
    ref::Array x1 = k_partial > 1 ? ref::slice(in, 0, c / k_partial) : in;
    ref::Array y;
    for (int k : allowed_or_all(edge)) {
      const double w = coefficient(e, k, p);
      if (w == 0.0) continue;
      ref::Array o = ref::run_graph(edge.candidates[static_cast<std::size_t>(k)].graph, x1, p,
                                    prefix + edge.candidates[static_cast<std::size_t>(k)].name + "/");
      if (y.v.empty()) y = ref::make(o.shape);
      for (std::size_t i = 0; i < o.v.size(); ++i) y.v[i] += w * o.v[i];
    }
    if (y.v.empty()) y = ref::make(x1.shape);
    if (k_partial > 1) {
      ref::Array rest = ref::slice(in, c / k_partial, c);
      y = ref::shuffle(ref::concat({&y, &rest}), k_partial);
    }
    if (!edge.beta_key.empty()) {
      const double b = ref::softmax(p.at("beta/" + edge.beta_key))[edge.beta_index];
      for (auto& v : y.v) v *= b;
    }
    return y;
  };
  return ref::cross_entropy(ref::run_graph(d.skeleton, x, p, "", hook, placeholders), labels, 0.0);
}

double softmax_coefficient(const Supernet& net, std::size_t e, int k, const ref::Params& p) {
  const MixedEdge& edge = net.description().edges[e];
  return ref::softmax(p.at("alpha/" + edge.alpha_key), allowed_or_all(edge))[k];
}

void randomise_alpha(Supernet& net, std::uint64_t seed) {
  Rng rng(seed);  // larger than the 1e-3 init so the mixture weights differ visibly
  for (Parameter* a : net.architecture())
    for (auto& v : a->value.values()) v = static_cast<float>(rng.normal());
}

}  // namespace

TEST_CASE("supernet weighted sum (DARTS): alpha and weight gradients match finite differences") {
  Supernet net(nb201_supernet(4, 5), {.seed = 1, .threads = 2});
  CHECK(net.architecture().size() == 6);  // one alpha per edge position, shared by both cells
  for (Parameter* a : net.architecture()) {
    CHECK(a->value.numel() == 5);
    for (float v : a->value.values()) CHECK(std::abs(v) < 0.01f);  // 1e-3 * N(0, 1)
  }
  randomise_alpha(net, 4);
  const Tensor x = random_tensor({3, 3, 5, 5}, 2);
  const std::vector<int> labels = {0, 2, 1};
  net.zero_grad();
  backward(cross_entropy(net.forward(x, true), labels));
  const ref::Array xr = ref::from_tensor(x);
  ref::check_parameter_gradients(net.parameters(), [&](const ref::Params& p) {
    return reference_loss(net, xr, labels, p, [&](std::size_t e, int k, const ref::Params& q) {
      return softmax_coefficient(net, e, k, q);
    });
  }, 3, 5);
}

TEST_CASE("supernet restricted subsets (few-shot): softmax over the allowed ops only") {
  Supernet net(nb201_supernet(4, 5), {.seed = 2, .threads = 1});
  randomise_alpha(net, 5);
  net.set_allowed(0, {1, 3});  // edge 1<-0 of both cells (they share alpha "1<-0")
  net.set_allowed(6, {1, 3});
  net.set_allowed(5, {0, 2, 4});  // edge 3<-2 of the first cell only
  const Tensor x = random_tensor({3, 3, 5, 5}, 3);
  const std::vector<int> labels = {1, 1, 0};
  net.zero_grad();
  backward(cross_entropy(net.forward(x, true), labels));
  // alpha entries outside the subset get no gradient
  const Tensor& g0 = net.alpha("1<-0").grad;
  CHECK(g0.data()[0] == 0.0f);
  CHECK(g0.data()[2] == 0.0f);
  CHECK(g0.data()[4] == 0.0f);
  CHECK(g0.data()[1] != 0.0f);
  const ref::Array xr = ref::from_tensor(x);
  ref::check_parameter_gradients(net.parameters(), [&](const ref::Params& p) {
    return reference_loss(net, xr, labels, p, [&](std::size_t e, int k, const ref::Params& q) {
      return softmax_coefficient(net, e, k, q);
    });
  }, 4, 4, /*architecture_only=*/true);
  CHECK(net.derive()[0] == (net.alpha("1<-0").value.data()[1] > net.alpha("1<-0").value.data()[3] ? 1 : 3));
}

TEST_CASE("supernet partial channels (PC-DARTS) with edge normalisation: gradients") {
  Supernet net(nb201_supernet(4, 5, /*partial=*/2, /*beta=*/true), {.seed = 3, .threads = 2});
  net.set_mode(SupernetMode::partial_channels);
  CHECK(net.architecture().size() == 6 + 3);  // alphas + one beta per node
  randomise_alpha(net, 6);
  const Tensor x = random_tensor({2, 3, 5, 5}, 4);
  const std::vector<int> labels = {2, 0};
  net.zero_grad();
  backward(cross_entropy(net.forward(x, true), labels));
  const ref::Array xr = ref::from_tensor(x);
  ref::check_parameter_gradients(net.parameters(), [&](const ref::Params& p) {
    return reference_loss(net, xr, labels, p, [&](std::size_t e, int k, const ref::Params& q) {
      return softmax_coefficient(net, e, k, q);
    });
  }, 5, 4);
}

TEST_CASE("supernet binary gates (ProxylessNAS): dL/dalpha = sum_j dL/dg_j p_j (delta_ij - p_i)") {
  Supernet net(nb201_supernet(4, 5), {.seed = 4, .threads = 1});
  net.set_mode(SupernetMode::binary_gates);
  randomise_alpha(net, 7);
  Rng rng(3);
  net.sample_active(rng, /*from_alpha=*/true);
  const Tensor x = random_tensor({3, 3, 5, 5}, 5);
  const std::vector<int> labels = {0, 1, 2};
  net.zero_grad();
  backward(cross_entropy(net.forward(x, true), labels));
  // The estimator equals the derivative of L(sum_k (g_k + p_k(alpha) - p_k(alpha0)) o_k(x)) at
  // alpha0, with g the one-hot gates.
  const ref::Params alpha0 = ref::to_double(net.parameters());
  const ref::Array xr = ref::from_tensor(x);
  ref::check_parameter_gradients(net.parameters(), [&](const ref::Params& p) {
    return reference_loss(net, xr, labels, p, [&](std::size_t e, int k, const ref::Params& q) {
      const double gate = net.active(e) == k ? 1.0 : 0.0;
      return gate + softmax_coefficient(net, e, k, q) - softmax_coefficient(net, e, k, alpha0);
    });
  }, 6, 4);
}

TEST_CASE("supernet single path (SPOS): only the active ops run, no alpha gradient") {
  Supernet net(nb201_supernet(4, 5), {.seed = 5, .threads = 1});
  net.set_mode(SupernetMode::single_path);
  Rng rng(8);
  net.sample_active(rng, /*from_alpha=*/false);
  for (std::size_t e = 0; e < net.edge_count(); ++e) net.set_active(e, e % 2 ? 3 : 2);
  const Tensor x = random_tensor({3, 3, 5, 5}, 6);
  const std::vector<int> labels = {2, 2, 1};
  net.zero_grad();
  backward(cross_entropy(net.forward(x, true), labels));
  for (Parameter* a : net.architecture())
    if (a->grad.defined())
      for (float v : a->grad.values()) CHECK(v == 0.0f);
  // weights of inactive ops are untouched
  const Parameter* inactive = net.parameters().find("cell0.1<-0/nor_conv_3x3/conv.weight");
  REQUIRE(inactive != nullptr);
  CHECK((!inactive->grad.defined() || inactive->grad.data()[0] == 0.0f));
  const ref::Array xr = ref::from_tensor(x);
  ref::check_parameter_gradients(net.parameters(), [&](const ref::Params& p) {
    return reference_loss(net, xr, labels, p, [&](std::size_t e, int k, const ref::Params&) {
      return net.active(e) == k ? 1.0 : 0.0;
    });
  }, 7, 3);
}

TEST_CASE("supernet sampling follows the allowed subsets") {
  Supernet net(nb201_supernet(4, 5), {.seed = 6, .threads = 1});
  net.set_allowed(2, {1, 4});
  Rng rng(1);
  std::array<int, 5> counts{};
  for (int i = 0; i < 400; ++i) {
    net.sample_active(rng, false);
    ++counts[static_cast<std::size_t>(net.active(2))];
  }
  CHECK(counts[0] + counts[2] + counts[3] == 0);
  CHECK(counts[1] > 150);
  CHECK(counts[4] > 150);
  // from alpha: a dominant alpha entry is sampled almost always
  net.alpha(kEdges[3]).value.data()[2] = 10.0f;
  int hits = 0;
  for (int i = 0; i < 200; ++i) {
    net.sample_active(rng, true);
    hits += net.active(3) == 2;
  }
  CHECK(hits > 190);
  CHECK_THROWS_AS(net.set_active(2, 0), Error);
}

TEST_CASE("supernet description errors are one clear line") {
  SupernetDescription d = nb201_supernet(4, 5);
  d.edges[1].candidates[2].graph = candidate("nor_conv_1x1", 2, 5);
  CHECK_THROWS_WITH_AS(Supernet{d}, doctest::Contains("candidate 'nor_conv_1x1': input 2x5x5"),
                       Error);
}
