// ProxylessNAS with a hardware cost: the loss forms' partial derivatives and the expected-cost
// gradient against central differences, the α gradient of an architecture step with a Lagrange
// multiplier (= the accuracy estimator + μ/T ∇E), the dual ascent update, the table against the
// cost model's own evaluation, and the behavioural hard-constraint check on nb201: the derived
// architecture's cost, recomputed by the cost model on the candidate's network, meets a target
// that the unconstrained run with the same seed exceeds.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "tests/search/oneshot/darts/darts_test_support.hpp"
#include "search/oneshot/single_path/proxyless.hpp"
#include "spaces/mobilenet_space.hpp"
#include "trainers/optimizer.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

const char* kAccelerator =
    "{model: systolic, rows: 8, cols: 8, dataflow: ws, ifmap_sram_kb: 64, filter_sram_kb: 64, "
    "ofmap_sram_kb: 64, word_bytes: 1, dram_bytes_per_cycle: 16, frequency_mhz: 500}";

CostConstraintOptions cost_options(const std::string& loss, double target) {
  CostConstraintOptions o;
  o.model = hw::create_cost_model(ConfigNode::parse(kAccelerator, "accelerator"));
  o.metric = CostMetric::cycles;
  o.target = target;
  o.loss = loss;
  return o;
}

// An optimizer that only records the gradients it is asked to apply.
class Capture final : public Optimizer {
 public:
  explicit Capture(std::vector<Parameter*> parameters) : Optimizer(parameters, 0.0) {}
  void step() override {
    grads.clear();
    for (Parameter* p : parameters_)
      grads[p->name] = p->grad.defined() ? p->grad.to_vector() : std::vector<float>{};
  }
  std::string name() const override { return "capture"; }
  std::map<std::string, std::vector<float>> grads;
};

void randomise_alpha(Supernet& net, std::uint64_t seed) {
  Rng rng(seed);
  for (Parameter* a : net.architecture())
    for (auto& v : a->value.values()) v = static_cast<float>(rng.normal());
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space,
                                        const std::string& yaml, std::uint64_t seed) {
  ConfigNode options = ConfigNode::parse(yaml, "options.yaml");
  StrategyContext context{space, options, seed, {Objective{"accuracy", false, {}}}};
  return strategy_registry().create(name, context);
}

const std::string kTiny =
    std::string("{dataset: digits, path: ") + TANDEM_SOURCE_DIR +
    "/data/uci-digits/digits.csv.gz, max_samples: 96, batch_size: 16, width: 4, "
    "cells_per_stage: 1, threads: 1, warmup_epochs: 1, epochs: 3, arch_update_every: 1, "
    "arch_start_epoch: 0, augment: {crop_padding: 0, horizontal_flip: false}, "
    "arch_optimizer: {lr: 0.05}";

}  // namespace

TEST_CASE("proxyless cost losses: partial derivatives against central differences") {
  for (const char* form : {"mul#log", "add#linear", "lagrangian"}) {
    INFO("loss " << form);
    CostConstraintOptions o = cost_options(form, 5000.0);
    const double ce = 1.3, e = 6200.0, mu = 0.7, h = 1e-4;
    const CostLoss at = cost_loss(o, ce, e, mu);
    const double d_ce = (cost_loss(o, ce + h, e, mu).value - cost_loss(o, ce - h, e, mu).value) / (2 * h);
    const double d_e = (cost_loss(o, ce, e + h, mu).value - cost_loss(o, ce, e - h, mu).value) / (2 * h);
    CHECK(at.d_ce == doctest::Approx(d_ce).epsilon(1e-6));
    CHECK(at.d_cost == doctest::Approx(d_e).epsilon(1e-6));
  }
  // the official forms by hand: 0.2 CE (log E / log T)^0.3 and CE + 0.1 (E - T) / T
  CHECK(cost_loss(cost_options("mul#log", 100.0), 2.0, 1000.0, 0.0).value ==
        doctest::Approx(0.2 * 2.0 * std::pow(1.5, 0.3)));
  CHECK(cost_loss(cost_options("add#linear", 100.0), 2.0, 150.0, 0.0).value == doctest::Approx(2.05));
  CHECK(cost_loss(cost_options("lagrangian", 100.0), 2.0, 150.0, 3.0).value == doctest::Approx(3.5));
  // log(E) / log(T) < 0 (E and T on both sides of 1) is refused
  CHECK_THROWS_AS(cost_loss(cost_options("mul#log", 2.0), 1.0, 0.5, 0.0), Error);
}

