// SPOS: uniform single-path supernet training and the evolutionary search with BN recalibration
// (see spos.hpp). Sources: megvii-model/SinglePathOneShot src/Supernet/train.py,
// src/Search/search.py (EvolutionSearcher), src/Search/tester.py (get_cand_err).
#include "search/oneshot/single_path/spos.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>

#include "core/error.hpp"
#include "core/text.hpp"
#include "search/oneshot/single_path/single_path_step.hpp"
#include "trainers/autograd.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/schedule.hpp"

namespace tandem {

namespace {

// Top-1 accuracy (fraction) of the supernet's current path on the first `limit` samples.
double accuracy_on(Supernet& net, const Dataset& data, const Normalization& normalization,
                   std::size_t limit) {
  const std::size_t n = limit > 0 ? std::min(limit, data.size()) : data.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::size_t correct = 0;
  for (std::size_t begin = 0; begin < n; begin += 256) {
    const std::size_t end = std::min(n, begin + 256);
    Tensor images = make_batch(data, order, begin, end);
    normalize_batch(images, normalization);
    const std::vector<int> labels = batch_labels(data, order, begin, end);
    const Tensor logits = net.forward(images, /*training=*/false).value();
    const std::int64_t classes = logits.size(1);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const float* row = logits.data() + static_cast<std::int64_t>(i) * classes;
      correct += static_cast<int>(std::max_element(row, row + classes) - row) == labels[i];
    }
  }
  net.tape().clear();
  return n == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(n);
}

int positive_int(const ConfigNode& node, const std::string& key, int fallback, int high) {
  return static_cast<int>(node.get_int_in(key, fallback, 1, high));
}

}  // namespace

// ---- path complexity -----------------------------------------------------------------------

double PathComplexity::of(const std::vector<int>& path) const {
  double total = base;
  for (std::size_t e = 0; e < path.size(); ++e)
    if (path[e] >= 0) total += cost[e][static_cast<std::size_t>(path[e])];
  return total;
}

PathComplexity path_complexity(const SupernetDescription& description, const std::string& measure,
                               const CostConstraintOptions* hardware) {
  TANDEM_CHECK(measure == "macs" || measure == "params" || measure == "hardware",
               "spos: unknown complexity '" + measure + "' (macs, params, hardware)");
  TANDEM_CHECK(measure != "hardware" || hardware != nullptr,
               "spos: complexity 'hardware' needs the hardware section");
  auto value = [&](const ComputeGraph& graph, const std::string& what) {
    if (measure == "macs") return static_cast<double>(graph.total_macs());
    if (measure == "params") return static_cast<double>(graph.total_params());
    const hw::CostReport report = hardware->model->evaluate(graph);
    if (!report.feasible)
      throw Error("spos complexity: " + what + " cannot run on the " + hardware->model->name() +
                  " accelerator: " + report.reason);
    return cost_of_report(report, hardware->metric);
  };
  PathComplexity complexity;
  complexity.base = value(description.skeleton, "the supernet's fixed layers");
  for (const MixedEdge& edge : description.edges) {
    complexity.cost.emplace_back();
    for (const CandidateOp& op : edge.candidates)
      complexity.cost.back().push_back(
          value(op.graph, "op '" + op.name + "' of edge '" + edge.alpha_key + "'"));
  }
  return complexity;
}

// ---- options -------------------------------------------------------------------------------

SposOptions spos_defaults(const SearchSpace& space) {
  SposOptions o;
  o.common = weight_sharing_defaults(space);
  return o;
}

const std::vector<std::string>& spos_option_keys() {
  static const std::vector<std::string> keys = {
      "label_smoothing", "lr_schedule",   "sampler",      "complexity",    "bins",
      "population",      "generations",   "select_num",   "mutation_num",  "crossover_num",
      "mutation_prob",   "bn_batches",    "bn_cumulative", "eval_samples", "top",
      "max_macs",        "max_params",    "hardware"};
  return keys;
}

