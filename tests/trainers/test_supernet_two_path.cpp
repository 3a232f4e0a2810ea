// ProxylessNAS two-path mode and the one-shot / few-shot hooks of Supernet, on a small hand-built
// NB201-style supernet (two 3-edge cells sharing alpha, a 1x1 conv block between them):
//   * two-path alpha gradient = d/dalpha of L(sum_{k in pair} (g_k + q_k(alpha) - q_k(alpha0))
//     o_k(x)) at alpha0 (q = softmax over the pair) by central differences — the estimator of
//     mix_op.py, not the gradient of the expected loss; weights against the single-path loss;
//   * the rescale keeps every unsampled op's probability (closed form);
//   * the pair sampler's frequencies against the closed form of sampling without replacement;
//   * a zero active op drops the key's update (Adam leaves alpha untouched);
//   * BN recalibration against hand-computed batch statistics (EMA and cumulative);
//   * GM-NAS shared weights and few-shot weight inheritance;
//   * GDAS hard weights through an edge weight function (for the DARTS-family helpers).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.hpp"
#include "tests/trainers/gradient_check.hpp"
#include "trainers/engine.hpp"

using namespace tandem;
namespace ref = tandem::reference;

namespace {

const std::vector<std::string> kOps = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                       "avg_pool_3x3"};
const std::vector<std::string> kKeys = {"1<-0", "2<-0", "2<-1"};

