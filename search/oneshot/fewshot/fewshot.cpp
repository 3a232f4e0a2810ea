// Few-shot NAS by gradient matching (GM-NAS) and by exhaustive splitting (Few-shot NAS) — the
// split schedule, the edge choice and the final selection (see fewshot.hpp). Sources:
// skhu101/GM-NAS WS-GM/nasbench201/train_search.py (main, split_supernet),
// WS-GM/sota/cnn/train_search_ws.py (DARTS space: normal-cell edges, within-group score).
#include "search/oneshot/fewshot/fewshot.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

namespace {

const std::vector<std::string>& own_keys() {
  static const std::vector<std::string> keys = {
      "base",        "split_epochs", "split_edge", "matching",         "partition", "edge_score",
      "edge_prefix", "restart",      "fix_schedule", "arch_start_epoch", "hand_out"};
  return keys;
}

// The base methods' keys a few-shot search honours (its own schedule replaces their warm-ups
// and learning-rate schedules).
std::vector<std::string> base_keys(const std::string& base) {
  if (base == "spos")
    return {"label_smoothing", "sampler", "complexity", "bins", "population", "generations",
            "select_num", "mutation_num", "crossover_num", "mutation_prob", "bn_batches",
            "bn_cumulative", "eval_samples", "top", "max_macs", "max_params", "hardware"};
  if (base == "proxyless")
    return {"binarization", "arch_update_every", "arch_update_steps", "label_smoothing", "hardware"};
  return {"second_order", "step_order", "unrolled_r", "exclude_none"};
}

MatchingPaths matching_paths(const std::string& base) {
  if (base == "spos") return MatchingPaths::uniform_path;  // GM-NAS RSWS mode
  if (base == "proxyless") return MatchingPaths::alpha_path;
  return MatchingPaths::softmax;  // GM-NAS DARTS mode
}

}  // namespace

FewShotOptions fewshot_defaults(const SearchSpace& space, const std::string& base, bool exhaustive) {
  FewShotOptions o;
  o.base.method = base;
  o.base.darts = darts_defaults(space);
  o.base.spos = spos_defaults(space);
  o.base.proxyless = proxyless_defaults(space);
  o.base.proxyless.arch_start_epoch = 0;
  o.base.proxyless.warmup_epochs = 0;
  for (WeightSharingOptions* common : {&o.base.darts.common, &o.base.spos.common, &o.base.proxyless.common})
    common->epochs = 60;  // GM-NAS NB201 README: split_ckpts 15,30 + projection warm-up 30
  o.exhaustive = exhaustive;
  o.split_edge = exhaustive ? "first" : "grad";
  if (exhaustive) o.split_epochs = {15};
  if (space.name() == "darts") {  // sota/cnn/train_search_ws.py and darts-*-ws-res.sh
    o.edge_prefix = "normal/";
    o.edge_score = EdgeScore::within;
    o.matching.hard = false;
  }
  return o;
}

std::vector<std::string> fewshot_option_keys(const std::string& base) {
  std::vector<std::string> keys = own_keys();
  for (const std::string& key : base_keys(base)) keys.push_back(key);
  return keys;
}