SposOptions read_spos_options(const ConfigNode& node, SposOptions o, const std::string& config_dir) {
  o.common = read_weight_sharing_options(node, o.common);
  if (!node.present()) return o;
  o.label_smoothing = read_label_smoothing(node, o.label_smoothing);
  o.lr_schedule = node.get_choice("lr_schedule", o.lr_schedule, {"linear", "cosine"});
  o.sampler = node.get_choice("sampler", o.sampler, {"uniform", "complexity"});
  o.complexity = node.get_choice("complexity", o.complexity, {"macs", "params", "hardware"});
  o.bins = positive_int(node, "bins", o.bins, 1000);
  o.population = positive_int(node, "population", o.population, 100000);
  o.generations = static_cast<int>(node.get_int_in("generations", o.generations, 0, 100000));
  o.select_num = positive_int(node, "select_num", o.select_num, 100000);
  o.mutation_num = static_cast<int>(node.get_int_in("mutation_num", o.mutation_num, 0, 100000));
  o.crossover_num = static_cast<int>(node.get_int_in("crossover_num", o.crossover_num, 0, 100000));
  o.mutation_prob = node.get_double("mutation_prob", o.mutation_prob);
  if (!(o.mutation_prob >= 0.0 && o.mutation_prob <= 1.0))
    node.at("mutation_prob").fail("mutation_prob " + node.at("mutation_prob").scalar_text() +
                                  ": expected a probability in [0, 1]");
  o.bn_batches = static_cast<int>(node.get_int_in("bn_batches", o.bn_batches, 0, 1000000));
  o.bn_cumulative = node.get_bool("bn_cumulative", o.bn_cumulative);
  o.eval_samples = static_cast<int>(node.get_int_in("eval_samples", o.eval_samples, 0, 1 << 30));
  o.top = positive_int(node, "top", o.top, 100000);
  o.max_macs = node.get_double("max_macs", o.max_macs);
  o.max_params = node.get_double("max_params", o.max_params);
  if (o.max_macs < 0.0) node.at("max_macs").fail("max_macs: expected a number >= 0 (0 = no limit)");
  if (o.max_params < 0.0)
    node.at("max_params").fail("max_params: expected a number >= 0 (0 = no limit)");
  if (ConfigNode hardware = node.optional("hardware"); hardware.present())
    o.hardware = read_cost_constraint(hardware, config_dir);
  if (o.sampler == "complexity" && o.complexity == "hardware" && !o.hardware)
    node.at("complexity").fail("complexity 'hardware' needs a hardware section (the cost model)");
  return o;
}

// ---- the trainer ---------------------------------------------------------------------------

SposTrainer::SposTrainer(const SearchSpace& space, const SupernetDescription& description,
                         SposOptions options)
    : space_(space), options_(std::move(options)), codec_(space, description) {
  complexity_ = path_complexity(description,
                                options_.sampler == "complexity" ? options_.complexity : "macs",
                                options_.hardware ? &*options_.hardware : nullptr);
}

double SposTrainer::complexity(const Candidate& candidate) const {
  return complexity_.of(codec_.path(candidate));
}

const SposTrainer::Admitted& SposTrainer::admitted(const Supernet& net) const {
  std::vector<std::vector<int>> allowed;
  for (std::size_t e = 0; e < net.description().edges.size(); ++e) allowed.push_back(net.allowed(e));
  if (admitted_ && admitted_->allowed == allowed) return *admitted_;
  Admitted fresh;
  fresh.allowed = std::move(allowed);
  fresh.choices = codec_.choices(net);
  // the complexity range of the admitted paths: per block its cheapest and dearest assignment
  fresh.low = fresh.high = complexity_.base;
  for (std::size_t b = 0; b < fresh.choices.block_paths.size(); ++b) {
    double lo = 1e300, hi = -1e300;
    for (const std::vector<int>& assignment : fresh.choices.block_paths[b]) {
      const std::vector<int> ops = codec_.block_ops(b, assignment);
      double sum = 0.0;
      for (std::size_t i = 0; i < ops.size(); ++i)
        sum += complexity_.cost[codec_.block_edges()[b][i]][static_cast<std::size_t>(ops[i])];
      lo = std::min(lo, sum);
      hi = std::max(hi, sum);
    }
    fresh.low += lo;
    fresh.high += hi;
  }
  admitted_ = std::move(fresh);
  return *admitted_;
}

Candidate SposTrainer::sample_training_path(Supernet& net, Rng& rng) const {
  const Admitted& paths = admitted(net);
  if (options_.sampler != "complexity") return paths.choices.sample(rng);
  // the complexity range of the admitted paths, cut into equal bins
  const auto bin = static_cast<double>(rng.uniform_index(static_cast<std::uint64_t>(options_.bins)));
  const double width = (paths.high - paths.low) / options_.bins;
  const double from = paths.low + bin * width;
  const double to = bin + 1 == options_.bins ? paths.high : from + width;
  // rejection from uniform paths; the closest seen when the bin stays empty
  Candidate best;
  double best_gap = 1e300;
  for (int tries = 0; tries < 200; ++tries) {
    Candidate c = paths.choices.sample(rng);
    const double value = complexity(c);
    const double gap = value < from ? from - value : value > to ? value - to : 0.0;
    if (gap < best_gap) {
      best_gap = gap;
      best = std::move(c);
    }
    if (gap == 0.0) break;
  }
  return best;
}

