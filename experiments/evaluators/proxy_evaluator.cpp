// Evaluator "proxy": scores each candidate with zero-cost proxies (predictors/zero_cost_proxies.hpp)
// and reports every proxy as a metric named after it (params, flops, grad_norm, snip, grasp,
// fisher, synflow, jacov, naswot). No training: one minibatch at initialisation.
//
// Options (docs/config.md, docs/proxies.md): proxies (required: a list or a comma-separated
// string), dataset (name or path; omit for the data-free params, flops, synflow), path,
// batch_size (64), input_shape [C, H, W] (default: the dataset's sample shape, else the space's),
// fit (resize | pad: how the batch is fitted to input_shape), normalize (true), width,
// cells_per_stage, width_multiplier, threads (0 = the trial's share).
//
// As the reference protocol requires, every candidate is scored with the same seed (the
// experiment's) and the same batch, so scores compare architectures, not initialisations. A proxy
// undefined for a network is reported as the reference computes it: jacov NaN (strategies treat a
// NaN metric as missing), naswot -inf.
#include <algorithm>
#include <optional>

#include "core/text.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "predictors/zero_cost_batch.hpp"
#include "trainers/dataset_reader.hpp"
#include "trainers/threading.hpp"

namespace tandem {
namespace {

struct ProxyEvaluatorOptions {
  std::vector<std::string> proxies;
  std::string dataset;  // "" = no data
  std::string path;
  TensorShape input;    // channels 0 = not given
  GraphOptions graph;   // width, cells_per_stage, width_multiplier (0 = the space's)
  ZeroCostOptions scoring;
  ZeroCostBatchOptions batching;
};

ProxyEvaluatorOptions read_options(const ConfigNode& options) {
  options.check_keys({"proxies", "dataset", "path", "batch_size", "input_shape", "fit",
                      "normalize", "width", "cells_per_stage", "width_multiplier", "threads"});
  ProxyEvaluatorOptions parsed;
  if (!options.has("proxies"))
    options.fail("missing key 'proxies': list the zero-cost proxies to report, from " +
                 join(zero_cost_proxy_names(), ", "));
  const ConfigNode list = options.at("proxies");
  for (const std::string& name : list.as_distinct_string_list("proxy")) {
    try {
      parsed.proxies.push_back(zero_cost_proxy(name).name);
    } catch (const ConfigError& error) {
      list.fail(error.what());
    }
  }
  if (parsed.proxies.empty()) list.fail("empty list: name at least one zero-cost proxy");
  parsed.dataset = options.get_string("dataset", "");
  parsed.path = options.get_string("path", "");
  if (!parsed.path.empty() && parsed.dataset.empty())
    options.at("path").fail("path needs a dataset name (or give the path as `dataset`)");
  if (parsed.dataset.empty())
    for (const std::string& name : parsed.proxies)
      if (zero_cost_proxy(name).needs_data)
        list.fail("proxy " + quoted(name) +
                  " needs a minibatch: add `dataset:` (e.g. digits, mnist); without data only "
                  "params, flops and synflow can be computed");
  parsed.batching.batch_size = static_cast<int>(options.get_int_in("batch_size", 64, 1, 100000));
  for (const std::string& name : parsed.proxies)
    if (parsed.batching.batch_size < zero_cost_proxy(name).min_batch)
      options.at("batch_size")
          .fail("batch_size " + std::to_string(parsed.batching.batch_size) + ": proxy " +
                quoted(name) + " compares samples and needs at least " +
                std::to_string(zero_cost_proxy(name).min_batch));
  parsed.batching.fit = options.get_choice("fit", "resize", {"resize", "pad"});
  parsed.batching.normalize = options.get_bool("normalize", true);
  if (ConfigNode shape = options.optional("input_shape"); shape.present()) {
    if (!shape.is_sequence() || shape.size() != 3)
      shape.fail("input_shape: expected [channels, height, width]");
    int* fields[3] = {&parsed.input.channels, &parsed.input.height, &parsed.input.width};
    for (std::size_t i = 0; i < 3; ++i) {
      const long long v = shape.element(i).as_int();
      if (v < 1 || v > 4096)
        shape.element(i).fail("input_shape entry " + std::to_string(v) + ": expected 1..4096");
      *fields[i] = static_cast<int>(v);
    }
  }
  parsed.graph.width = static_cast<int>(options.get_int_in("width", 0, 0, 100000));
  parsed.graph.cells_per_stage = static_cast<int>(options.get_int_in("cells_per_stage", 0, 0, 1000));
  const double multiplier = options.get_double("width_multiplier", 0.0);
  if (!(multiplier >= 0.0 && multiplier <= 100.0))
    options.at("width_multiplier").fail("width_multiplier: expected a multiplier in (0, 100]");
  parsed.graph.width_multiplier = multiplier;
  parsed.scoring.threads = static_cast<int>(options.get_int_in("threads", 0, 0, 1024));
  return parsed;
}

class ProxyEvaluator final : public Evaluator {
 public:
  ProxyEvaluator(const SearchSpace& space, ProxyEvaluatorOptions options, GraphOptions graph,
                 std::shared_ptr<const ZeroCostBatch> batch)
      : space_(space), options_(std::move(options)), graph_(graph), batch_(std::move(batch)) {}

