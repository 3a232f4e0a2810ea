// The weight-sharing strategy base: options, data splits, batches, supernet evaluation, the
// per-epoch log and the ask/tell/resume plumbing (see weight_sharing.hpp).
#include "search/oneshot/weight_sharing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.hpp"
#include "core/text.hpp"
#include "trainers/autograd.hpp"
#include "trainers/dataset_reader.hpp"
#include "trainers/threading.hpp"

namespace tandem {
namespace {

double number_in(const ConfigNode& node, const std::string& key, double fallback, double low,
                 double high, const std::string& range) {
  const double value = node.get_double(key, fallback);
  if (!(value >= low && value <= high))
    node.at(key).fail(key + " " + node.at(key).scalar_text() + ": expected " + range);
  return value;
}

int int_in(const ConfigNode& node, const std::string& key, int fallback, int low, int high) {
  return static_cast<int>(node.get_int_in(key, fallback, low, high));
}

std::string candidate_decisions(const Candidate& candidate) {
  std::string text;
  for (std::size_t i = 0; i < candidate.decisions.size(); ++i)
    text += (i ? "," : "") + std::to_string(candidate.decisions[i]);
  return text;
}

}  // namespace

WeightSharingOptions weight_sharing_defaults(const SearchSpace& space) {
  WeightSharingOptions options;
  if (space.name() == "nb201") {  // AutoDL configs/nas-benchmark/algos/DARTS.config
    options.nesterov = true;
    options.weight_decay = 5e-4;
  }
  return options;
}

const std::vector<std::string>& weight_sharing_option_keys() {
  static const std::vector<std::string> keys = {
      "dataset",      "path",           "resolution", "train_portion",   "max_samples",
      "batch_size",   "epochs",         "augment",    "normalize",       "optimizer",
      "grad_clip",    "arch_optimizer", "width",      "cells_per_stage", "width_multiplier",
      "track_running_stats", "threads"};
  return keys;
}

void check_weight_sharing_keys(const ConfigNode& node, const std::vector<std::string>& extra) {
  std::vector<std::string> keys = weight_sharing_option_keys();
  keys.insert(keys.end(), extra.begin(), extra.end());
  node.check_keys(keys);
}

WeightSharingOptions read_weight_sharing_options(const ConfigNode& node,
                                                 WeightSharingOptions o) {
  if (!node.present()) return o;
  o.dataset = node.get_string("dataset", o.dataset);
  o.path = node.get_string("path", o.path);
  o.resolution = int_in(node, "resolution", o.resolution, 0, 4096);
  o.train_portion = number_in(node, "train_portion", o.train_portion, 0.01, 0.99,
                              "a fraction in [0.01, 0.99]");
  o.max_samples = int_in(node, "max_samples", o.max_samples, 0, 1 << 30);
  o.batch_size = int_in(node, "batch_size", o.batch_size, 1, 1 << 20);
  o.epochs = int_in(node, "epochs", o.epochs, 1, 100000);
  if (ConfigNode augment = node.optional("augment"); augment.present()) {
    augment.check_keys({"crop_padding", "horizontal_flip"});
    o.augment.crop_padding = int_in(augment, "crop_padding", o.augment.crop_padding, 0, 64);
    o.augment.horizontal_flip = augment.get_bool("horizontal_flip", o.augment.horizontal_flip);
  }
  o.normalize = node.get_bool("normalize", o.normalize);
  if (ConfigNode sgd = node.optional("optimizer"); sgd.present()) {
    sgd.check_keys({"lr", "lr_min", "momentum", "nesterov", "weight_decay"});
    o.lr = number_in(sgd, "lr", o.lr, 1e-12, 1e3, "a learning rate in (0, 1000]");
    o.lr_min = number_in(sgd, "lr_min", o.lr_min, 0.0, o.lr, "a rate in [0, lr]");
    o.momentum = number_in(sgd, "momentum", o.momentum, 0.0, 0.999999, "a momentum in [0, 1)");
    o.nesterov = sgd.get_bool("nesterov", o.nesterov);
    o.weight_decay =
        number_in(sgd, "weight_decay", o.weight_decay, 0.0, 1.0, "a weight decay in [0, 1]");
    if (o.nesterov && o.momentum <= 0.0) sgd.at("nesterov").fail("nesterov needs momentum > 0");
  }
  if (o.lr_min > o.lr) o.lr_min = o.lr;
  o.grad_clip = number_in(node, "grad_clip", o.grad_clip, 0.0, 1e9, "a norm >= 0 (0 = none)");
  if (ConfigNode adam = node.optional("arch_optimizer"); adam.present()) {
    adam.check_keys({"lr", "beta1", "beta2", "weight_decay"});
    o.arch_lr = number_in(adam, "lr", o.arch_lr, 1e-12, 1e3, "a learning rate in (0, 1000]");
    o.arch_beta1 = number_in(adam, "beta1", o.arch_beta1, 0.0, 0.999999, "a beta in [0, 1)");
    o.arch_beta2 = number_in(adam, "beta2", o.arch_beta2, 0.0, 0.999999, "a beta in [0, 1)");
    o.arch_weight_decay = number_in(adam, "weight_decay", o.arch_weight_decay, 0.0, 1.0,
                                    "a weight decay in [0, 1]");
  }
  o.width = int_in(node, "width", o.width, 0, 4096);
  o.cells_per_stage = int_in(node, "cells_per_stage", o.cells_per_stage, 0, 64);
  o.width_multiplier =
      number_in(node, "width_multiplier", o.width_multiplier, 0.0, 16.0, "a multiplier in [0, 16]");
  o.track_running_stats = node.get_bool("track_running_stats", o.track_running_stats);
  o.threads = int_in(node, "threads", o.threads, 0, 4096);
  return o;
}

// ---- data ----------------------------------------------------------------------------------

SearchData load_search_data(const WeightSharingOptions& options, const std::string& config_dir) {
  DatasetSplits splits = load_dataset(options.dataset, options.path, config_dir);
  Dataset all = std::move(splits.train);
  if (options.max_samples > 0 && static_cast<std::size_t>(options.max_samples) < all.size()) {
    std::vector<std::size_t> first(static_cast<std::size_t>(options.max_samples));
    std::iota(first.begin(), first.end(), std::size_t{0});
    all = subset(all, first, all.name);
  }
  if (options.resolution > 0) all = resize_dataset(all, options.resolution, options.resolution);
  const std::size_t split =
      static_cast<std::size_t>(std::floor(options.train_portion * static_cast<double>(all.size())));
  if (split == 0 || split >= all.size())
    throw ConfigError("train_portion " + format_number(options.train_portion) + " of " +
                      std::to_string(all.size()) +
                      " samples leaves one split empty: both the weights and the architecture "
                      "need samples");
  std::vector<std::size_t> head(split), tail(all.size() - split);
  std::iota(head.begin(), head.end(), std::size_t{0});
  std::iota(tail.begin(), tail.end(), split);
  SearchData data;
  data.weights = subset(all, head, all.name + " (weights split)");
  data.architecture = subset(all, tail, all.name + " (architecture split)");
  if (options.normalize) {
    data.normalization = channel_statistics(data.weights);
  } else {
    const auto channels = static_cast<std::size_t>(all.sample_shape.channels);
    data.normalization.mean.assign(channels, 0.0f);
    data.normalization.std.assign(channels, 1.0f);
  }
  return data;
}

BatchStream::BatchStream(const Dataset& data, const Normalization& normalization, int batch_size,
                         AugmentOptions augment, Rng rng)
    : data_(data),
      normalization_(normalization),
      batch_size_(static_cast<std::size_t>(batch_size)),
      augment_(augment),
      rng_(rng),
      order_(data.size()) {
  TANDEM_CHECK(!order_.empty(), "BatchStream: " + data.name + " is empty");
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  rng_.shuffle(order_);
}

BatchStream::Batch BatchStream::next() {
  if (position_ >= order_.size()) {
    rng_.shuffle(order_);
    position_ = 0;
  }
  const std::size_t end = std::min(order_.size(), position_ + batch_size_);
  Batch batch{make_batch(data_, order_, position_, end), batch_labels(data_, order_, position_, end)};
  position_ = end;
  if (augment_.enabled()) augment_batch(batch.images, augment_, rng_);
  normalize_batch(batch.images, normalization_);
  return batch;
}

std::int64_t BatchStream::batches_per_pass() const {
  return static_cast<std::int64_t>((order_.size() + batch_size_ - 1) / batch_size_);
}

SupernetEvaluation evaluate_supernet(Supernet& supernet, const Dataset& data,
                                     const Normalization& normalization, int batch_size) {
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  double loss = 0.0;
  std::size_t correct = 0;
  for (std::size_t begin = 0; begin < order.size(); begin += static_cast<std::size_t>(batch_size)) {
    const std::size_t end = std::min(order.size(), begin + static_cast<std::size_t>(batch_size));
    Tensor images = make_batch(data, order, begin, end);
    normalize_batch(images, normalization);
    const std::vector<int> labels = batch_labels(data, order, begin, end);
    Variable logits = supernet.forward(images, /*training=*/false);
    loss += static_cast<double>(cross_entropy(logits, labels).value().item()) *
            static_cast<double>(end - begin);
    const Tensor& values = logits.value();
    const std::int64_t classes = values.size(1);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const float* row = values.data() + static_cast<std::int64_t>(i) * classes;
      correct += static_cast<int>(std::max_element(row, row + classes) - row) == labels[i];
    }
  }
  supernet.tape().clear();
  const double n = static_cast<double>(std::max<std::size_t>(1, data.size()));
  return {loss / n, static_cast<double>(correct) / n};
}