TEST_CASE("proxyless expected cost: table vs the cost model, gradient vs central differences") {
  Nb201Space space;
  GraphOptions small = tiny_graph(8, 1);
  space.set_graph_options(small);
  const SupernetDescription d = space.supernet(tiny_graph(4, 1));
  ProxylessOptions options = proxyless_defaults(space);
  options.cost = cost_options("lagrangian", 1e9);
  ProxylessArchitect architect(space, d, options);
  // the additive table is exact on nb201 cells: every candidate's table cost = the model's
  Rng rng(3);
  for (int i = 0; i < 5; ++i) {
    const Candidate c = space.sample(rng);
    CHECK(architect.table_cost(c) == doctest::Approx(architect.model_cost(c)).epsilon(1e-9));
  }
  Supernet net(d, {.seed = 1, .threads = 1});
  randomise_alpha(net, 5);
  for (std::size_t e = 0; e < net.edge_count(); ++e)  // a few-shot restriction on one key
    if (d.edges[e].alpha_key == "2<-1") net.set_allowed(e, {1, 3, 4});
  std::map<std::string, std::vector<double>> gradient;
  architect.expected_cost(net, &gradient);
  const double h = 1e-3;
  double scale = 0.0;
  for (const std::string& key : net.alpha_keys())
    for (int k = 0; k < 5; ++k) {
      float& a = net.alpha(key).value.data()[k];
      const float saved = a;
      a = saved + static_cast<float>(h);
      const double plus = architect.expected_cost(net);
      a = saved - static_cast<float>(h);
      const double minus = architect.expected_cost(net);
      a = saved;
      const double numeric = (plus - minus) / (2 * h);
      scale = std::max(scale, std::abs(numeric));
      CHECK(gradient.at(key)[static_cast<std::size_t>(k)] ==
            doctest::Approx(numeric).epsilon(2e-3).scale(1e-3 * scale + 1e-9));
      if (key == "2<-1" && (k == 0 || k == 2)) CHECK(gradient.at(key)[static_cast<std::size_t>(k)] == 0.0);
    }
  CHECK(scale > 0.0);
  // one-hot alphas: E = the table cost of that architecture
  for (const std::string& key : net.alpha_keys())
    for (int k = 0; k < 5; ++k) net.alpha(key).value.data()[k] = k == 3 ? 60.0f : 0.0f;
  Candidate all_conv;
  all_conv.decisions.assign(6, 3);
  CHECK(architect.expected_cost(net) == doctest::Approx(architect.table_cost(all_conv)).epsilon(1e-6));
}

TEST_CASE("proxyless Lagrangian step: alpha gradient = estimator + mu / T grad E, dual ascent") {
  Nb201Space space;
  space.set_graph_options(tiny_graph(8, 1));
  const SupernetDescription d = space.supernet(tiny_graph(4, 1));
  const BatchStream::Batch batch = digits_batch(0, 16);
  auto run = [&](double mu, const std::string& loss, std::map<std::string, std::vector<double>>* dE,
                 double* multiplier_after, double* expected_after) {
    ProxylessOptions options = proxyless_defaults(space);
    options.binarization = "full_v2";
    options.label_smoothing = 0.0;
    options.cost = cost_options(loss, 3e5);
    options.cost->multiplier_init = mu;
    options.cost->multiplier_lr = 0.25;
    ProxylessArchitect architect(space, d, options);
    Supernet net(d, {.seed = 7, .threads = 1});
    randomise_alpha(net, 9);
    if (dE) architect.expected_cost(net, dE);
    Capture capture(net.architecture());
    Rng rng(11);
    architect.architecture_step(net, capture, batch, rng);
    if (multiplier_after) *multiplier_after = architect.multiplier();
    if (expected_after) *expected_after = architect.expected_cost(net);
    return capture.grads;
  };
  std::map<std::string, std::vector<double>> dE;
  double mu_after = 0.0, e_after = 0.0;
  const auto plain = run(0.0, "lagrangian", nullptr, nullptr, nullptr);
  const auto with_mu = run(2.0, "lagrangian", &dE, &mu_after, &e_after);
  int compared = 0;
  for (const auto& [name, g] : with_mu) {
    if (g.empty() || plain.at(name).empty()) continue;  // a Zero path: no update, as ProxylessNAS
    const std::string key = name.substr(6);  // "alpha/<key>"
    for (std::size_t k = 0; k < g.size(); ++k) {
      CHECK(g[k] - plain.at(name)[k] ==
            doctest::Approx(2.0 / 3e5 * dE.at(key)[k]).epsilon(1e-3).scale(1e-7));
      ++compared;
    }
  }
  CHECK(compared > 0);
  // the Capture optimizer does not move alpha, so E after the step is E before it
  CHECK(mu_after == doctest::Approx(std::max(0.0, 2.0 + 0.25 * (e_after - 3e5) / 3e5)));
}

