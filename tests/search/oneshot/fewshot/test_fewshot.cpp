// Few-shot NAS: a child sub-supernet inherits its parent exactly (the same outputs as the parent
// restricted to the subset, and the same next training epoch — weights, α, BN statistics and
// optimizer states), and the fewshot_gm / fewshot_exhaustive strategies end to end on nb201 with
// the shipped digits: the split schedule (2 splits -> 4 leaves; one exhaustive split -> one leaf
// per op of the split edge, each deriving its own op there).
#include <doctest/doctest.h>

#include <set>

#include "core/error.hpp"
#include "tests/search/oneshot/darts/darts_test_support.hpp"
#include "search/oneshot/fewshot/fewshot.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space,
                                        const std::string& yaml, std::uint64_t seed) {
  ConfigNode options = ConfigNode::parse(yaml, "options.yaml");
  StrategyContext context{space, options, seed, {Objective{"accuracy", false, {}}}};
  return strategy_registry().create(name, context);
}

const std::string kTiny = std::string("{dataset: digits, path: ") + TANDEM_SOURCE_DIR +
                          "/data/uci-digits/digits.csv.gz, max_samples: 64, batch_size: 16, "
                          "width: 4, cells_per_stage: 1, threads: 1";

const Normalization kIdentity{{0.0f}, {1.0f}};

std::vector<float> outputs(Supernet& net, const Tensor& x) {
  return net.forward(x, /*training=*/false).value().to_vector();
}

}  // namespace

TEST_CASE("few-shot children inherit the parent exactly") {
  Nb201Space space;
  const SupernetDescription d = space.supernet(tiny_graph(4, 1));
  for (const char* method : {"darts", "spos", "proxyless"}) {
    INFO("base " << method);
    FewShotBase base;
    base.method = method;
    base.darts = darts_defaults(space);
    base.darts.second_order = true;  // the mirrored momentum is inherited too
    base.spos = spos_defaults(space);
    base.proxyless = proxyless_defaults(space);
    base.proxyless.arch_update_every = 1;
    FewShotSupernet parent(space, d, base, 3, 1, true, 10);
    BatchStream train(digits(), kIdentity, 16, AugmentOptions{0, false}, Rng(1));
    BatchStream valid(digits(), kIdentity, 16, AugmentOptions{0, false}, Rng(2));
    Rng rng(3);
    // a short epoch so weights, alpha, BN statistics and optimizer states are all non-trivial
    Dataset few = subset(digits(), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}, "few");
    BatchStream short_train(few, kIdentity, 16, AugmentOptions{0, false}, Rng(1));
    parent.train_epoch(short_train, valid, true, rng);
    const auto child = parent.child("2<-1", {1, 3}, /*restart=*/false, 99, std::nullopt);
    for (std::size_t e = 0; e < d.edges.size(); ++e)
      if (d.edges[e].alpha_key == "2<-1") parent.supernet().set_allowed(e, {1, 3});
    CHECK(child->unsplit_keys().size() == 5);
    CHECK(child->describe() == "2<-1:{skip_connect,nor_conv_3x3}");
    const Tensor x = digits_batch(100, 8).images;
    for (SupernetMode mode : {SupernetMode::weighted_sum, SupernetMode::single_path}) {
      parent.supernet().set_mode(mode);
      child->supernet().set_mode(mode);
      for (std::size_t e = 0; e < d.edges.size(); ++e) child->supernet().set_active(e, parent.supernet().active(e));
      CHECK(outputs(parent.supernet(), x) == outputs(child->supernet(), x));
    }
    // the next epoch on the same batches and random draws: identical again
    BatchStream a(few, kIdentity, 16, AugmentOptions{0, false}, Rng(5));
    BatchStream b(few, kIdentity, 16, AugmentOptions{0, false}, Rng(5));
    BatchStream va(digits(), kIdentity, 16, AugmentOptions{0, false}, Rng(6));
    BatchStream vb(digits(), kIdentity, 16, AugmentOptions{0, false}, Rng(6));
    Rng ra(7), rb(7);
    parent.train_epoch(a, va, true, ra);
    child->train_epoch(b, vb, true, rb);
    parent.supernet().set_mode(SupernetMode::weighted_sum);
    child->supernet().set_mode(SupernetMode::weighted_sum);
    CHECK(outputs(parent.supernet(), x) == outputs(child->supernet(), x));
    // a restarted child starts from fresh weights
    const auto fresh = parent.child("2<-1", {1, 3}, /*restart=*/true, 99, 5);
    fresh->supernet().set_mode(SupernetMode::weighted_sum);
    CHECK(outputs(parent.supernet(), x) != outputs(fresh->supernet(), x));
  }
}

