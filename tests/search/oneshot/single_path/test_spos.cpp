// SPOS: BN recalibration of a scored path against hand-computed batch statistics (the stem conv
// output's mean and unbiased variance, computed here by a plain loop), statistics of unused ops
// left reset, the evolution's bookkeeping (distinct legal paths, limits, best first, scores
// reproducible) and the strategy end to end on nb201 and darts with the shipped digits.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "tests/search/oneshot/darts/darts_test_support.hpp"
#include "search/oneshot/single_path/spos.hpp"
#include "trainers/optimizer.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space,
                                        const std::string& yaml, std::uint64_t seed) {
  ConfigNode options = ConfigNode::parse(yaml, "options.yaml");
  StrategyContext context{space, options, seed, {Objective{"accuracy", false, {}}}};
  return strategy_registry().create(name, context);
}

const Normalization kIdentity{{0.0f}, {1.0f}};

// A test-sized spos run on the shipped digits: width 4, one cell per stage, complexity sampling.
std::string tiny_spos(const std::string& settings) {
  return std::string("{dataset: digits, path: ") + TANDEM_SOURCE_DIR +
         "/data/uci-digits/digits.csv.gz, batch_size: 16, width: 4, cells_per_stage: 1, "
         "threads: 1, select_num: 2, mutation_num: 2, crossover_num: 2, sampler: complexity, " +
         settings + "}";
}

}  // namespace

TEST_CASE("spos BN recalibration: running stats = the path's batch statistics") {
  Nb201Space space;
  const SupernetDescription d = space.supernet(tiny_graph(4, 1));
  SposOptions options = spos_defaults(space);
  options.bn_batches = 1;
  options.bn_cumulative = true;  // one batch: exactly its statistics
  SposTrainer trainer(space, d, options);
  Supernet net(d, {.seed = 3, .threads = 1});
  Candidate path;
  path.decisions = {1, 3, 1, 1, 2, 1};  // skip, conv3x3, skip, skip, conv1x1, skip
  BatchStream bn(digits(), kIdentity, 8, AugmentOptions{0, false}, Rng(4));
  BatchStream same(digits(), kIdentity, 8, AugmentOptions{0, false}, Rng(4));
  trainer.score(net, path, bn, digits(), kIdentity);
  const Tensor batch = same.next().images;  // the batch score() recalibrated on
  // stem conv 3x3 pad 1, 1 -> 4 channels, no bias, by hand
  const Tensor& w = net.parameters().find("stem.conv.weight")->value;
  const Buffer* mean = net.parameters().find_buffer("stem.bn.running_mean");
  const Buffer* var = net.parameters().find_buffer("stem.bn.running_var");
  REQUIRE((mean && var));
  for (int c = 0; c < 4; ++c) {
    std::vector<double> out;
    for (int n = 0; n < 8; ++n)
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x) {
          double s = 0.0;
          for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
              if (y + dy < 0 || y + dy >= 8 || x + dx < 0 || x + dx >= 8) continue;
              s += batch.data()[(n * 8 + y + dy) * 8 + x + dx] * w.data()[c * 9 + (dy + 1) * 3 + dx + 1];
            }
          out.push_back(s);
        }
    double mu = 0.0, sq = 0.0;
    for (double v : out) mu += v;
    mu /= static_cast<double>(out.size());
    for (double v : out) sq += (v - mu) * (v - mu);
    CHECK(mean->value.data()[c] == doctest::Approx(mu).epsilon(1e-4));
    CHECK(var->value.data()[c] == doctest::Approx(sq / (static_cast<double>(out.size()) - 1)).epsilon(1e-4));
  }
  // an op off the path keeps the reset statistics; one on it does not
  const Buffer* off = net.parameters().find_buffer("cell0.edge1<-0/nor_conv_3x3/bn.running_mean");
  const Buffer* on = net.parameters().find_buffer("cell0.edge2<-0/nor_conv_3x3/bn.running_mean");
  REQUIRE((off && on));
  for (float v : off->value.values()) CHECK(v == 0.0f);
  double moved = 0.0;
  for (float v : on->value.values()) moved += std::abs(v);
  CHECK(moved > 0.0);
}

