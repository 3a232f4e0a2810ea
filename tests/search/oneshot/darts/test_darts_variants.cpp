// The DARTS variants on a tiny NB201 supernet (width 4, one cell per stage, 8x8 inputs): their
// architecture (and for SD-DARTS weight) gradients against central finite differences of a
// double-precision reference of the same network (tests/trainers/reference_graph.hpp) — sharpDARTS
// Max-W, SNAS's concrete sample with the noise held fixed, GDAS's hard forward (exactly the
// sampled op per edge; the straight-through gradient = the soft sample's Jacobian times dL/dh),
// RARTS's two-network α and coupled y gradients, SD-DARTS's distillation term — the SNAS resource
// penalty against its own finite differences, and every strategy end to end on the shipped
// digits (derived candidates valid in the space, per-epoch logs, schedules).
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "core/error.hpp"
#include "search/oneshot/darts/cosine_power_annealing.hpp"
#include "search/oneshot/darts/gdas.hpp"
#include "search/oneshot/darts/gumbel_relaxation.hpp"
#include "search/oneshot/darts/max_w_regularization.hpp"
#include "search/oneshot/darts/rarts.hpp"
#include "search/oneshot/darts/sd_darts.hpp"
#include "search/oneshot/darts/sharp_darts.hpp"
#include "search/oneshot/darts/snas.hpp"
#include "tests/trainers/gradient_check.hpp"

using namespace tandem;
namespace ref = tandem::reference;