ComputeGraph op_graph(const std::string& op, int channels, int size) {
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

// stem -> cell A -> "mid" 1x1 conv + BN -> cell B -> BN -> ReLU -> GAP -> linear(3).
SupernetDescription small_supernet(int channels, int size) {
  SupernetDescription d;
  ComputeGraph& g = d.skeleton;
  auto x = g.add_input("x", {3, size, size});
  LayerId state = g.batch_norm("stem.bn", g.conv2d("stem.conv", x, channels, 3, 1, 1));
  for (int cell = 0; cell < 2; ++cell) {
    if (cell == 1) state = g.batch_norm("mid.bn", g.conv2d("mid.conv", state, channels, 1));
    std::vector<LayerId> nodes = {state};
    int e = 0;
    for (int i = 1; i <= 2; ++i) {
      std::vector<LayerId> terms;
      for (int j = 0; j < i; ++j, ++e) {
        LayerId ph = g.identity("cell" + std::to_string(cell) + "." + kKeys[e], nodes[j]);
        MixedEdge edge;
        edge.placeholder = ph;
        edge.alpha_key = kKeys[e];
        for (const auto& op : kOps) edge.candidates.push_back({op, op_graph(op, channels, size)});
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

void randomise_alpha(Supernet& net, std::uint64_t seed) {
  Rng rng(seed);
  for (Parameter* a : net.architecture())
    for (auto& v : a->value.values()) v = static_cast<float>(rng.normal());
}

// Double reference loss with per-(edge, candidate) coefficients (0 = not evaluated).
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
    ref::Array y = ref::make(in.shape);
    for (int k = 0; k < static_cast<int>(edge.candidates.size()); ++k) {
      const double w = coefficient(e, k, p);
      if (w == 0.0) continue;
      const auto& op = edge.candidates[static_cast<std::size_t>(k)];
      ref::Array o = ref::run_graph(op.graph, in, p, d.skeleton.layer(id).name + "/" + op.name + "/");
      for (std::size_t i = 0; i < o.v.size(); ++i) y.v[i] += w * o.v[i];
    }
    return y;
  };
  return ref::cross_entropy(ref::run_graph(d.skeleton, x, p, "", hook, placeholders), labels, 0.0);
}

// softmax over the key's pair, from the parameters p
double pair_probability(const Supernet& net, std::size_t e, int k, const ref::Params& p) {
  const std::string& key = net.description().edges[e].alpha_key;
  const PathPair& pair = net.path_pair(key);
  if (k != pair.active && k != pair.inactive) return 0.0;
  const ref::Array& a = p.at("alpha/" + key);
  return std::exp(a[k]) / (std::exp(a[pair.active]) + std::exp(a[pair.inactive]));
}

// Samples pairs until every key's active op is a conv (so the test exercises weights too) and
// no active op is zero.
void sample_conv_pairs(Supernet& net, Rng& rng) {
  for (int tries = 0; tries < 1000; ++tries) {
    net.sample_path_pairs(rng);
    bool ok = true;
    for (const auto& key : kKeys) {
      const PathPair& pair = net.path_pair(key);
      ok = ok && pair.inactive >= 0 && (pair.active == 2 || pair.active == 3);
    }
    if (ok) return;
  }
  FAIL("no conv pair sampled");
}

}  // namespace

TEST_CASE("supernet two-path (ProxylessNAS 'two'): alpha gradient is the pair estimator") {
  Supernet net(small_supernet(4, 5), {.seed = 11, .threads = 1});
  net.set_mode(SupernetMode::two_path);
  randomise_alpha(net, 3);
  Rng rng(5);
  sample_conv_pairs(net, rng);
  const Tensor x = random_tensor({3, 3, 5, 5}, 7);
  const std::vector<int> labels = {2, 0, 1};
  net.zero_grad();
  Variable logits = net.forward(x, true);
  backward(cross_entropy(logits, labels));

  // alpha entries outside each key's pair get exactly zero
  for (const auto& key : kKeys) {
    const PathPair& pair = net.path_pair(key);
    const Tensor& g = net.alpha(key).grad;
    REQUIRE(g.defined());
    for (int k = 0; k < 5; ++k)
      if (k != pair.active && k != pair.inactive) CHECK(g.data()[k] == 0.0f);
    CHECK(g.data()[pair.active] != 0.0f);
    // over a pair of two the estimator sums to zero (softmax Jacobian rows sum to zero)
    CHECK(std::abs(g.data()[pair.active] + g.data()[pair.inactive]) < 1e-6);
  }
  const ref::Params alpha0 = ref::to_double(net.parameters());
  const ref::Array xr = ref::from_tensor(x);
  // alpha: the gate-weighted surrogate
  ref::check_parameter_gradients(net.parameters(), [&](const ref::Params& p) {
    return reference_loss(net, xr, labels, p, [&](std::size_t e, int k, const ref::Params& q) {
      const double gate = net.active(e) == k ? 1.0 : 0.0;
      return gate + pair_probability(net, e, k, q) - pair_probability(net, e, k, alpha0);
    });
  }, 21, 5, /*architecture_only=*/true);
  // weights: the single-path loss of the active ops (the inactive output is detached); alpha is
  // not an argument of that loss, so its gradient is cleared for this check
  for (Parameter* a : net.architecture()) a->grad.fill(0.0f);
  ref::check_parameter_gradients(net.parameters(), [&](const ref::Params& p) {
    return reference_loss(net, xr, labels, p, [&](std::size_t e, int k, const ref::Params&) {
      return net.active(e) == k ? 1.0 : 0.0;
    });
  }, 22, 3);
  // the forward value is the active path's output
  const double value = reference_loss(net, xr, labels, alpha0,
                                      [&](std::size_t e, int k, const ref::Params&) {
                                        return net.active(e) == k ? 1.0 : 0.0;
                                      });
  CHECK(cross_entropy(Variable(logits.value()), labels).value().item() ==
        doctest::Approx(value).epsilon(1e-5));
}

TEST_CASE("supernet two-path: the rescale keeps the unsampled ops' probabilities") {
  Supernet net(small_supernet(4, 5), {.seed = 12, .threads = 1});
  net.set_mode(SupernetMode::two_path);
  randomise_alpha(net, 4);
  Rng rng(9);
  for (const auto& key : kKeys) {  // make conv pairs likely
    net.alpha(key).value.data()[2] += 2.0f;
    net.alpha(key).value.data()[3] += 2.0f;
  }
  sample_conv_pairs(net, rng);
  Adam adam(net.architecture(), {.learning_rate = 0.3, .beta1 = 0.0, .beta2 = 0.999});
  net.zero_grad();
  backward(cross_entropy(net.forward(random_tensor({3, 3, 5, 5}, 8), true), {0, 1, 2}));
  const auto before = net.alpha_snapshot();
  std::map<std::string, std::vector<double>> p_before;
  for (std::size_t e = 0; e < 3; ++e) p_before[kKeys[e]] = net.edge_weights(e);
  REQUIRE(net.drop_zero_path_gradients().empty());
  adam.step();
  const auto stepped = net.alpha_snapshot();
  net.rescale_path_pairs(before);
  for (std::size_t e = 0; e < 3; ++e) {
    const std::string& key = kKeys[e];
    const PathPair& pair = net.path_pair(key);
    const auto a = static_cast<std::size_t>(pair.active), b = static_cast<std::size_t>(pair.inactive);
    const std::vector<double> p_after = net.edge_weights(e);
    const std::vector<float> now = net.alpha(key).value.to_vector();
    CHECK(stepped.at(key)[a] != doctest::Approx(before.at(key)[a]));  // the pair moved
    for (std::size_t k = 0; k < 5; ++k) {
      if (k == a || k == b) continue;
      CHECK(now[k] == before.at(key)[k]);                        // unsampled alpha untouched
      CHECK(p_after[k] == doctest::Approx(p_before[key][k]).epsilon(1e-5));  // and its p
    }
    // the pair keeps its total mass and takes the stepped ratio
    CHECK(p_after[a] + p_after[b] == doctest::Approx(p_before[key][a] + p_before[key][b]).epsilon(1e-5));
    CHECK(now[a] - now[b] == doctest::Approx(stepped.at(key)[a] - stepped.at(key)[b]).epsilon(1e-5));
  }
}

TEST_CASE("supernet two-path: pairs are sampled without replacement from softmax(alpha)") {
  Supernet net(small_supernet(4, 5), {.seed = 13, .threads = 1});
  const std::vector<float> alpha = {0.5f, -0.3f, 1.2f, 0.0f, -1.0f};
  net.alpha("1<-0").value.copy_from(Tensor({5}, alpha));
  std::vector<double> p(5);
  double z = 0;
  for (std::size_t k = 0; k < 5; ++k) z += p[k] = std::exp(alpha[k]);
  for (double& v : p) v /= z;
  Rng rng(17);
  const int draws = 20000;
  std::map<std::pair<int, int>, int> counts;  // (active, inactive)
  for (int i = 0; i < draws; ++i) {
    net.sample_path_pairs(rng);
    const PathPair& pair = net.path_pair("1<-0");
    ++counts[{pair.active, pair.inactive}];
    CHECK(pair.active != pair.inactive);
    CHECK(net.active(0) == pair.active);
    CHECK(net.active(3) == pair.active);  // the other cell's edge of the same key
  }
  // P(active a, inactive b) = P({a, b}) * p_a / (p_a + p_b) with
  // P({a, b}) = p_a p_b / (1 - p_a) + p_b p_a / (1 - p_b)
  for (int a : {0, 2, 3})
    for (int b : {1, 2, 4}) {
      if (a == b) continue;
      const auto i = static_cast<std::size_t>(a), j = static_cast<std::size_t>(b);
      const double pair = p[i] * p[j] / (1 - p[i]) + p[j] * p[i] / (1 - p[j]);
      const double expected = pair * p[i] / (p[i] + p[j]);
      const double freq = counts[{a, b}] / static_cast<double>(draws);
      CHECK(std::abs(freq - expected) < 4 * std::sqrt(expected * (1 - expected) / draws) + 1e-3);
    }
  // a one-op subset has no inactive op
  net.set_allowed(1, {3});
  net.set_allowed(4, {3});
  net.sample_path_pairs(rng);
  CHECK(net.path_pair("2<-0").inactive == -1);
  CHECK(net.path_pair("2<-0").active == 3);
  // edges of one key with different subsets are refused
  net.set_allowed(4, {2, 3});
  CHECK_THROWS_AS(net.sample_path_pairs(rng), Error);
}

TEST_CASE("supernet two-path: a zero active op drops the key's alpha update") {
  Supernet net(small_supernet(4, 5), {.seed = 14, .threads = 1});
  net.set_mode(SupernetMode::two_path);
  randomise_alpha(net, 6);
  net.alpha("2<-1").value.data()[0] = 8.0f;  // "none" dominates: it is sampled and active
  Rng rng(3);
  int tries = 0;
  do net.sample_path_pairs(rng);
  while (net.path_pair("2<-1").active != 0 && ++tries < 100);
  REQUIRE(net.path_pair("2<-1").active == 0);
  CHECK(net.is_zero_candidate(2, 0));
  CHECK_FALSE(net.is_zero_candidate(2, 1));
  Adam adam(net.architecture(), {.learning_rate = 0.1});
  net.zero_grad();
  backward(cross_entropy(net.forward(random_tensor({2, 3, 5, 5}, 4), true), {1, 2}));
  const auto before = net.alpha_snapshot();
  const auto dropped = net.drop_zero_path_gradients();
  CHECK(std::find(dropped.begin(), dropped.end(), "2<-1") != dropped.end());
  CHECK_FALSE(net.alpha("2<-1").grad.defined());
  adam.step();
  net.rescale_path_pairs(before, dropped);
  CHECK(net.alpha("2<-1").value.to_vector() == before.at("2<-1"));
}

TEST_CASE("supernet BN recalibration: running stats become the active path's batch statistics") {
  // input -> edge {bn_a, bn_b, identity} -> GAP -> linear: bn_a's batch statistics are those
  // of the input batch, computable by hand.
  SupernetDescription d;
  auto x = d.skeleton.add_input("x", {2, 3, 3});
  LayerId ph = d.skeleton.identity("edge", x);
  d.skeleton.mark_output(d.skeleton.linear("fc", d.skeleton.global_avg_pool("gap", ph), 2));
  MixedEdge edge;
  edge.placeholder = ph;
  edge.alpha_key = "e";
  for (const char* name : {"bn_a", "bn_b", "id"}) {
    ComputeGraph g;
    auto in = g.add_input("x", {2, 3, 3});
    if (std::string(name) == "id") g.mark_output(g.identity("id", in));
    else g.mark_output(g.batch_norm("bn", in, false));
    edge.candidates.push_back({name, g});
  }
  d.edges.push_back(edge);
  Supernet net(d, {.seed = 1, .threads = 1, .bn_momentum = 0.1});
  net.set_mode(SupernetMode::single_path);
  net.set_active(0, 0);
  const Tensor b1 = random_tensor({4, 2, 3, 3}, 31), b2 = random_tensor({4, 2, 3, 3}, 32);
  // per-channel mean and unbiased variance of a batch, by hand
  auto stats = [](const Tensor& t, int c) {
    double sum = 0, sq = 0;
    const int n = 4 * 9;
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 9; ++k) sum += t.data()[(i * 2 + c) * 9 + k];
    const double mean = sum / n;
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 9; ++k) sq += std::pow(t.data()[(i * 2 + c) * 9 + k] - mean, 2);
    return std::pair<double, double>{mean, sq / (n - 1)};
  };
  Buffer* mean_a = net.parameters().find_buffer("edge/bn_a/bn.running_mean");
  Buffer* var_a = net.parameters().find_buffer("edge/bn_a/bn.running_var");
  Buffer* mean_b = net.parameters().find_buffer("edge/bn_b/bn.running_mean");
  REQUIRE((mean_a && var_a && mean_b));
  mean_a->value.fill(5.0f);
  mean_b->value.fill(5.0f);
  net.reset_running_statistics();
  CHECK(mean_a->value.data()[0] == 0.0f);
  CHECK(var_a->value.data()[1] == 1.0f);
  // EMA (SPOS): three passes over b1 give (1 - 0.9^3) mu and 0.9^3 + (1 - 0.9^3) s^2
  net.recalibrate_batch_norm({b1, b1, b1}, /*cumulative=*/false);
  const double w = 1 - std::pow(0.9, 3);
  for (int c = 0; c < 2; ++c) {
    const auto [mu, var] = stats(b1, c);
    CHECK(mean_a->value.data()[c] == doctest::Approx(w * mu).epsilon(1e-5));
    CHECK(var_a->value.data()[c] == doctest::Approx(1 - w + w * var).epsilon(1e-5));
    CHECK(mean_b->value.data()[c] == 0.0f);  // the inactive op's statistics stay reset
  }
  // cumulative: the plain average of the two batches' statistics
  net.reset_running_statistics();
  net.recalibrate_batch_norm({b1, b2}, /*cumulative=*/true);
  for (int c = 0; c < 2; ++c) {
    const auto [mu1, var1] = stats(b1, c);
    const auto [mu2, var2] = stats(b2, c);
    CHECK(mean_a->value.data()[c] == doctest::Approx((mu1 + mu2) / 2).epsilon(1e-4));
    CHECK(var_a->value.data()[c] == doctest::Approx((var1 + var2) / 2).epsilon(1e-4));
    CHECK(mean_b->value.data()[c] == 0.0f);
  }
}