FewShotOptions read_fewshot_options(const ConfigNode& node, const SearchSpace& space,
                                    bool exhaustive, const std::string& config_dir) {
  const std::string base =
      node.present() ? node.get_choice("base", "darts", {"darts", "spos", "proxyless"}) : "darts";
  FewShotOptions o = fewshot_defaults(space, base, exhaustive);
  if (base == "darts") o.base.darts = read_darts_options(node, o.base.darts);
  if (base == "spos") o.base.spos = read_spos_options(node, o.base.spos, config_dir);
  if (base == "proxyless") o.base.proxyless = read_proxyless_options(node, o.base.proxyless, config_dir);
  if (!node.present()) return o;
  const int epochs = o.base.common().epochs;
  if (ConfigNode splits = node.optional("split_epochs"); splits.present()) {
    // One epoch (a single split) or a list of increasing epochs (one split level each).
    const bool single = !splits.is_sequence();
    if (!single && splits.size() == 0)
      splits.fail("split_epochs: expected an epoch or a list of epochs, e.g. [15, 30]");
    o.split_epochs.clear();
    for (std::size_t i = 0; i < (single ? 1 : splits.size()); ++i) {
      const ConfigNode element = single ? splits : splits.element(i);
      const long long epoch = element.as_int();
      const int previous = o.split_epochs.empty() ? 0 : o.split_epochs.back();
      if (epoch <= previous || epoch >= epochs)
        element.fail("split epoch " + std::to_string(epoch) +
                               ": expected increasing epochs in [1, " + std::to_string(epochs - 1) +
                               "] (epochs: " + std::to_string(epochs) + ")");
      o.split_epochs.push_back(static_cast<int>(epoch));
    }
  } else if (o.split_epochs.back() >= epochs) {
    node.fail("the default split_epochs " + std::to_string(o.split_epochs.front()) + "... need "
              "more than " + std::to_string(o.split_epochs.back()) + " epochs; set split_epochs "
              "(epochs: " + std::to_string(epochs) + ")");
  }
  o.split_edge = node.get_string("split_edge", o.split_edge);
  if (exhaustive && o.split_edge == "grad")
    node.at("split_edge").fail("fewshot_exhaustive splits without gradients: split_edge is first, "
                               "random or an alpha key");
  if (ConfigNode matching = node.optional("matching"); matching.present()) {
    matching.check_keys({"repeats", "hard", "distance"});
    o.matching.repeats =
        static_cast<int>(matching.get_int_in("repeats", o.matching.repeats, 1, 100000));
    o.matching.hard = matching.get_bool("hard", o.matching.hard);
    if (matching.has("distance"))
      o.matching.distance = gradient_distance_from_string(
          matching.get_choice("distance", "cos", {"cos", "per-filter-cos", "mse"}));
  }
  if (node.has("partition"))
    o.partition = partition_method_from_string(
        node.get_choice("partition", "min_cut", {"min_cut", "enumerate"}));
  if (node.has("edge_score"))
    o.edge_score = edge_score_from_string(node.get_choice("edge_score", "cut", {"cut", "within"}));
  o.edge_prefix = node.get_string("edge_prefix", o.edge_prefix);
  o.restart = node.get_choice("restart", o.restart, {"none", "final", "all"});
  o.fix_schedule = node.get_bool("fix_schedule", o.fix_schedule);
  o.arch_start_epoch =
      static_cast<int>(node.get_int_in("arch_start_epoch", o.arch_start_epoch, 0, epochs));
  o.hand_out = node.get_choice("hand_out", o.hand_out, {"best", "all"});
  return o;
}

FewShot::FewShot(const StrategyContext& context, FewShotOptions options)
    : WeightSharingStrategy(context, options.exhaustive ? "fewshot_exhaustive" : "fewshot_gm",
                            options.base.common()),
      fewshot_(std::move(options)) {}