namespace {

std::unique_ptr<SearchSpace> make_space(const std::string& name) {
  return space_registry().create(name, ConfigNode());
}

SupernetDescription tiny_nb201() {
  GraphOptions g;
  g.input = {1, 8, 8};
  g.classes = 10;
  g.width = 4;
  g.cells_per_stage = 1;
  return make_space("nb201")->supernet(g);
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

std::vector<double> alpha_of(const ref::Params& p, const std::string& key) {
  return p.at("alpha/" + key).v;
}

std::vector<double> softmax_d(const std::vector<double>& a, double tau = 1.0) {
  double top = a[0];
  for (double v : a) top = std::max(top, v);
  std::vector<double> s(a.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += s[i] = std::exp((a[i] - top) / tau);
  for (double& v : s) v /= sum;
  return s;
}

// How a reference edge mixes its ops: the weight of candidate k on edge e (0 = not run), and
// optionally a constant added per candidate (GDAS's h_k * 1 terms of the unselected ops).
struct EdgeMix {
  std::vector<double> weights;
  std::vector<double> constants;
};
using MixFunction = std::function<EdgeMix(std::size_t edge, const ref::Params&)>;

// The supernet's logits in double precision with the given mixing.
ref::Array reference_logits(const SupernetDescription& d, const ref::Array& x, const ref::Params& p,
                            const MixFunction& mix) {
  std::vector<LayerId> placeholders;
  for (const MixedEdge& e : d.edges) placeholders.push_back(e.placeholder);
  auto hook = [&](LayerId id, const ref::Array& in) {
    std::size_t e = 0;
    while (d.edges[e].placeholder != id) ++e;
    const MixedEdge& edge = d.edges[e];
    const std::string prefix = d.skeleton.layer(id).name + "/";
    const EdgeMix m = mix(e, p);
    ref::Array y = ref::make(in.shape);
    for (std::size_t k = 0; k < edge.candidates.size(); ++k) {
      if (!m.constants.empty())
        for (double& v : y.v) v += m.constants[k];
      if (m.weights[k] == 0.0) continue;
      const ref::Array o =
          ref::run_graph(edge.candidates[k].graph, in, p, prefix + edge.candidates[k].name + "/");
      for (std::size_t i = 0; i < o.v.size(); ++i) y.v[i] += m.weights[k] * o.v[i];
    }
    return y;
  };
  return ref::run_graph(d.skeleton, x, p, "", hook, placeholders);
}

double reference_loss(const SupernetDescription& d, const ref::Array& x,
                      const std::vector<int>& labels, const ref::Params& p,
                      const MixFunction& mix) {
  return ref::cross_entropy(reference_logits(d, x, p, mix), labels, 0.0);
}

// Central differences (h = 1e-5) of `loss` on `per_parameter` sampled elements of every
// parameter against its engine gradient: max error <= 1e-3 max(max |numeric|, 1e-3).
void check_gradients_with_floor(ParameterSet& set,
                                const std::function<double(const ref::Params&)>& loss,
                                std::uint64_t seed, int per_parameter) {
  Rng rng(seed);
  const ref::Params base = ref::to_double(set);
  for (Parameter* p : set.all()) {
    INFO("parameter " << p->name);
    std::vector<std::int64_t> idx(static_cast<std::size_t>(p->value.numel()));
    for (std::size_t j = 0; j < idx.size(); ++j) idx[j] = static_cast<std::int64_t>(j);
    rng.shuffle(idx);
    if (static_cast<int>(idx.size()) > per_parameter)
      idx.resize(static_cast<std::size_t>(per_parameter));
    double worst = 0.0, scale = 0.0;
    for (std::int64_t j : idx) {
      ref::Params plus = base, minus = base;
      plus[p->name][j] += 1e-5;
      minus[p->name][j] -= 1e-5;
      const double numeric = (loss(plus) - loss(minus)) / 2e-5;
      const double engine = p->grad.defined() ? p->grad.data()[j] : 0.0;
      worst = std::max(worst, std::abs(numeric - engine));
      scale = std::max(scale, std::abs(numeric));
    }
    CHECK(worst <= 1e-3 * std::max(scale, 1e-3));
  }
}

// Runs a registered strategy through ask() on the given space and options.
std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space,
                                        const std::string& yaml, std::uint64_t seed = 3) {
  ConfigNode options = ConfigNode::parse(yaml, "options.yaml");
  StrategyContext context{space, options, seed, {Objective{"accuracy", false, {}}}};
  return strategy_registry().create(name, context);
}

const char* kTinySearch = "{dataset: digits, path: " TANDEM_SOURCE_DIR
                          "/data/uci-digits/digits.csv.gz, max_samples: 48, "
                          "batch_size: 16, width: 4, cells_per_stage: 1, threads: 1";

}  // namespace

TEST_CASE("sharpDARTS Max-W on the supernet: architecture gradient vs finite differences") {
  const SupernetDescription d = tiny_nb201();
  Supernet net(d, {.seed = 1, .threads = 1});
  SharpDartsPieces pieces;
  pieces.weighting = "max_w";
  apply_weighting(net, pieces);
  randomise_alpha(net, 2);
  const Tensor x = random_tensor({2, 1, 8, 8}, 3);
  const std::vector<int> labels = {3, 7};
  net.zero_grad();
  backward(cross_entropy(net.forward(x, true), labels));
  const ref::Array xr = ref::from_tensor(x);
  ref::check_parameter_gradients(
      net.parameters(),
      [&](const ref::Params& p) {
        return reference_loss(d, xr, labels, p, [&](std::size_t e, const ref::Params& q) {
          return EdgeMix{max_w_weights(softmax_d(alpha_of(q, d.edges[e].alpha_key))), {}};
        });
      },
      4, 5, /*architecture_only=*/true);
}

TEST_CASE(
    "SNAS concrete sample on the supernet: alpha gradient vs finite differences, noise fixed") {
  const SupernetDescription d = tiny_nb201();
  Supernet net(d, {.seed = 2, .threads = 1});
  GumbelRelaxation relaxation(/*hard=*/false, 17);
  relaxation.set_temperature(0.8);
  net.set_edge_weight_function([&](const std::string& key, const Variable& alpha,
                                   const std::vector<int>& allowed) {
    return relaxation.weights(key, alpha, allowed);  // no resampling: the same noise every forward
  });
  randomise_alpha(net, 5);
  const Tensor x = random_tensor({2, 1, 8, 8}, 6);
  const std::vector<int> labels = {1, 4};
  net.zero_grad();
  backward(cross_entropy(net.forward(x, true), labels));
  const ref::Array xr = ref::from_tensor(x);
  ref::check_parameter_gradients(
      net.parameters(),
      [&](const ref::Params& p) {
        return reference_loss(d, xr, labels, p, [&](std::size_t e, const ref::Params& q) {
          const std::string& key = d.edges[e].alpha_key;
          std::vector<double> a = alpha_of(q, key);
          const auto g = gumbel_noise(relaxation.noise_seed(key), a.size());
          for (std::size_t k = 0; k < a.size(); ++k) a[k] += g[k];
          return EdgeMix{softmax_d(a, 0.8), {}};
        });
      },
      5, 5, /*architecture_only=*/true);
}

TEST_CASE("GDAS hard forward: one op per edge and the straight-through gradient") {
  const SupernetDescription d = tiny_nb201();
  const double tau = 2.0;
  for (bool unselected : {true, false}) {
    INFO("unselected_gradient " << unselected);
    Supernet net(d, {.seed = 3, .threads = 1});
    net.set_mode(SupernetMode::hard_weights);
    net.set_unselected_gradient(unselected);
    randomise_alpha(net, 7);
    GumbelRelaxation relaxation(/*hard=*/true, 23);
    relaxation.set_temperature(tau);
    // the sample of each key: one_hot(argmax(alpha + g)), p = softmax((alpha + g) / tau)
    std::map<std::string, int> selected;
    std::map<std::string, std::vector<double>> p;
    for (const std::string& key : net.alpha_keys()) {
      std::vector<double> a;
      for (float v : net.alpha(key).value.values()) a.push_back(v);
      const auto g = gumbel_noise(relaxation.noise_seed(key), a.size());
      for (std::size_t k = 0; k < a.size(); ++k) a[k] += g[k];
      selected[key] = static_cast<int>(std::max_element(a.begin(), a.end()) - a.begin());
      p[key] = softmax_d(a, tau);
    }
    const Tensor x = random_tensor({2, 1, 8, 8}, 8);
    const std::vector<int> labels = {0, 9};

    // (1) dL/dh with h as a leaf (the one-hot values): engine vs finite differences in h
    std::map<std::string, Variable> h_leaf;
    net.set_edge_weight_function(
        [&](const std::string& key, const Variable& alpha, const std::vector<int>& allowed) {
          Variable h = relaxation.weights(key, alpha, allowed);
          h_leaf[key] = alpha.tape()->leaf(h.value().clone(), true);
          return h_leaf[key];
        });
    net.zero_grad();
    backward(cross_entropy(net.forward(x, true), labels));
    for (std::size_t e = 0; e < d.edges.size(); ++e)
      CHECK(net.last_selected(e) == selected.at(d.edges[e].alpha_key));
    const ref::Array xr = ref::from_tensor(x);
    const ref::Params base = ref::to_double(net.parameters());
    std::map<std::string, std::vector<double>> h;
    for (const auto& [key, s] : selected) {
      h[key].assign(p[key].size(), 0.0);
      h[key][static_cast<std::size_t>(s)] = 1.0;
    }
    auto loss_at = [&](const std::map<std::string, std::vector<double>>& hh) {
      return reference_loss(d, xr, labels, base, [&](std::size_t e, const ref::Params&) {
        const std::string& key = d.edges[e].alpha_key;
        EdgeMix m;
        m.weights.assign(hh.at(key).size(), 0.0);
        const auto a = static_cast<std::size_t>(selected.at(key));
        m.weights[a] = hh.at(key)[a];  // only the selected op runs
        if (unselected) {
          m.constants = hh.at(key);
          m.constants[a] = 0.0;
        }
        return m;
      });
    };
    std::map<std::string, std::vector<double>> dl_dh;
    for (const auto& [key, values] : h) {
      for (std::size_t k = 0; k < values.size(); ++k) {
        auto plus = h, minus = h;
        plus[key][k] += 1e-5;
        minus[key][k] -= 1e-5;
        const double numeric = (loss_at(plus) - loss_at(minus)) / 2e-5;
        dl_dh[key].push_back(numeric);
        const double engine = h_leaf.at(key).grad().data()[k];
        CHECK(engine == doctest::Approx(numeric).epsilon(1e-3).scale(1e-3));
        if (!unselected && static_cast<int>(k) != selected.at(key)) CHECK(engine == 0.0);
      }
    }
    // (2) dL/dalpha = (1/tau) (diag p - p p^T) dL/dh (the straight-through estimator)
    net.set_edge_weight_function(
        [&](const std::string& key, const Variable& alpha, const std::vector<int>& allowed) {
          return relaxation.weights(key, alpha, allowed);
        });
    net.zero_grad();
    backward(cross_entropy(net.forward(x, true), labels));
    for (const auto& [key, pk] : p) {
      double mean = 0.0;
      for (std::size_t k = 0; k < pk.size(); ++k) mean += pk[k] * dl_dh[key][k];
      for (std::size_t i = 0; i < pk.size(); ++i)
        CHECK(net.alpha(key).grad.data()[i] ==
              doctest::Approx(pk[i] * (dl_dh[key][i] - mean) / tau).epsilon(1e-3).scale(1e-4));
    }
  }
}

TEST_CASE("RARTS: alpha gradient of L_val(y) + beta L_train(w) and the coupled y gradient") {
  const SupernetDescription d = tiny_nb201();
  Supernet w_net(d, {.seed = 4, .threads = 1});
  Supernet y_net(d, {.seed = 5, .threads = 1});  // different weights, the same alpha
  randomise_alpha(w_net, 9);
  copy_architecture(w_net, y_net);
  BatchStream::Batch train{random_tensor({2, 1, 8, 8}, 10), {2, 5}};
  BatchStream::Batch valid{random_tensor({2, 1, 8, 8}, 11), {8, 1}};
  const double beta = 0.6, lambda = 0.3;
  const ref::Array xt = ref::from_tensor(train.images), xv = ref::from_tensor(valid.images);
  auto softmax_mix = [&](std::size_t e, const ref::Params& q) {
    return EdgeMix{softmax_d(alpha_of(q, d.edges[e].alpha_key)), {}};
  };

  rarts_architecture_gradient(w_net, y_net, train, valid, beta);
  const ref::Params w_params = ref::to_double(w_net.parameters());
  const ref::Params y_params = ref::to_double(y_net.parameters());
  ref::check_parameter_gradients(
      w_net.parameters(),
      [&](const ref::Params& p) {
        ref::Params y = y_params;  // the shared alpha moves in both networks
        for (const auto& [name, value] : p)
          if (name.rfind("alpha/", 0) == 0) y[name] = value;
        return reference_loss(d, xv, valid.labels, y, softmax_mix) +
               beta * reference_loss(d, xt, train.labels, p, softmax_mix);
      },
      6, 5, /*architecture_only=*/true);

  rarts_coupled_gradient(y_net, w_net, valid, lambda);
  ref::check_parameter_gradients(
      y_net.parameters(),
      [&](const ref::Params& p) {
        double coupling = 0.0;  // (lambda / 2) ||y - w||^2 over the weights
        for (const auto& [name, value] : p)
          if (name.rfind("alpha/", 0) != 0)
            for (std::size_t i = 0; i < value.v.size(); ++i) {
              const double diff = value.v[i] - w_params.at(name).v[i];
              coupling += 0.5 * lambda * diff * diff;
            }
        return reference_loss(d, xv, valid.labels, p, softmax_mix) + coupling;
      },
      7, 1);
}

TEST_CASE("SD-DARTS distillation: weight gradient vs finite differences, zero for a self-teacher") {
  const SupernetDescription d = tiny_nb201();
  Supernet net(d, {.seed = 6, .threads = 1});
  Supernet teacher(d, {.seed = 7, .threads = 1});
  randomise_alpha(net, 12);
  const Tensor x = random_tensor({2, 1, 8, 8}, 13);
  const std::vector<int> labels = {6, 2};
  const double tau = 2.0, lambda = 0.5;
  auto softmax_mix = [&](std::size_t e, const ref::Params& q) {
    return EdgeMix{softmax_d(alpha_of(q, d.edges[e].alpha_key)), {}};
  };

  // a teacher that is the student itself: p_T = softmax(z / tau), so the KD term and its gradient
  // vanish
  SnapshotStore self(1);
  self.push(net.parameters(), true);
  const Tensor p_self = voting_teacher_probabilities(self, teacher, net, x, tau, true);
  Variable z = net.forward(x, true);
  Variable kd = distillation_loss(z, p_self, tau);
  CHECK(std::abs(kd.value().item()) < 1e-5);
  net.zero_grad();
  backward(kd);
  for (Parameter* w : net.weights()) {
    if (!w->grad.defined()) continue;
    for (float g : w->grad.values()) CHECK(std::abs(g) < 1e-4f);
  }

  // two earlier snapshots (perturbed weights) vote; the weight loss CE + lambda tau^2 KL
  SnapshotStore store(2);
  for (std::uint64_t s : {31u, 32u}) {
    Rng rng(s);
    std::vector<Tensor> keep;
    for (Parameter* w : net.weights()) {
      keep.push_back(w->value.clone());
      for (float& v : w->value.values()) v += static_cast<float>(0.2 * rng.normal());
    }
    store.push(net.parameters(), true);
    const auto weights = net.weights();
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i]->value.copy_from(keep[i]);
  }
  const Tensor p_teacher = voting_teacher_probabilities(store, teacher, net, x, tau, true);
  net.zero_grad();
  Variable logits = net.forward(x, true);
  Variable loss =
      add({cross_entropy(logits, labels),
           scale(distillation_loss(logits, p_teacher, tau),
                 net.tape().constant(Tensor::full({1}, static_cast<float>(lambda))), 0)});
  backward(loss);
  const ref::Array xr = ref::from_tensor(x);
  const ref::Array pt = ref::from_tensor(p_teacher);
  // as ref::check_parameter_gradients, with an absolute floor of 1e-6: conv biases in front of a
  // batch norm have a true gradient of 0 and the float engine returns ~1e-7 there
  check_gradients_with_floor(
      net.parameters(),
      [&](const ref::Params& p) {
        const ref::Array zr = reference_logits(d, xr, p, softmax_mix);
        const ref::Array q = ref::softmax(zr, {}, tau);
        double kl = 0.0;
        for (std::size_t i = 0; i < q.v.size(); ++i) kl += pt.v[i] * std::log(pt.v[i] / q.v[i]);
        return ref::cross_entropy(zr, labels, 0.0) + lambda * tau * tau * kl / 2.0;
      },
      8, 2);
}