TEST_CASE("supernet shared weights (GM-NAS) and few-shot inheritance") {
  Supernet net(small_supernet(4, 5), {.seed = 15, .threads = 1});
  std::set<std::string> names;
  for (Parameter* p : net.shared_weights("2<-0")) names.insert(p->name);
  CHECK(names.count("mid.conv.weight") == 1);  // between the cells: shared
  CHECK(names.count("stem.conv.weight") == 0);  // stem and classifier: not
  CHECK(names.count("classifier.weight") == 0);
  CHECK(names.count("cell0.1<-0/nor_conv_3x3/conv.weight") == 1);
  CHECK(names.count("cell1.2<-1/nor_conv_1x1/conv.weight") == 1);
  CHECK(names.count("cell0.2<-0/nor_conv_3x3/conv.weight") == 0);  // the split edge, both cells
  CHECK(names.count("cell1.2<-0/nor_conv_1x1/conv.weight") == 0);
  // 2 cells x 2 other edges x 2 convs + mid conv + mid BN gamma and beta
  CHECK(names.count("mid.bn.weight") == 1);
  CHECK(names.size() == 11);
  CHECK_THROWS_AS(net.shared_weights("3<-0"), Error);

  // a child restricted to a subset inherits the parent exactly
  randomise_alpha(net, 9);
  SupernetDescription child_description = net.description();
  child_description.edges[1].allowed = {2, 3};
  child_description.edges[4].allowed = {2, 3};
  Supernet child(child_description, {.seed = 99, .threads = 1});
  child.copy_state_from(net);
  net.set_allowed(1, {2, 3});
  net.set_allowed(4, {2, 3});
  const Tensor x = random_tensor({2, 3, 5, 5}, 10);
  const Tensor a = net.forward(x, false).value().clone();
  const Tensor b = child.forward(x, false).value().clone();
  CHECK(a.to_vector() == b.to_vector());
}