double SposTrainer::weight_step(Supernet& net, Optimizer& weights, const BatchStream::Batch& batch,
                                Rng& rng, double grad_clip) const {
  net.set_mode(SupernetMode::single_path);
  codec_.set_path(net, sample_training_path(net, rng));
  return train_current_path(net, weights, batch, options_.label_smoothing, grad_clip);
}

double SposTrainer::score(Supernet& net, const Candidate& candidate, BatchStream& bn,
                          const Dataset& evaluation, const Normalization& normalization) const {
  net.set_mode(SupernetMode::single_path);
  codec_.set_path(net, candidate);
  net.reset_running_statistics();
  std::vector<Tensor> batches;
  for (int i = 0; i < options_.bn_batches; ++i) batches.push_back(bn.next().images);
  net.recalibrate_batch_norm(batches, options_.bn_cumulative);
  return accuracy_on(net, evaluation, normalization, static_cast<std::size_t>(options_.eval_samples));
}

bool SposTrainer::within_limits(const Candidate& candidate) const {
  if (options_.max_macs <= 0.0 && options_.max_params <= 0.0 && !options_.hardware) return true;
  const ComputeGraph graph = space_.to_graph(candidate);
  if (options_.max_macs > 0.0 && static_cast<double>(graph.total_macs()) > options_.max_macs)
    return false;
  if (options_.max_params > 0.0 && static_cast<double>(graph.total_params()) > options_.max_params)
    return false;
  if (options_.hardware) {
    const hw::CostReport report = options_.hardware->model->evaluate(graph);
    if (!report.feasible) return false;
    if (cost_of_report(report, options_.hardware->metric) > options_.hardware->target) return false;
  }
  return true;
}

std::vector<SposTrainer::Scored> SposTrainer::evolve(Supernet& net, BatchStream& bn,
                                                     const Dataset& evaluation,
                                                     const Normalization& normalization, Rng& rng,
                                                     std::vector<Generation>* generations) const {
  const PathChoices& choices = admitted(net).choices;
  const std::vector<std::vector<int>>& values = choices.decision_values;
  std::map<std::vector<int>, double> seen;  // vis_dict, by path: every path tried (NaN = illegal)
  std::vector<Scored> scored;
  Generation current;
  // search.py is_legal: unseen, valid, admitted, within the limits; legal paths are scored at once
  auto legal = [&](const Candidate& c) {
    if (!space_.is_valid(c) || !codec_.admits(net, c)) return false;
    const std::vector<int> path = codec_.path(c);
    if (seen.count(path)) return false;
    seen[path] = std::nan("");
    if (!within_limits(c)) return false;
    const double accuracy = score(net, c, bn, evaluation, normalization);
    seen[path] = accuracy;
    scored.push_back({c, accuracy});
    current.best = std::max(current.best, accuracy);
    current.mean += accuracy;
    ++current.scored;
    return true;
  };
  // the number of distinct admitted paths bounds how many can ever be legal
  const double space_size = choices.size();
  auto fill_random = [&](std::vector<Scored>& population) {
    const std::size_t target = static_cast<std::size_t>(options_.population);
    for (int tries = 0; population.size() < target && tries < 100 * options_.population &&
                        static_cast<double>(seen.size()) < space_size;
         ++tries)
      if (legal(choices.sample(rng))) population.push_back(scored.back());
  };
  auto by_accuracy = [](const Scored& a, const Scored& b) { return a.accuracy > b.accuracy; };
  std::vector<Scored> population, top;
  fill_random(population);
  for (int generation = 0; generation < options_.generations && !population.empty(); ++generation) {
    // update_top_k: the best select_num of the kept ones and the new population
    top.insert(top.end(), population.begin(), population.end());
    std::stable_sort(top.begin(), top.end(), by_accuracy);
    if (top.size() > static_cast<std::size_t>(options_.select_num))
      top.resize(static_cast<std::size_t>(options_.select_num));
    if (generations) {
      if (current.scored > 0) current.mean /= current.scored;
      generations->push_back(current);
    }
    current = Generation{};
    std::vector<Scored> next;
    for (int tries = 0; static_cast<int>(next.size()) < options_.mutation_num &&
                        tries < 10 * options_.mutation_num;
         ++tries) {  // get_mutation
      Candidate c = top[rng.uniform_index(top.size())].candidate;
      for (std::size_t d = 0; d < c.decisions.size(); ++d)
        if (rng.uniform() < options_.mutation_prob)
          c.decisions[d] = values[d][rng.uniform_index(values[d].size())];
      if (legal(c)) next.push_back(scored.back());
    }
    for (int tries = 0; static_cast<int>(next.size()) < options_.mutation_num + options_.crossover_num &&
                        tries < 10 * options_.crossover_num;
         ++tries) {  // get_crossover
      const Candidate& a = top[rng.uniform_index(top.size())].candidate;
      const Candidate& b = top[rng.uniform_index(top.size())].candidate;
      Candidate c = a;
      for (std::size_t d = 0; d < c.decisions.size(); ++d)
        if (rng.uniform() < 0.5) c.decisions[d] = b.decisions[d];
      if (legal(c)) next.push_back(scored.back());
    }
    population = std::move(next);
    fill_random(population);
  }
  if (generations && current.scored > 0) {  // the last population (search.py scores it too)
    current.mean /= current.scored;
    generations->push_back(current);
  }
  // every scored path, best first (= the final top-k update over everything seen)
  std::stable_sort(scored.begin(), scored.end(), by_accuracy);
  return scored;
}

