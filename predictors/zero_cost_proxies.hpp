// Zero-cost proxies: scores of an untrained network, from one minibatch at initialisation, that
// rank architectures without training them. Sources (docs/proxies.md has the details):
//   params, flops  counts of the ComputeGraph (trainable parameters; multiply-accumulates at
//                  batch 1, NAS-Bench-201's "FLOPs" convention)
//   grad_norm, snip, grasp, fisher, synflow
//                  Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", ICLR 2021;
//                  official code mohsaied/zero-cost-nas (SamsungLabs), foresight/pruners/
//                  measures/{grad_norm,snip,grasp,fisher,synflow}.py and predictive.py (as
//                  vendored in automl/NASLib, naslib/predictors/utils/pruners/)
//   jacov          the same repository, measures/jacob_cov.py (Mellor et al. 2020, v1)
//   naswot         Mellor et al., "Neural Architecture Search without Training", ICML 2021;
//                  official code BayesWatch/nas-without-training, score_networks.py (hook_logdet)
//
// Protocol (the reference's): the network is at its initialisation (PyTorch defaults, from
// `seed`), in training mode (batch norm uses batch statistics), the loss is the mean cross-entropy,
// every proxy starts from the same weights and the same batch, and per-weight scores are summed
// over the weights of every conv2d and linear layer (biases and batch norm excluded).
//
//   ZeroCostScorer scorer(graph, {.seed = 0});
//   Metrics scores = scorer.score({"synflow", "snip", "naswot"}, &batch);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/compute_graph.hpp"
#include "core/trial.hpp"
#include "trainers/parameters.hpp"
#include "trainers/tensor.hpp"

namespace tandem {

struct ZeroCostProxyInfo {
  std::string name;
  std::string citation;     // paper; official code repository and file
  std::string description;  // one line: what it computes
  bool needs_data = true;   // false: params, flops, synflow (no minibatch needed)
  int min_batch = 1;        // jacov and naswot compare samples: at least 2
};

// Every proxy, in the order `tandem proxy` prints them.
const std::vector<ZeroCostProxyInfo>& zero_cost_proxies();
std::vector<std::string> zero_cost_proxy_names();
// The proxy called `name`; ConfigError "unknown zero-cost proxy 'x' (did you mean 'y'?); accepted:
// ..." otherwise.
const ZeroCostProxyInfo& zero_cost_proxy(const std::string& name);

struct ZeroCostOptions {
  std::uint64_t seed = 0;  // weight initialisation (the same for every proxy)
  int threads = 1;         // oneTBB arena size; 0 = all hardware threads

  // Throws ConfigError naming the bad field.
  void validate() const;
};

// One minibatch: images [N, C, H, W] (already normalised, shaped like the graph input) and N
// labels in [0, classes).
struct ZeroCostBatch {
  Tensor images;
  std::vector<int> labels;
};

class ZeroCostScorer {
 public:
  ZeroCostScorer(const ComputeGraph& graph, ZeroCostOptions options = {});
  ~ZeroCostScorer();
  ZeroCostScorer(const ZeroCostScorer&) = delete;
  ZeroCostScorer& operator=(const ZeroCostScorer&) = delete;

  // The initial weights every proxy starts from (named as trainers::Network names them);
  // overwrite them to score a network with given weights.
  ParameterSet& parameters();

  // Scores the named proxies. `batch` may be null when none of them needs data. Throws
  // ConfigError for an unknown name, a missing batch, a batch smaller than a proxy's min_batch,
  // a batch whose shape differs from the graph input, or labels outside [0, classes).
  // A proxy that is undefined for this network is NaN or -inf, as in the reference (jacov: NaN
  // when a sample's input gradient is constant; naswot: -inf when the kernel is singular).
  Metrics score(const std::vector<std::string>& proxies, const ZeroCostBatch* batch);
  double score_one(const std::string& proxy, const ZeroCostBatch* batch);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tandem
