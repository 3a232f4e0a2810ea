// The zero-cost proxy catalogue and ZeroCostScorer (see zero_cost_proxies.hpp): checks the request,
// runs the shared cross-entropy pass once and hands each proxy to its measure.
#include "predictors/zero_cost_proxies.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"
#include "predictors/zero_cost_measures.hpp"

namespace tandem {
namespace {

const char* const kZeroCostPaper =
    "Abdelfattah et al., Zero-Cost Proxies for Lightweight NAS, ICLR 2021; "
    "github.com/mohsaied/zero-cost-nas ";

}  // namespace

const std::vector<ZeroCostProxyInfo>& zero_cost_proxies() {
  static const std::vector<ZeroCostProxyInfo> proxies = {
      {"params", "NAS-Bench-201 / NASLib model statistics",
       "trainable parameters of the network (conv/linear weights and biases, batch-norm affine)",
       false, 1},
      {"flops", "NAS-Bench-201 (Dong & Yang, ICLR 2020) FLOPs column",
       "multiply-accumulates of the conv and linear layers for one input sample", false, 1},
      {"grad_norm", std::string(kZeroCostPaper) + "foresight/pruners/measures/grad_norm.py",
       "sum over conv/linear layers of the L2 norm of dLoss/dW", true, 1},
      {"snip",
       std::string(kZeroCostPaper) +
           "foresight/pruners/measures/snip.py (Lee et al., SNIP, ICLR 2019)",
       "sum of |W * dLoss/dW| over conv/linear weights", true, 1},
      {"grasp",
       std::string(kZeroCostPaper) +
           "foresight/pruners/measures/grasp.py (Wang et al., GraSP, ICLR 2020)",
       "-sum of W * (H g): the Hessian of the loss times its gradient g = dLoss/dW", true, 1},
      {"fisher",
       std::string(kZeroCostPaper) +
           "foresight/pruners/measures/fisher.py (Theis et al. 2018; Turner et al. 2020)",
       "per output channel 1/2 mean_n (sum_hw a * dLoss/da)^2, broadcast to the channel's weights",
       true, 1},
      {"synflow",
       std::string(kZeroCostPaper) +
           "foresight/pruners/measures/synflow.py (Tanaka et al., SynFlow, NeurIPS 2020)",
       "sum of |W * dR/dW| with |W|, no batch norm, an all-ones input and R = sum of the logits",
       false, 1},
      {"jacov",
       std::string(kZeroCostPaper) +
           "foresight/pruners/measures/jacob_cov.py (Mellor et al. 2020, arXiv:2006.04647v1)",
       "-sum [log(v + 1e-5) + 1/(v + 1e-5)] over eigenvalues v of the input-Jacobian correlations",
       true, 2},
      {"naswot",
       "Mellor et al., Neural Architecture Search without Training, ICML 2021; "
       "github.com/BayesWatch/nas-without-training score_networks.py (hook_logdet)",
       "log|det K| of the Hamming-similarity kernel of the samples' binary ReLU codes", true, 2},
  };
  return proxies;
}

std::vector<std::string> zero_cost_proxy_names() {
  std::vector<std::string> names;
  for (const auto& proxy : zero_cost_proxies()) names.push_back(proxy.name);
  return names;
}

const ZeroCostProxyInfo& zero_cost_proxy(const std::string& name) {
  for (const auto& proxy : zero_cost_proxies())
    if (proxy.name == name) return proxy;
  const auto names = zero_cost_proxy_names();
  throw ConfigError("unknown zero-cost proxy " + quoted(name) + did_you_mean(name, names) +
                    "; accepted: " + join(names, ", "));
}

void ZeroCostOptions::validate() const {
  if (threads < 0)
    throw ConfigError("threads " + std::to_string(threads) + ": expected >= 0 (0 = all cores)");
}

struct ZeroCostScorer::State {
  State(const ComputeGraph& g, const ZeroCostOptions& o)
      : graph(g), options(o), network(g, {o.seed, o.threads, /*remove_batch_norm=*/false}) {}
  ComputeGraph graph;
  ZeroCostOptions options;
  ZeroCostNetwork network;  // batch norm kept; holds the initial weights
};

ZeroCostScorer::ZeroCostScorer(const ComputeGraph& graph, ZeroCostOptions options) {
  options.validate();
  state_ = std::make_unique<State>(graph, options);
}

ZeroCostScorer::~ZeroCostScorer() = default;

ParameterSet& ZeroCostScorer::parameters() { return state_->network.parameters(); }

namespace {

void check_batch(const ComputeGraph& graph, const std::vector<std::string>& proxies,
                 const ZeroCostBatch* batch) {
  int min_batch = 0;
  std::string needs;  // the proxy with the largest minimum batch
  for (const auto& name : proxies) {
    const ZeroCostProxyInfo& info = zero_cost_proxy(name);
    if (info.needs_data && info.min_batch > min_batch) {
      min_batch = info.min_batch;
      needs = name;
    }
  }
  if (min_batch == 0) return;
  if (!batch || !batch->images.defined())
    throw ConfigError("zero-cost proxy " + quoted(needs) +
                      " needs a minibatch of data (give a dataset); only params, flops and "
                      "synflow work without data");
  const TensorShape in = graph.layer(graph.inputs().at(0)).output;
  const Tensor& images = batch->images;
  if (!(images.dim() == 4 && images.size(1) == in.channels && images.size(2) == in.height &&
        images.size(3) == in.width))
    throw ConfigError("zero-cost proxies: batch of shape " + shape_to_string(images.shape()) +
                      " does not match the network input Nx" + in.to_string());
  const std::int64_t n = images.size(0);
  if (n < min_batch)
    throw ConfigError("zero-cost proxy " + quoted(needs) + " needs a batch of at least " +
                      std::to_string(min_batch) + " samples (it compares samples), got " +
                      std::to_string(n));
  if (static_cast<std::int64_t>(batch->labels.size()) != n)
    throw ConfigError("zero-cost proxies: " + std::to_string(batch->labels.size()) +
                      " labels for a batch of " + std::to_string(n));
  std::vector<LayerId> outputs = graph.outputs();
  const LayerId out = outputs.empty() ? graph.size() - 1 : outputs.front();
  const std::int64_t classes = graph.layer(out).output.elements();
  for (int label : batch->labels)
    if (label < 0 || label >= classes)
      throw ConfigError("zero-cost proxies: label " + std::to_string(label) +
                        " outside the network's " + std::to_string(classes) + " classes");
}

bool wants(const std::vector<std::string>& proxies, const char* name) {
  return std::find(proxies.begin(), proxies.end(), name) != proxies.end();
}

}  // namespace

Metrics ZeroCostScorer::score(const std::vector<std::string>& proxies, const ZeroCostBatch* batch) {
  check_batch(state_->graph, proxies, batch);
  ZeroCostNetwork& network = state_->network;
  Metrics scores;
  if (wants(proxies, "params"))
    scores.set("params", static_cast<double>(state_->graph.total_params()));
  if (wants(proxies, "flops")) scores.set("flops", static_cast<double>(state_->graph.total_macs()));
  if (wants(proxies, "grad_norm") || wants(proxies, "snip") || wants(proxies, "fisher") ||
      wants(proxies, "grasp")) {
    const LossGradients gradients = loss_gradients(network, *batch);
    if (wants(proxies, "grad_norm")) scores.set("grad_norm", grad_norm_score(network, gradients));
    if (wants(proxies, "snip")) scores.set("snip", snip_score(network, gradients));
    if (wants(proxies, "fisher")) scores.set("fisher", fisher_score(gradients));
    if (wants(proxies, "grasp"))
      scores.set("grasp", grasp_score(state_->graph, network, *batch, gradients));
  }
  if (wants(proxies, "synflow"))
    scores.set("synflow", synflow_score(state_->graph, network.parameters(), state_->options));
  if (wants(proxies, "jacov")) scores.set("jacov", jacov_score(network, *batch));
  if (wants(proxies, "naswot")) scores.set("naswot", naswot_score(network, *batch));
  network.parameters().zero_grad();
  return scores;
}

double ZeroCostScorer::score_one(const std::string& proxy, const ZeroCostBatch* batch) {
  return score(std::vector<std::string>{proxy}, batch).at(proxy);
}

}  // namespace tandem