TEST_CASE("proxyless hard constraint on nb201: the derived architecture meets the target") {
  Nb201Space space;  // the cost is the space's network: NB201 C=16, N=5 at 32x32 here
  const auto model = hw::create_cost_model(ConfigNode::parse(kAccelerator, "accelerator"));
  auto cycles = [&](const Candidate& c) {  // independent recomputation on the candidate's graph
    return model->evaluate(space.to_graph(c)).total.total_cycles();
  };
  auto unconstrained = make_strategy("proxyless", space, kTiny + "}", 5);
  const std::vector<Candidate> u = unconstrained->ask(1);
  REQUIRE(u.size() == 1);
  const double free_cost = cycles(u[0]);
  Candidate cheapest;
  cheapest.decisions.assign(6, 0);  // all `none`
  const double floor = cycles(cheapest);
  REQUIRE(free_cost > floor);
  const double target = floor + 0.5 * (free_cost - floor);
  const std::string hard = kTiny + ", hardware: {accelerator: " + kAccelerator +
                           ", metric: cycles, loss: lagrangian, multiplier_lr: 0.5, target: " +
                           std::to_string(target) + "}}";
  auto constrained = make_strategy("proxyless", space, hard, 5);
  const std::vector<Candidate> c = constrained->ask(1);
  REQUIRE(c.size() == 1);
  CHECK(cycles(c[0]) <= target);
  CHECK(free_cost > target);
  // the log has the multiplier and the expected cost per epoch
  const auto& log = dynamic_cast<WeightSharingStrategy&>(*constrained).search_log();
  REQUIRE(log.size() >= 4);
  CHECK(log[2].values.has("search/lagrange_multiplier"));
  CHECK(log[2].values.has("search/expected_cost"));
  // a target below the cheapest architecture is refused before the run
  const std::string impossible = kTiny + ", hardware: {accelerator: " + kAccelerator +
                                 ", metric: cycles, loss: lagrangian, target: " +
                                 std::to_string(0.5 * floor) + "}}";
  CHECK_THROWS_WITH_AS(make_strategy("proxyless", space, impossible, 5),
                       doctest::Contains("below the cheapest architecture"), ConfigError);
}

TEST_CASE("proxyless on mobilenet: two-path search with a latency term derives a valid network") {
  MobileNetSpace space;
  const std::string yaml = std::string("{dataset: digits, path: ") + TANDEM_SOURCE_DIR +
                           "/data/uci-digits/digits.csv.gz, max_samples: 48, batch_size: 16, "
                           "width_multiplier: 0.25, threads: 1, warmup_epochs: 1, epochs: 1, "
                           "arch_update_every: 1, arch_start_epoch: 0, hardware: {accelerator: " +
                           kAccelerator + ", metric: cycles, loss: mul#log, target: 2.0e7}}";
  auto strategy = make_strategy("proxyless", space, yaml, 2);
  const std::vector<Candidate> c = strategy->ask(1);
  REQUIRE(c.size() == 1);
  CHECK(c[0].decisions.size() == 21);
  CHECK(space.is_valid(c[0]));
  CHECK(strategy->finished());
  // the darts space has no per-decision edges: a clear error
  DartsSpace darts;
  CHECK_THROWS_WITH_AS(make_strategy("proxyless", darts, "{}", 1),
                       doctest::Contains("do not realise a decision"), ConfigError);
}