// ---- the strategy --------------------------------------------------------------------------

Spos::Spos(const StrategyContext& context, SposOptions options)
    : WeightSharingStrategy(context, "spos", options.common), spos_(std::move(options)) {}

std::vector<Candidate> Spos::run_search() {
  const SupernetDescription description = supernet_description();
  SposTrainer trainer(space(), description, spos_);
  std::unique_ptr<Supernet> supernet = make_supernet(description);
  Supernet& net = *supernet;
  const WeightSharingOptions& o = options();
  Sgd weights(net.weights(), weight_sgd_options(o));
  BatchStream train = batches(data().weights, 1);
  Rng rng = Rng(seed()).derive(0x73706f73);  // "spos"
  const std::int64_t steps = train.batches_per_pass();
  const CosineSchedule cosine(o.lr, o.epochs, o.lr_min);
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    const auto started = std::chrono::steady_clock::now();
    double loss_sum = 0.0, lr = 0.0;
    for (std::int64_t s = 0; s < steps; ++s) {
      // train.py: LambdaLR(lr * (1 - step / total)) per iteration
      const double t = static_cast<double>(epoch * steps + s) / static_cast<double>(o.epochs * steps);
      lr = spos_.lr_schedule == "linear" ? o.lr * (1.0 - t) : cosine.learning_rate(epoch);
      weights.set_learning_rate(lr);
      loss_sum += trainer.weight_step(net, weights, train.next(), rng, o.grad_clip);
    }
    Metrics values;
    values.set("search/phase", 0.0);
    values.set("search/train_loss", loss_sum / static_cast<double>(steps));
    values.set("search/lr", lr);
    values.set("search/seconds",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    record_epoch(epoch + 1, std::move(values));
  }
  BatchStream bn = batches(data().weights, 3);
  std::vector<SposTrainer::Generation> generations;
  const auto started = std::chrono::steady_clock::now();
  const std::vector<SposTrainer::Scored> scored =
      trainer.evolve(net, bn, data().architecture, data().normalization, rng, &generations);
  if (scored.empty())
    throw Error("spos: no legal path found (check max_macs / max_params / the hardware target)");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (std::size_t g = 0; g < generations.size(); ++g) {
    Metrics values;
    values.set("search/phase", 1.0);
    values.set("search/generation_best_accuracy", 100.0 * generations[g].best);
    values.set("search/generation_mean_accuracy", 100.0 * generations[g].mean);
    values.set("search/generation_scored", generations[g].scored);
    values.set("search/best_accuracy", 100.0 * scored.front().accuracy);
    values.set("search/seconds", seconds / static_cast<double>(generations.size()));
    record_epoch(o.epochs + static_cast<int>(g) + 1, std::move(values));
  }
  std::vector<Candidate> derived;
  for (std::size_t i = 0; i < scored.size() && static_cast<int>(i) < spos_.top; ++i)
    derived.push_back(scored[i].candidate);
  return derived;
}

void register_spos(StrategyRegistry& registry) {
  registry.add(
      "spos", "weight-sharing",
      "Single Path One-Shot: uniform single-path supernet training, then evolution over the "
      "supernet's paths scored after BN recalibration",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        check_weight_sharing_keys(context.options, spos_option_keys());
        SposOptions options =
            read_spos_options(context.options, spos_defaults(context.space), context.config_dir);
        PathCodec check(context.space, context.space.default_supernet());
        return std::make_unique<Spos>(context, std::move(options));
      });
}

}  // namespace tandem