TEST_CASE("SNAS resource penalty: hand value and gradient vs finite differences") {
  // one key on two edges with costs (0, 100, 1000) and (0, 50, 500): R = 530 and 265
  SupernetDescription d;
  d.edges.resize(2);
  d.edges[0].alpha_key = d.edges[1].alpha_key = "1<-0";
  const std::vector<std::vector<double>> costs = {{0, 100, 1000}, {0, 50, 500}};
  std::map<std::string, std::vector<double>> z = {{"1<-0", {0.2, 0.3, 0.5}}};
  const ResourcePenalty log_p = snas_resource_penalty(d, costs, z, 0.1, true);
  CHECK(log_p.value == doctest::Approx(0.1 * (std::log(530.0) + std::log(265.0)) / 2));
  const ResourcePenalty lin = snas_resource_penalty(d, costs, z, 0.1, false);
  CHECK(lin.value == doctest::Approx(0.1 * (530.0 + 265.0) / 2));
  for (std::size_t k = 0; k < 3; ++k) {
    auto plus = z, minus = z;
    plus["1<-0"][k] += 1e-6;
    minus["1<-0"][k] -= 1e-6;
    const double numeric = (snas_resource_penalty(d, costs, plus, 0.1, true).value -
                            snas_resource_penalty(d, costs, minus, 0.1, true).value) /
                           2e-6;
    CHECK(log_p.gradient.at("1<-0")[k] == doctest::Approx(numeric).epsilon(1e-5));
  }
  // |R| < 1 is cleaned to 1: no penalty, no gradient
  z["1<-0"] = {0.999, 0.0005, 0.0005};
  const ResourcePenalty small = snas_resource_penalty(d, {{0, 1, 1}, {0, 1, 1}}, z, 0.1, true);
  CHECK(small.value == 0.0);
  // real costs: the nb201 conv ops cost MACs, none / skip / pool none
  const SupernetDescription nb = tiny_nb201();
  const auto c = snas_edge_costs(nb, "macs");
  CHECK(c[0][0] == 0.0);                           // none
  CHECK(c[0][3] == doctest::Approx(9 * c[0][2]));  // 3x3 conv = 9 x the 1x1 conv (bias aside)
}