TEST_CASE("spos evolution: distinct legal paths within the limits, best first, reproducible") {
  Nb201Space space;
  const SupernetDescription d = space.supernet(tiny_graph(4, 1));
  SposOptions options = spos_defaults(space);
  options.population = 6;
  options.generations = 3;
  options.select_num = 3;
  options.mutation_num = 3;
  options.crossover_num = 3;
  options.bn_batches = 0;  // statistics reset only: scores are deterministic
  options.eval_samples = 120;
  // a MACs limit between the cheapest and the largest cell
  Candidate none, conv;
  none.decisions.assign(6, 0);
  conv.decisions.assign(6, 3);
  const double low = static_cast<double>(space.to_graph(none).total_macs());
  const double high = static_cast<double>(space.to_graph(conv).total_macs());
  options.max_macs = low + 0.5 * (high - low);
  SposTrainer trainer(space, d, options);
  Supernet net(d, {.seed = 5, .threads = 1});
  BatchStream bn(digits(), kIdentity, 8, AugmentOptions{0, false}, Rng(1));
  Rng rng(2);
  std::vector<SposTrainer::Generation> generations;
  const auto scored = trainer.evolve(net, bn, digits(), kIdentity, rng, &generations);
  REQUIRE(scored.size() >= 6);
  std::set<std::vector<int>> distinct;
  for (std::size_t i = 0; i < scored.size(); ++i) {
    distinct.insert(scored[i].candidate.decisions);
    CHECK(static_cast<double>(space.to_graph(scored[i].candidate).total_macs()) <= options.max_macs);
    if (i > 0) CHECK(scored[i - 1].accuracy >= scored[i].accuracy);
  }
  CHECK(distinct.size() == scored.size());
  CHECK(generations.size() == 4);  // the initial population and three generations' children
  CHECK(generations.front().scored == 6);
  // re-scoring the best path with the same (reset) statistics gives its accuracy again
  CHECK(trainer.score(net, scored.front().candidate, bn, digits(), kIdentity) ==
        doctest::Approx(scored.front().accuracy));
}

TEST_CASE("spos strategy on nb201 and darts: training, evolution, distinct derived paths parse") {
  Nb201Space nb201;
  DartsSpace darts;
  // darts: genotype paths (two genes per node, none elsewhere); distinct paths, not gene orders
  const std::vector<std::pair<const SearchSpace*, std::string>> runs = {
      {&nb201, "max_samples: 96, epochs: 2, generations: 2, bn_batches: 2, eval_samples: 48, bins: 3"},
      {&darts, "max_samples: 64, epochs: 1, generations: 1, bn_batches: 1, eval_samples: 32, bins: 2"}};
  for (const auto& run : runs) {
    const SearchSpace* space = run.first;  // not a structured binding: clang 14 cannot capture
    const std::string& settings = run.second;  // one in INFO's lambda
    INFO(space->name());
    auto strategy = make_strategy("spos", *space, tiny_spos(settings + ", population: 4, top: 3"), 4);
    const std::vector<Candidate> derived = strategy->ask(5);
    REQUIRE(derived.size() == 3);
    const PathCodec codec(*space, space->supernet(tiny_graph(4, 1)));
    std::set<std::vector<int>> paths;
    for (const Candidate& c : derived) {
      CHECK(space->is_valid(c));
      CHECK(space->parse(space->to_string(c)) == c);
      paths.insert(codec.path(c));
    }
    CHECK(paths.size() == 3);
    const auto& log = dynamic_cast<WeightSharingStrategy&>(*strategy).search_log();
    REQUIRE(log.size() >= 3);
    CHECK(log[0].values.has("search/train_loss"));
    CHECK(std::any_of(log.begin(), log.end(), [](const auto& entry) {
      return entry.values.has("search/generation_best_accuracy");
    }));
  }
  CHECK_THROWS_WITH_AS(make_strategy("spos", nb201, "{sampler: shifted}", 1),
                       doctest::Contains("sampler"), ConfigError);
}
