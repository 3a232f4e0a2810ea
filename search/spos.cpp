// SPOS: uniform single-path supernet training and the evolutionary search with BN recalibration
// (see spos.hpp). Sources: megvii-model/SinglePathOneShot src/Supernet/train.py,
// src/Search/search.py (EvolutionSearcher), src/Search/tester.py (get_cand_err).
#include "search/spos.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>

#include "core/error.hpp"
#include "core/text.hpp"
#include "trainers/autograd.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/schedule.hpp"

namespace tandem {

namespace {

Candidate valid_reference(const SearchSpace& space) {
  Candidate reference;
  reference.decisions.assign(space.decisions().size(), 0);
  Rng rng(0);
  for (int tries = 0; !space.is_valid(reference) && tries < 1000; ++tries)
    reference = space.sample(rng);
  return reference;
}

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

// ---- paths ---------------------------------------------------------------------------------

PathCodec::PathCodec(const SearchSpace& space, const SupernetDescription& description)
    : space_(space) {
  const std::size_t decisions = space.decisions().size();
  std::vector<bool> covered(decisions, false);
  for (const MixedEdge& edge : description.edges) {
    if (edge.decision < 0 || static_cast<std::size_t>(edge.decision) >= decisions)
      throw ConfigError("space '" + space.name() +
                        "': its supernet edges do not realise decisions one to one, which a "
                        "single-path search needs (nb201, mobilenet)");
    covered[static_cast<std::size_t>(edge.decision)] = true;
    decision_of_edge_.push_back(edge.decision);
    std::map<int, int> candidate_of;
    std::vector<int> value_of;
    for (std::size_t k = 0; k < edge.candidates.size(); ++k) {
      const int value = edge.choice_of_candidate.empty() ? static_cast<int>(k)
                                                         : edge.choice_of_candidate[k];
      candidate_of[value] = static_cast<int>(k);
      value_of.push_back(value);
    }
    candidate_of_value_.push_back(std::move(candidate_of));
    value_of_candidate_.push_back(std::move(value_of));
  }
  for (std::size_t d = 0; d < decisions; ++d)
    if (!covered[d])
      throw ConfigError("space '" + space.name() + "': decision '" + space.decisions()[d].name +
                        "' has no supernet edge");
}

std::vector<std::vector<int>> PathCodec::allowed_values(Supernet& net) const {
  std::vector<std::vector<int>> values(space_.decisions().size());
  std::vector<bool> seen(values.size(), false);
  for (std::size_t e = 0; e < decision_of_edge_.size(); ++e) {
    const auto d = static_cast<std::size_t>(decision_of_edge_[e]);
    std::vector<int> here;
    for (int k : net.allowed(e)) here.push_back(value_of_candidate_[e][static_cast<std::size_t>(k)]);
    std::sort(here.begin(), here.end());
    if (!seen[d]) {
      values[d] = here;
      seen[d] = true;
    } else {  // edges of one decision: the values all of them allow
      std::vector<int> both;
      std::set_intersection(values[d].begin(), values[d].end(), here.begin(), here.end(),
                            std::back_inserter(both));
      values[d] = both;
    }
  }
  return values;
}

void PathCodec::set_path(Supernet& net, const Candidate& candidate) const {
  TANDEM_CHECK(candidate.decisions.size() == space_.decisions().size(),
               "PathCodec: the candidate has " + std::to_string(candidate.decisions.size()) +
                   " decisions, the space " + std::to_string(space_.decisions().size()));
  for (std::size_t e = 0; e < decision_of_edge_.size(); ++e) {
    const int value = candidate.decisions[static_cast<std::size_t>(decision_of_edge_[e])];
    auto found = candidate_of_value_[e].find(value);
    TANDEM_CHECK(found != candidate_of_value_[e].end(),
                 "PathCodec: decision value " + std::to_string(value) + " has no candidate op");
    net.set_active(e, found->second);
  }
}

Candidate PathCodec::active_candidate(Supernet& net) const {
  Candidate candidate;
  candidate.decisions.assign(space_.decisions().size(), 0);
  for (std::size_t e = 0; e < decision_of_edge_.size(); ++e)
    candidate.decisions[static_cast<std::size_t>(decision_of_edge_[e])] =
        value_of_candidate_[e][static_cast<std::size_t>(net.active(e))];
  return candidate;
}

EdgeCostTable complexity_table(const SearchSpace& space, const std::string& measure,
                               const CostConstraintOptions* hardware) {
  const Candidate reference = valid_reference(space);
  if (measure == "hardware") {
    TANDEM_CHECK(hardware != nullptr, "spos: complexity 'hardware' needs the hardware section");
    return build_edge_cost_table(space, *hardware->model, reference, hardware->metric);
  }
  TANDEM_CHECK(measure == "macs" || measure == "params",
               "spos: unknown complexity '" + measure + "' (macs, params, hardware)");
  auto value = [&](const Candidate& c) {
    const ComputeGraph g = space.to_graph(c);
    return static_cast<double>(measure == "macs" ? g.total_macs() : g.total_params());
  };
  EdgeCostTable table;
  table.base = value(reference);
  for (std::size_t d = 0; d < space.decisions().size(); ++d) {
    table.cost.emplace_back(space.decisions()[d].choices.size(), 0.0);
    for (std::size_t k = 0; k < table.cost[d].size(); ++k) {
      if (static_cast<int>(k) == reference.decisions[d]) continue;
      Candidate variant = reference;
      variant.decisions[d] = static_cast<int>(k);
      table.cost[d][k] = value(variant) - table.base;
    }
  }
  return table;
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
  o.label_smoothing = node.get_double("label_smoothing", o.label_smoothing);
  if (!(o.label_smoothing >= 0.0 && o.label_smoothing < 1.0))
    node.at("label_smoothing").fail("label_smoothing " + node.at("label_smoothing").scalar_text() +
                                    ": expected a number in [0, 1)");
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
  if (options_.sampler == "complexity")
    complexity_ = complexity_table(space, options_.complexity,
                                   options_.hardware ? &*options_.hardware : nullptr);
}

Candidate SposTrainer::sample_training_path(Supernet& net, Rng& rng) const {
  const std::vector<std::vector<int>> allowed = codec_.allowed_values(net);
  auto uniform = [&] {
    Candidate c;
    for (const auto& values : allowed) c.decisions.push_back(values[rng.uniform_index(values.size())]);
    return c;
  };
  if (!complexity_) return uniform();
  // the complexity range reachable with the allowed values, cut into equal bins
  double low = complexity_->base, high = complexity_->base;
  for (std::size_t d = 0; d < allowed.size(); ++d) {
    double lo = 1e300, hi = -1e300;
    for (int v : allowed[d]) {
      lo = std::min(lo, complexity_->cost[d][static_cast<std::size_t>(v)]);
      hi = std::max(hi, complexity_->cost[d][static_cast<std::size_t>(v)]);
    }
    low += lo;
    high += hi;
  }
  const auto bin = static_cast<double>(rng.uniform_index(static_cast<std::uint64_t>(options_.bins)));
  const double width = (high - low) / options_.bins;
  const double from = low + bin * width, to = bin + 1 == options_.bins ? high : from + width;
  // rejection from uniform paths; the closest seen when the bin stays empty
  Candidate best = uniform();
  double best_gap = 1e300;
  for (int tries = 0; tries < 200; ++tries) {
    Candidate c = tries == 0 ? best : uniform();
    const double value = complexity_->cost_of(c);
    const double gap = value < from ? from - value : value > to ? value - to : 0.0;
    if (gap < best_gap) {
      best_gap = gap;
      best = c;
    }
    if (gap == 0.0) break;
  }
  return best;
}

double SposTrainer::weight_step(Supernet& net, Optimizer& weights, const BatchStream::Batch& batch,
                                Rng& rng, double grad_clip) const {
  net.set_mode(SupernetMode::single_path);
  codec_.set_path(net, sample_training_path(net, rng));
  net.zero_grad();
  Variable loss = cross_entropy(net.forward(batch.images, true), batch.labels,
                                options_.label_smoothing);
  const double value = loss.value().item();
  backward(loss);
  if (grad_clip > 0.0) clip_grad_norm(net.weights(), grad_clip);
  weights.step();
  return value;
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
  const std::vector<std::vector<int>> allowed = codec_.allowed_values(net);
  std::map<std::vector<int>, double> seen;  // vis_dict: every path tried (NaN = illegal)
  std::vector<Scored> scored;
  Generation current;
  // search.py is_legal: unseen, valid, within the limits; legal paths are scored at once
  auto legal = [&](const Candidate& c) {
    if (seen.count(c.decisions)) return false;
    seen[c.decisions] = std::nan("");
    if (!space_.is_valid(c) || !within_limits(c)) return false;
    const double accuracy = score(net, c, bn, evaluation, normalization);
    seen[c.decisions] = accuracy;
    scored.push_back({c, accuracy});
    current.best = std::max(current.best, accuracy);
    current.mean += accuracy;
    ++current.scored;
    return true;
  };
  auto random_path = [&] {
    Candidate c;
    for (const auto& values : allowed) c.decisions.push_back(values[rng.uniform_index(values.size())]);
    return c;
  };
  // the number of distinct paths bounds how many can ever be legal
  double space_size = 1.0;
  for (const auto& values : allowed) space_size *= static_cast<double>(values.size());
  auto fill_random = [&](std::vector<Candidate>& population) {
    const std::size_t target = static_cast<std::size_t>(options_.population);
    for (int tries = 0; population.size() < target && tries < 100 * options_.population &&
                        static_cast<double>(seen.size()) < space_size;
         ++tries) {
      Candidate c = random_path();
      if (legal(c)) population.push_back(std::move(c));
    }
  };
  auto by_accuracy = [&](const Candidate& a, const Candidate& b) {
    return seen.at(a.decisions) > seen.at(b.decisions);
  };
  std::vector<Candidate> population, top;
  fill_random(population);
  for (int generation = 0; generation < options_.generations && !population.empty(); ++generation) {
    // update_top_k: the best select_num of the kept ones and the new population
    for (const Candidate& c : population) top.push_back(c);
    std::stable_sort(top.begin(), top.end(), by_accuracy);
    if (top.size() > static_cast<std::size_t>(options_.select_num))
      top.resize(static_cast<std::size_t>(options_.select_num));
    if (generations) {
      if (current.scored > 0) current.mean /= current.scored;
      generations->push_back(current);
    }
    current = Generation{};
    std::vector<Candidate> next;
    for (int tries = 0; static_cast<int>(next.size()) < options_.mutation_num &&
                        tries < 10 * options_.mutation_num;
         ++tries) {  // get_mutation
      Candidate c = top[rng.uniform_index(top.size())];
      for (std::size_t d = 0; d < c.decisions.size(); ++d)
        if (rng.uniform() < options_.mutation_prob)
          c.decisions[d] = allowed[d][rng.uniform_index(allowed[d].size())];
      if (legal(c)) next.push_back(std::move(c));
    }
    for (int tries = 0; static_cast<int>(next.size()) < options_.mutation_num + options_.crossover_num &&
                        tries < 10 * options_.crossover_num;
         ++tries) {  // get_crossover
      const Candidate& a = top[rng.uniform_index(top.size())];
      const Candidate& b = top[rng.uniform_index(top.size())];
      Candidate c = a;
      for (std::size_t d = 0; d < c.decisions.size(); ++d)
        if (rng.uniform() < 0.5) c.decisions[d] = b.decisions[d];
      if (legal(c)) next.push_back(std::move(c));
    }
    population = std::move(next);
    fill_random(population);
  }
  if (generations && current.scored > 0) {  // the last population (search.py scores it too)
    current.mean /= current.scored;
    generations->push_back(current);
  }
  // every scored path, best first (= the final top-k update over everything seen)
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.accuracy > b.accuracy; });
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
      "spos",
      "Single Path One-Shot: uniform single-path supernet training, then evolution over the "
      "supernet's paths scored after BN recalibration",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        check_weight_sharing_keys(context.options, spos_option_keys());
        SposOptions options =
            read_spos_options(context.options, spos_defaults(context.space), context.config_dir);
        PathCodec check(context.space, context.space.supernet(GraphOptions{}));
        return std::make_unique<Spos>(context, std::move(options));
      });
}

}  // namespace tandem