Metrics architecture_values(Supernet& supernet) {
  Metrics values;
  const SupernetDescription& description = supernet.description();
  double mass = 0.0, argmax_hits = 0.0, skip_mass = 0.0, none_mass = 0.0;
  int keys_with_free_ops = 0;
  std::vector<std::string> seen;
  for (std::size_t e = 0; e < description.edges.size(); ++e) {
    const MixedEdge& edge = description.edges[e];
    if (std::find(seen.begin(), seen.end(), edge.alpha_key) != seen.end()) continue;
    seen.push_back(edge.alpha_key);
    const std::vector<double> p = supernet.edge_weights(e);
    double free_mass = 0.0;
    bool has_free = false;
    std::size_t best = 0;
    for (std::size_t k = 0; k < p.size(); ++k) {
      const std::string& op = edge.candidates[k].name;
      values.set("alpha/" + edge.alpha_key + "/" + op, p[k]);
      if (op == "none" || op == "skip_connect") {
        free_mass += p[k];
        has_free = true;
        (op == "none" ? none_mass : skip_mass) += p[k];
      }
      if (p[k] > p[best]) best = k;
    }
    if (!has_free) continue;
    ++keys_with_free_ops;
    mass += free_mass;
    const std::string& top = edge.candidates[best].name;
    argmax_hits += (top == "none" || top == "skip_connect") ? 1.0 : 0.0;
  }
  if (keys_with_free_ops > 0) {
    values.set("search/skip_none_mass", mass / keys_with_free_ops);
    values.set("search/skip_none_argmax", argmax_hits / keys_with_free_ops);
    values.set("search/skip_mass", skip_mass / keys_with_free_ops);
    values.set("search/none_mass", none_mass / keys_with_free_ops);
  }
  std::vector<std::string> beta_keys;
  for (const MixedEdge& edge : description.edges)
    if (!edge.beta_key.empty() &&
        std::find(beta_keys.begin(), beta_keys.end(), edge.beta_key) == beta_keys.end())
      beta_keys.push_back(edge.beta_key);
  for (const std::string& key : beta_keys) {
    const Tensor& beta = supernet.beta(key).value;
    double top = -1e300, sum = 0.0;
    for (float v : beta.values()) top = std::max(top, static_cast<double>(v));
    for (float v : beta.values()) sum += std::exp(static_cast<double>(v) - top);
    for (std::int64_t i = 0; i < beta.numel(); ++i)
      values.set("beta/" + key + "/" + std::to_string(i),
                 std::exp(static_cast<double>(beta.data()[i]) - top) / sum);
  }
  return values;
}