  TrialResult evaluate(const Candidate& candidate, Reporter&) override {
    const ComputeGraph graph = space_.to_graph(candidate, graph_);
    ZeroCostOptions scoring = options_.scoring;
    if (scoring.threads == 0) scoring.threads = current_thread_count();
    ZeroCostScorer scorer(graph, scoring);
    return TrialResult::complete(scorer.score(options_.proxies, batch_.get()));
  }

  std::vector<std::string> metric_names() const override {
    std::vector<std::string> names = options_.proxies;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }

 private:
  const SearchSpace& space_;
  ProxyEvaluatorOptions options_;
  GraphOptions graph_;
  std::shared_ptr<const ZeroCostBatch> batch_;
};

}  // namespace

void register_proxy_evaluator(EvaluatorRegistry& registry) {
  registry.add(
      "proxy", "zero-cost",
      "zero-cost proxies at initialisation, no training: proxies (params, flops, grad_norm, snip, "
      "grasp, fisher, synflow, jacov, naswot), dataset, batch_size, input_shape; metrics named "
      "after the proxies",
      [](const EvaluatorContext& context) -> std::unique_ptr<Evaluator> {
        ProxyEvaluatorOptions options = read_options(context.options);
        options.scoring.seed = context.seed;
        options.batching.seed = context.seed;
        std::optional<Dataset> data;
        if (!options.dataset.empty()) {
          const ConfigNode& at =
              context.options.has("path") ? context.options.at("path") : context.options.at("dataset");
          try {
            data = load_dataset(options.dataset, options.path, context.config_dir).train;
          } catch (const ConfigError&) {
            throw;
          } catch (const Error& error) {
            at.fail(error.what());
          }
        }
        GraphOptions graph = zero_cost_graph_options(context.space, data ? &*data : nullptr,
                                                     options.input);
        if (options.graph.width > 0) graph.width = options.graph.width;
        if (options.graph.cells_per_stage > 0)
          graph.cells_per_stage = options.graph.cells_per_stage;
        if (options.graph.width_multiplier > 0.0)
          graph.width_multiplier = options.graph.width_multiplier;
        // Lower one candidate now so a space that cannot take the input fails at start.
        Rng rng(0);
        try {
          (void)context.space.to_graph(context.space.sample(rng), graph);
        } catch (const Error& error) {
          context.options.fail("space " + context.space.name() + " cannot take an input of shape " +
                               graph.input.to_string() + ": " + error.what());
        }
        std::shared_ptr<const ZeroCostBatch> batch;
        if (data) {
          try {
            batch = std::make_shared<const ZeroCostBatch>(
                make_zero_cost_batch(*data, graph.input, options.batching));
          } catch (const ConfigError& error) {
            context.options.at("dataset").fail(error.what());
          }
        }
        return std::make_unique<ProxyEvaluator>(context.space, std::move(options), graph,
                                                std::move(batch));
      });
}

}  // namespace tandem