TEST_CASE("fewshot_gm on nb201: two gradient-matching splits give four leaves") {
  Nb201Space space;
  auto strategy = make_strategy(
      "fewshot_gm", space,
      kTiny + ", epochs: 3, split_epochs: [1, 2], matching: {repeats: 1}, hand_out: all}", 6);
  const std::vector<Candidate> derived = strategy->ask(10);
  REQUIRE(!derived.empty());
  for (const Candidate& c : derived) CHECK(space.parse(space.to_string(c)) == c);
  const auto& fewshot = dynamic_cast<FewShot&>(*strategy);
  REQUIRE(fewshot.leaf_descriptions().size() == 4);
  for (const std::string& leaf : fewshot.leaf_descriptions()) {
    // two edges restricted, each to a group of at least two ops (5 ops: 2 | 3)
    CHECK(std::count(leaf.begin(), leaf.end(), '{') == 2);
  }
  const auto& log = fewshot.search_log();
  REQUIRE(log.size() >= 4);
  CHECK(log[1].values.has("search/split1/sub0/edge"));
  CHECK(log[1].values.has("search/split1/sub0/cut"));
  CHECK(log[1].values.at("search/supernets") == 2.0);
  CHECK(log[2].values.at("search/supernets") == 4.0);
}

TEST_CASE("fewshot_exhaustive on nb201: one leaf per op of the split edge") {
  Nb201Space space;
  auto strategy = make_strategy(
      "fewshot_exhaustive", space,
      kTiny + ", epochs: 2, split_epochs: [1], split_edge: '3<-2', hand_out: all}", 7);
  const std::vector<Candidate> derived = strategy->ask(10);
  const auto& fewshot = dynamic_cast<FewShot&>(*strategy);
  REQUIRE(fewshot.leaf_descriptions().size() == 5);
  // each leaf can only derive its own op on edge 3<-2 (decision 5)
  std::set<int> ops;
  for (const Candidate& c : derived) ops.insert(c.decisions[5]);
  CHECK(ops.size() == derived.size());
  CHECK_THROWS_WITH_AS(make_strategy("fewshot_exhaustive", space, kTiny + ", split_edge: grad}", 1),
                       doctest::Contains("without gradients"), ConfigError);
}

TEST_CASE("fewshot_gm with spos and proxyless bases") {
  Nb201Space space;
  for (const char* base : {"spos", "proxyless"}) {
    INFO("base " << base);
    std::string yaml = kTiny + ", base: " + base +
                       ", epochs: 2, split_epochs: [1], matching: {repeats: 1}";
    if (std::string(base) == "spos")
      yaml += ", population: 3, generations: 1, select_num: 2, mutation_num: 1, crossover_num: 1, "
              "bn_batches: 1, eval_samples: 32";
    else
      yaml += ", arch_update_every: 1";
    auto strategy = make_strategy("fewshot_gm", space, yaml + "}", 8);
    const std::vector<Candidate> derived = strategy->ask(1);
    REQUIRE(derived.size() == 1);
    CHECK(space.is_valid(derived[0]));
    CHECK(dynamic_cast<FewShot&>(*strategy).leaf_descriptions().size() == 1);  // hand_out: best
  }
}