// ---- the strategy --------------------------------------------------------------------------

WeightSharingStrategy::WeightSharingStrategy(const StrategyContext& context, std::string method,
                                             WeightSharingOptions options)
    : space_(context.space),
      method_(std::move(method)),
      options_(std::move(options)),
      seed_(context.seed),
      config_dir_(context.config_dir) {
  // The dataset is read now, so a wrong `dataset:` or `path:` is a config error at its key before
  // the run writes anything, not a failure inside the first ask().
  try {
    data_ = load_search_data(options_, config_dir_);
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& error) {
    const ConfigNode& node = context.options;
    if (!node.present()) throw;
    const ConfigNode at = node.has("path")      ? node.at("path")
                          : node.has("dataset") ? node.at("dataset")
                                                : node;
    at.fail(error.what());
  }
}

const SearchData& WeightSharingStrategy::data() {
  return *data_;
}

int WeightSharingStrategy::threads() const {
  return options_.threads > 0 ? options_.threads : current_thread_count();
}

GraphOptions WeightSharingStrategy::supernet_graph_options() {
  GraphOptions graph;
  graph.input = data().weights.sample_shape;
  graph.classes = data().weights.classes;
  graph.width = options_.width;
  graph.cells_per_stage = options_.cells_per_stage;
  graph.width_multiplier = options_.width_multiplier;
  return graph;
}

SupernetDescription WeightSharingStrategy::supernet_description() {
  return space_.supernet(supernet_graph_options());
}