std::vector<Candidate> FewShot::run_search() {
  const SupernetDescription description = supernet_description();
  const WeightSharingOptions& o = options();
  const FewShotBase& base = fewshot_.base;
  const std::vector<std::string> all_keys = [&] {
    std::vector<std::string> keys;
    for (const MixedEdge& edge : description.edges)
      if (std::find(keys.begin(), keys.end(), edge.alpha_key) == keys.end())
        keys.push_back(edge.alpha_key);
    return keys;
  }();
  if (fewshot_.split_edge != "grad" && fewshot_.split_edge != "first" &&
      fewshot_.split_edge != "random" &&
      std::find(all_keys.begin(), all_keys.end(), fewshot_.split_edge) == all_keys.end())
    throw ConfigError(method() + ": split_edge '" + fewshot_.split_edge + "'" +
                      did_you_mean(fewshot_.split_edge, all_keys) +
                      "; accepted: grad, first, random or an alpha key (" + join(all_keys, ", ") + ")");
  Rng rng = Rng(seed()).derive(0x66657773);  // "fews"
  std::uint64_t next_seed = Rng(seed()).derive(0x6b696473).next_u64();  // "kids"
  std::vector<std::unique_ptr<FewShotSupernet>> supernets;
  supernets.push_back(std::make_unique<FewShotSupernet>(space(), description, base, next_seed++,
                                                        threads(), o.track_running_stats, o.epochs));
  BatchStream train = batches(data().weights, 1);
  BatchStream valid = batches(data().architecture, 2);
  BatchStream bn = batches(data().weights, 3);
  BatchStream matching = batches(data().weights, 4);
  const MatchingPaths paths = matching_paths(base.method);
  std::size_t next_split = 0;
  Metrics split_log;

  auto split = [&](FewShotSupernet& parent, std::size_t level, std::size_t index,
                   std::vector<std::unique_ptr<FewShotSupernet>>& children, int epoch) {
    std::vector<std::string> keys;
    for (const std::string& key : parent.unsplit_keys())
      if (key.starts_with(fewshot_.edge_prefix)) keys.push_back(key);
    if (fewshot_.split_edge != "grad") {
      std::string key;
      if (fewshot_.split_edge == "first") key = keys.empty() ? "" : keys.front();
      else if (fewshot_.split_edge == "random") key = keys.empty() ? "" : keys[rng.uniform_index(keys.size())];
      else if (std::find(keys.begin(), keys.end(), fewshot_.split_edge) != keys.end()) key = fewshot_.split_edge;
      keys = key.empty() ? std::vector<std::string>{} : std::vector<std::string>{key};
    }
    const std::string prefix = "search/split" + std::to_string(level + 1) + "/sub" + std::to_string(index);
    if (keys.empty()) return false;  // nothing left to split: the supernet stays a leaf
    std::string key;
    std::vector<std::vector<int>> groups;
    std::size_t first_edge = 0;
    auto edge_of = [&](const std::string& k) {
      const auto& edges = parent.supernet().description().edges;
      for (std::size_t e = 0; e < edges.size(); ++e)
        if (edges[e].alpha_key == k) return e;
      return std::size_t{0};
    };
    if (fewshot_.exhaustive) {
      key = keys.front();
      first_edge = edge_of(key);
      for (int op : parent.supernet().allowed(first_edge)) groups.push_back({op});
    } else {
      std::vector<OpPartition> partitions;
      for (const std::string& k : keys) {
        const DistanceMatrix d =
            edge_distance_matrix(parent.supernet(), k, paths, fewshot_.matching, matching, rng);
        partitions.push_back(partition_ops(d, fewshot_.partition, fewshot_.matching.distance));
      }
      const std::size_t best = choose_edge(partitions, fewshot_.edge_score);
      key = keys[best];
      first_edge = edge_of(key);
      const std::vector<int> ops = parent.supernet().allowed(first_edge);
      for (const auto& group : partitions[best].groups) {
        std::vector<int> members;
        for (int position : group) members.push_back(ops[static_cast<std::size_t>(position)]);
        groups.push_back(members);
      }
      split_log.set(prefix + "/cut", partitions[best].cut);
      split_log.set(prefix + "/within", partitions[best].within);
    }
    split_log.set(prefix + "/edge",
                  static_cast<double>(std::find(all_keys.begin(), all_keys.end(), key) - all_keys.begin()));
    const bool last = level + 1 == fewshot_.split_epochs.size();
    const bool restart = fewshot_.restart == "all" || (fewshot_.restart == "final" && last);
    const std::optional<int> schedule =
        fewshot_.fix_schedule ? std::optional<int>(o.epochs - epoch) : std::nullopt;
    // a sub-supernet that holds no valid architecture (e.g. a DARTS node left without two
    // readable inputs) is dropped; the parent's paths all lie in the others
    int empty = 0;
    for (const auto& group : groups) {
      std::unique_ptr<FewShotSupernet> child = parent.child(key, group, restart, next_seed++, schedule);
      if (child->contains_architecture()) children.push_back(std::move(child));
      else ++empty;
    }
    split_log.set(prefix + "/empty", empty);
    return true;
  };

  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    const auto started = std::chrono::steady_clock::now();
    if (next_split < fewshot_.split_epochs.size() && epoch == fewshot_.split_epochs[next_split]) {
      std::vector<std::unique_ptr<FewShotSupernet>> next;
      for (std::size_t i = 0; i < supernets.size(); ++i) {
        std::vector<std::unique_ptr<FewShotSupernet>> children;
        if (split(*supernets[i], next_split, i, children, epoch))
          for (auto& child : children) next.push_back(std::move(child));
        else
          next.push_back(std::move(supernets[i]));
      }
      supernets = std::move(next);
      ++next_split;
    }
    const bool update_architecture = epoch >= fewshot_.arch_start_epoch;
    Metrics values = architecture_values(supernets.front()->supernet());
    double loss_sum = 0.0;
    int arch_steps = 0;
    for (std::size_t i = 0; i < supernets.size(); ++i) {
      const auto result = supernets[i]->train_epoch(train, valid, update_architecture, rng);
      loss_sum += result.train_loss;
      arch_steps += result.arch_steps;
      values.set("search/sub" + std::to_string(i) + "/train_loss", result.train_loss);
    }
    values.set("search/supernets", static_cast<double>(supernets.size()));
    values.set("search/train_loss", loss_sum / static_cast<double>(supernets.size()));
    values.set("search/arch_updates", arch_steps);
    for (const auto& [name, value] : split_log) values.set(name, value);
    split_log = Metrics{};
    values.set("search/seconds",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    record_epoch(epoch + 1, std::move(values));
  }

  // §8.6: every leaf derives with the base method; the best by its validation accuracy wins
  struct Leaf {
    FewShotSupernet::Derived derived;
    std::string description;
  };
  std::vector<Leaf> leaves;
  Metrics final_values;
  for (std::size_t i = 0; i < supernets.size(); ++i) {
    Leaf leaf{supernets[i]->derive(data().architecture, data().normalization, bn, rng),
              supernets[i]->describe()};
    final_values.set("search/sub" + std::to_string(i) + "/score", 100.0 * leaf.derived.score);
    leaves.push_back(std::move(leaf));
  }
  std::stable_sort(leaves.begin(), leaves.end(),
                   [](const Leaf& a, const Leaf& b) { return a.derived.score > b.derived.score; });
  final_values.set("search/best_score", 100.0 * leaves.front().derived.score);
  record_epoch(o.epochs + 1, std::move(final_values));
  std::vector<Candidate> derived;
  leaves_.clear();
  for (const Leaf& leaf : leaves) {
    for (const Candidate& c : leaf.derived.candidates)
      if (std::find(derived.begin(), derived.end(), c) == derived.end()) derived.push_back(c);
    leaves_.push_back(leaf.description);
    if (fewshot_.hand_out == "best") break;
  }
  return derived;
}