TEST_CASE("fewshot_gm with the spos base on the darts space: splits admit valid genotypes") {
  DartsSpace space;
  auto strategy = make_strategy(
      "fewshot_gm", space,
      kTiny + ", base: spos, epochs: 2, split_epochs: [1], matching: {repeats: 1}, population: 3, "
              "generations: 1, select_num: 2, mutation_num: 1, crossover_num: 1, bn_batches: 1, "
              "eval_samples: 32, hand_out: all}",
      5);
  const std::vector<Candidate> derived = strategy->ask(4);
  const auto leaves = dynamic_cast<FewShot&>(*strategy).leaf_descriptions();
  REQUIRE(leaves.size() == 2);  // one min-cut split: two sub-supernets
  REQUIRE(derived.size() == 2);
  for (const Candidate& c : derived) {
    CHECK(space.is_valid(c));
    CHECK(space.parse(space.to_string(c)) == c);
  }
}

TEST_CASE("an exhaustive split drops the sub-supernet that holds no valid genotype") {
  // node 2 of a DARTS cell reads both states 0 and 1, so `none` on edge 2<-0 admits no genotype:
  // of the 8 per-op sub-supernets, 7 remain
  DartsSpace space;
  auto strategy = make_strategy(
      "fewshot_exhaustive", space,
      kTiny + ", base: spos, epochs: 2, split_epochs: 1, split_edge: 'normal/2<-0', population: 2, "
              "generations: 0, bn_batches: 1, eval_samples: 16, hand_out: all}",
      5);
  const std::vector<Candidate> derived = strategy->ask(10);
  const auto leaves = dynamic_cast<FewShot&>(*strategy).leaf_descriptions();
  CHECK(leaves.size() == 7);
  for (const std::string& leaf : leaves) CHECK(leaf.find("{none}") == std::string::npos);
  // every derived genotype reads state 0 in node 2 with the leaf's op
  std::set<int> ops;
  for (const Candidate& c : derived) {
    CHECK(space.is_valid(c));
    const int gene = c.decisions[1] == 0 ? 0 : 2;  // normal node 2: (op, input) x 2
    ops.insert(c.decisions[static_cast<std::size_t>(gene)]);
  }
  CHECK(ops.size() == derived.size());
  const auto& log = dynamic_cast<WeightSharingStrategy&>(*strategy).search_log();
  bool logged = false;
  for (const auto& entry : log)
    if (entry.values.has("search/split1/sub0/empty")) {
      CHECK(entry.values.at("search/split1/sub0/empty") == 1.0);
      logged = true;
    }
  CHECK(logged);
}

TEST_CASE("split_epochs: one epoch or an increasing list, anything else one clear line") {
  Nb201Space space;
  // a single epoch is a one-element list: one split level, exhaustive -> 5 leaves
  auto single = make_strategy("fewshot_exhaustive", space,
                              kTiny + ", epochs: 2, split_epochs: 1, split_edge: '3<-2', hand_out: all}", 7);
  single->ask(10);
  CHECK(dynamic_cast<FewShot&>(*single).leaf_descriptions().size() == 5);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"split_epochs: 2", "split epoch 2: expected increasing epochs in [1, 1] (epochs: 2)"},
      {"split_epochs: [1, 1]", "split epoch 1: expected increasing epochs in [1, 2] (epochs: 3)"},
      {"split_epochs: []", "split_epochs: expected an epoch or a list of epochs"},
      {"split_epochs: one", "split_epochs"}};
  for (const auto& entry : bad) {
    const std::string& option = entry.first;  // not a structured binding: clang 14 cannot
    const std::string& message = entry.second;  // capture one in INFO's lambda
    INFO(option);
    const std::string epochs = option == "split_epochs: [1, 1]" ? "3" : "2";
    CHECK_THROWS_WITH_AS(
        make_strategy("fewshot_gm", space, kTiny + ", epochs: " + epochs + ", " + option + "}", 1),
        doctest::Contains(message.c_str()), ConfigError);
  }
}