TEST_CASE("supernet hard weights (GDAS) with an edge weight function: gradients") {
  Supernet net(small_supernet(4, 5), {.seed = 16, .threads = 1});
  randomise_alpha(net, 12);
  net.alpha("1<-0").value.data()[3] += 3.0f;  // a conv selected on two keys, a pool on one
  net.alpha("2<-0").value.data()[2] += 3.0f;
  net.alpha("2<-1").value.data()[4] += 3.0f;
  int calls = 0;
  // a tempered softmax, once per key per forward
  net.set_edge_weight_function([&](const std::string&, const Variable& alpha,
                                   const std::vector<int>& allowed) {
    ++calls;
    return softmax(scale(alpha, Variable(Tensor({1}, std::vector<float>{2.0f})), 0), allowed);
  });
  net.set_mode(SupernetMode::hard_weights);
  net.set_unselected_gradient(true);
  const Tensor x = random_tensor({3, 3, 5, 5}, 13);
  const std::vector<int> labels = {1, 0, 2};
  net.zero_grad();
  backward(cross_entropy(net.forward(x, true), labels));
  CHECK(calls == 3);  // three keys, six edges
  auto tempered = [&](std::size_t e, int k, const ref::Params& q) {
    const ref::Array& a = q.at("alpha/" + net.description().edges[e].alpha_key);
    double z = 0;
    for (int j = 0; j < 5; ++j) z += std::exp(2 * a[j]);
    return std::exp(2 * a[k]) / z;
  };
  const ref::Params p0 = ref::to_double(net.parameters());
  for (std::size_t e = 0; e < net.edge_count(); ++e) {  // the argmax of the tempered weights
    int best = 0;
    for (int k = 1; k < 5; ++k)
      if (tempered(e, k, p0) > tempered(e, best, p0)) best = k;
    CHECK(net.last_selected(e) == best);
  }
  // y = w_a op_a(x) + sum_{k != a} w_k * 1 on every edge
  const SupernetDescription& d = net.description();
  std::vector<LayerId> placeholders;
  for (const auto& e : d.edges) placeholders.push_back(e.placeholder);
  const ref::Array xr = ref::from_tensor(x);
  ref::check_parameter_gradients(net.parameters(), [&](const ref::Params& p) {
    auto hook = [&](LayerId id, const ref::Array& in) {
      std::size_t e = 0;
      while (d.edges[e].placeholder != id) ++e;
      const int a = net.last_selected(e);
      const auto& op = d.edges[e].candidates[static_cast<std::size_t>(a)];
      ref::Array y = ref::run_graph(op.graph, in, p, d.skeleton.layer(id).name + "/" + op.name + "/");
      for (auto& v : y.v) v *= tempered(e, a, p);
      for (int k = 0; k < 5; ++k)
        if (k != a)
          for (auto& v : y.v) v += tempered(e, k, p);
      return y;
    };
    return ref::cross_entropy(ref::run_graph(d.skeleton, xr, p, "", hook, placeholders), labels,
                              0.0);
  }, 31, 4);
}