void register_fewshot(StrategyRegistry& registry) {
  for (const bool exhaustive : {false, true}) {
    registry.add(
        exhaustive ? "fewshot_exhaustive" : "fewshot_gm", "weight-sharing",
        exhaustive ? "Few-shot NAS: one sub-supernet per op of the split edge, a base method "
                     "(darts | spos | proxyless) on each, the best derived architecture"
                   : "GM-NAS few-shot NAS: supernets split by gradient matching (min cut), a base "
                     "method (darts | spos | proxyless) on each, the best derived architecture",
        [exhaustive](const StrategyContext& context) -> std::unique_ptr<Strategy> {
          const std::string base =
              context.options.present()
                  ? context.options.get_choice("base", "darts", {"darts", "spos", "proxyless"})
                  : "darts";
          check_weight_sharing_keys(context.options, fewshot_option_keys(base));
          FewShotOptions options =
              read_fewshot_options(context.options, context.space, exhaustive, context.config_dir);
          const SupernetDescription& description = context.space.default_supernet();
          if (base == "spos") PathCodec check(context.space, description);
          if (base == "proxyless")
            ProxylessArchitect check(context.space, description, options.base.proxyless);
          return std::make_unique<FewShot>(context, std::move(options));
        });
  }
}

}  // namespace tandem