TEST_CASE("DARTS variants end to end on nb201: derived cells, logs and schedules") {
  auto space = make_space("nb201");
  struct Run {
    const char* name;
    std::string extra;
  };
  const std::vector<Run> runs = {
      {"rarts", ", coupling: 0.5, train_weight: 0.5"},
      {"sharp_darts", ", lr_warmup_epochs: 1"},
      {"sd_darts", ", teachers: 2, distill_temperature: 2.0"},
      {"gdas", ""},
      {"snas", ", resource_lambda: 0.01"},
      {"darts",
       ", lr_schedule: cosine_power, lr_power: 2, weighting: max_w"},  // the pieces on DARTS
  };
  for (const Run& run : runs) {
    INFO(run.name);
    auto strategy =
        make_strategy(run.name, *space, std::string(kTinySearch) + ", epochs: 3" + run.extra + "}");
    const auto asked = strategy->ask(1);
    REQUIRE(asked.size() == 1);
    CHECK(space->parse(space->to_string(asked[0])) == asked[0]);
    auto& ws = dynamic_cast<WeightSharingStrategy&>(*strategy);
    const auto& log = ws.search_log();
    REQUIRE(log.size() == 4);  // epochs 1..3 + step 0
    for (int epoch = 1; epoch <= 3; ++epoch) {
      const Metrics& m = log[static_cast<std::size_t>(epoch - 1)].values;
      CHECK(m.find("search/train_loss").has_value());
      CHECK(m.find("alpha/1<-0/nor_conv_3x3").has_value());
      const double lr = *m.find("search/lr");
      if (std::string(run.name) == "gdas") {  // tau 10 -> 0.1 linearly over the 3 epochs
        CHECK(*m.find("search/temperature") == doctest::Approx(10.0 - 9.9 * (epoch - 1) / 2.0));
      }
      if (std::string(run.name) == "snas") {  // (1 - (e + 1) / 3) (1 - 0.03) + 0.03
        CHECK(*m.find("search/temperature") == doctest::Approx((1.0 - epoch / 3.0) * 0.97 + 0.03));
        CHECK(m.find("search/resource_penalty").has_value());
      }
      if (std::string(run.name) == "sharp_darts") {  // CPA p = 2, W = 1: ramp 1/2, 1, then min
        const std::vector<double> expected = {0.5 * (0.025 - 1e-4) + 1e-4, 0.025, 1e-4};
        CHECK(lr == doctest::Approx(expected[static_cast<std::size_t>(epoch - 1)]));
      }
      if (std::string(run.name) == "darts") {  // CPA p = 2 from 0.025 to 0.001 over 3 epochs
        const std::vector<double> expected = {0.025, 0.0076603380922701, 0.001};
        CHECK(lr == doctest::Approx(expected[static_cast<std::size_t>(epoch - 1)]).epsilon(1e-6));
      }
      if (std::string(run.name) == "rarts") CHECK(m.find("search/coupling_distance").has_value());
      if (std::string(run.name) == "sd_darts")  // snapshots taken after epochs 1 and 2
        CHECK(*m.find("search/teachers") == std::min(epoch - 1, 2));
    }
  }
}