std::unique_ptr<Supernet> WeightSharingStrategy::make_supernet(
    const SupernetDescription& description, std::uint64_t stream) {
  NetworkOptions network;
  network.seed = Rng(seed_).derive(0x7375706572 + stream).next_u64();  // "super"
  network.threads = threads();
  network.track_running_stats = options_.track_running_stats;
  return std::make_unique<Supernet>(description, network);
}

BatchStream WeightSharingStrategy::batches(const Dataset& dataset, std::uint64_t stream) {
  return BatchStream(dataset, data().normalization, options_.batch_size, options_.augment,
                     Rng(seed_).derive(0x62617463680000 + stream));  // "batch"
}

void WeightSharingStrategy::record_epoch(int epoch, Metrics values) {
  TANDEM_CHECK(epoch >= 1, "record_epoch: epochs are numbered from 1");
  log_.push_back(SearchLogEntry{epoch, std::move(values)});
}

std::vector<Candidate> WeightSharingStrategy::ask(std::size_t n) {
  if (!searched_) {
    std::vector<Candidate> derived = run_search();
    TANDEM_CHECK(!derived.empty(), method_ + ": the search derived no architecture");
    for (const Candidate& candidate : derived) space_.check(candidate);
    derived_ = std::move(derived);
    searched_ = true;
    Metrics result;
    result.set("derived/count", static_cast<double>(derived_.size()));
    for (std::size_t i = 0; i < derived_.size(); ++i)
      for (std::size_t d = 0; d < derived_[i].decisions.size(); ++d)
        result.set("derived/" + std::to_string(i) + "/" + std::to_string(d),
                   derived_[i].decisions[d]);
    log_.push_back(SearchLogEntry{0, std::move(result)});
  }
  std::vector<Candidate> out;
  while (out.size() < n && handed_ < derived_.size()) out.push_back(derived_[handed_++]);
  return out;
}

void WeightSharingStrategy::tell(const Candidate&, const TrialResult&) { ++told_; }

bool WeightSharingStrategy::finished() const { return searched_ && handed_ >= derived_.size(); }

std::string WeightSharingStrategy::state() const {
  std::string text = method_ + " searched=" + (searched_ ? "1" : "0") + " derived=";
  for (std::size_t i = 0; i < derived_.size(); ++i)
    text += (i ? ";" : "") + candidate_decisions(derived_[i]);
  return text + " handed=" + std::to_string(handed_) + " told=" + std::to_string(told_);
}

std::vector<SearchLogEntry> WeightSharingStrategy::take_search_log() {
  if (!searched_ || log_taken_) return {};
  log_taken_ = true;
  return log_;
}

bool WeightSharingStrategy::restore_search(const std::vector<SearchLogEntry>& log) {
  if (searched_) return false;
  const SearchLogEntry* result = nullptr;
  for (const SearchLogEntry& entry : log)
    if (entry.step == 0 && entry.values.has("derived/count")) result = &entry;
  if (!result) return false;
  // A log that is not what a finished search stores (a count or decision that is not a whole
  // number in range) restores nothing: the search runs again.
  auto whole = [](double value, double high) {
    return value >= 0.0 && value <= high && value == std::floor(value);
  };
  const double count = result->values.at("derived/count");
  if (!(count >= 1.0) || !whole(count, 1e6)) return false;
  std::vector<Candidate> derived(static_cast<std::size_t>(count));
  const std::size_t decisions = space_.decisions().size();
  for (std::size_t i = 0; i < derived.size(); ++i) {
    for (std::size_t d = 0; d < decisions; ++d) {
      auto value = result->values.find("derived/" + std::to_string(i) + "/" + std::to_string(d));
      if (!value || !whole(*value, static_cast<double>(std::numeric_limits<int>::max())))
        return false;
      derived[i].decisions.push_back(static_cast<int>(*value));
    }
    try {
      space_.check(derived[i]);
    } catch (const Error&) {
      return false;
    }
  }
  derived_ = std::move(derived);
  log_ = log;
  searched_ = true;
  log_taken_ = true;  // it is in the database already
  return true;
}

SgdOptions weight_sgd_options(const WeightSharingOptions& options) {
  SgdOptions sgd;
  sgd.learning_rate = options.lr;
  sgd.momentum = options.momentum;
  sgd.weight_decay = options.weight_decay;
  sgd.nesterov = options.nesterov;
  return sgd;
}

AdamOptions architecture_adam_options(const WeightSharingOptions& options) {
  AdamOptions adam;
  adam.learning_rate = options.arch_lr;
  adam.beta1 = options.arch_beta1;
  adam.beta2 = options.arch_beta2;
  adam.weight_decay = options.arch_weight_decay;
  return adam;
}

}  // namespace tandem