TEST_CASE("DARTS variants on the darts space derive a genotype") {
  auto space = make_space("darts");
  for (const char* name : {"gdas", "snas", "rarts"}) {
    INFO(name);
    std::string options = std::string(kTinySearch) + ", epochs: 1}";
    options.replace(options.find("max_samples: 48"), 15, "max_samples: 16");  // the darts supernet is larger
    auto strategy = make_strategy(name, *space, options);
    const auto asked = strategy->ask(1);
    REQUIRE(asked.size() == 1);
    CHECK(space->parse(space->to_string(asked[0])) == asked[0]);
  }
}

TEST_CASE("DARTS variants reject bad options with one clear line") {
  auto space = make_space("nb201");
  auto fails = [&](const char* name, const char* yaml, const char* needle) {
    try {
      make_strategy(name, *space, yaml);
      FAIL("no error for " << yaml);
    } catch (const ConfigError& e) {
      CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
    }
  };
  fails("gdas", "{second_order: true}", "second_order");
  fails("gdas", "{weighting: max_w}", "weighting");
  fails("gdas", "{tau_max: 0.05}", "tau_max");
  fails("snas", "{temperature: -1}", "temperature");
  fails("snas", "{resource: flops}", "resource");
  fails("snas", "{step_order: arch_first}", "step_order");
  fails("rarts", "{step_order: arch_first}", "step_order");
  fails("rarts", "{coupling: -2}", "coupling");
  fails("sd_darts", "{teachers: 0}", "teachers");
  fails("sharp_darts", "{lr_power: 0.5}", "lr_power");
  fails("sharp_darts", "{epochs: 4, lr_warmup_epochs: 4}", "lr_warmup_epochs");
  fails("darts", "{lr_schedule: step}", "lr_schedule");
}
