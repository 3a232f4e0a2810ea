// One supernet of a few-shot search: inheritance and per-epoch training by the base method (see
// fewshot_supernet.hpp). Sources: skhu101/GM-NAS WS-GM/nasbench201/train_search.py (child
// creation, train), quark0/darts cnn/train_search.py (the DARTS step).
#include "search/oneshot/fewshot/fewshot_supernet.hpp"

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "search/oneshot/darts/derivation.hpp"
#include "search/oneshot/single_path/path_codec.hpp"
#include "trainers/autograd.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/schedule.hpp"

namespace tandem {

const WeightSharingOptions& FewShotBase::common() const {
  if (method == "spos") return spos.common;
  if (method == "proxyless") return proxyless.common;
  return darts.common;
}

FewShotSupernet::FewShotSupernet(const SearchSpace& space, const FewShotBase& base)
    : space_(space), base_(base) {}

FewShotSupernet::FewShotSupernet(const SearchSpace& space, const SupernetDescription& description,
                                 const FewShotBase& base, std::uint64_t seed, int threads,
                                 bool track_running_stats, int schedule_epochs)
    : FewShotSupernet(space, base) {
  NetworkOptions network;
  network.seed = seed;
  network.threads = threads;
  network.track_running_stats = track_running_stats;
  supernet_ = std::make_unique<Supernet>(description, network);
  if (base_.method == "proxyless")
    proxyless_ = std::make_unique<ProxylessArchitect>(space, description, base_.proxyless);
  if (base_.method == "spos") spos_ = std::make_unique<SposTrainer>(space, description, base_.spos);
  schedule_epochs_ = std::max(1, schedule_epochs);
  make_optimizers();
}

FewShotSupernet::~FewShotSupernet() = default;

void FewShotSupernet::make_optimizers() {
  const WeightSharingOptions& o = base_.common();
  weights_ = std::make_unique<Sgd>(supernet_->weights(), weight_sgd_options(o));
  architecture_ = std::make_unique<Adam>(supernet_->architecture(), architecture_adam_options(o));
}

std::unique_ptr<FewShotSupernet> FewShotSupernet::child(const std::string& key,
                                                        const std::vector<int>& ops, bool restart,
                                                        std::uint64_t seed,
                                                        std::optional<int> schedule_epochs) const {
  SupernetDescription description = supernet_->description();
  bool found = false;
  for (MixedEdge& edge : description.edges)
    if (edge.alpha_key == key) {
      edge.allowed = ops;
      found = true;
    }
  TANDEM_CHECK(found, "few-shot split: no edge with alpha key '" + key + "'");
  NetworkOptions network;
  network.seed = seed;
  // the same threads / statistics tracking as the parent
  auto child = std::unique_ptr<FewShotSupernet>(new FewShotSupernet(space_, base_));
  const bool tracks = !supernet_->parameters().buffers().empty();
  network.track_running_stats = tracks;
  network.threads = supernet_->arena().threads();
  child->supernet_ = std::make_unique<Supernet>(description, network);
  child->make_optimizers();
  if (restart) {  // GM-NAS restart: fresh weights, optimizers and schedule
    if (proxyless_) child->proxyless_ = std::make_unique<ProxylessArchitect>(space_, description, base_.proxyless);
    child->schedule_epochs_ = std::max(1, schedule_epochs.value_or(schedule_epochs_));
  } else {  // inherit weights, α, BN statistics, optimizer states and the schedule position
    child->supernet_->copy_state_from(*supernet_);
    child->weights_->load_state(weights_->save_state());
    child->architecture_->load_state(architecture_->save_state());
    child->momentum_.clear();
    for (const Tensor& m : momentum_) child->momentum_.push_back(m.defined() ? m.clone() : Tensor());
    if (proxyless_) child->proxyless_ = std::make_unique<ProxylessArchitect>(*proxyless_);
    child->epoch_ = epoch_;
    child->schedule_epochs_ = schedule_epochs_;
  }
  if (spos_) child->spos_ = std::make_unique<SposTrainer>(space_, description, base_.spos);
  return child;
}

FewShotSupernet::EpochResult FewShotSupernet::train_epoch(BatchStream& train, BatchStream& valid,
                                                          bool update_architecture, Rng& rng) {
  Supernet& net = *supernet_;
  const WeightSharingOptions& o = base_.common();
  const CosineSchedule schedule(o.lr, schedule_epochs_, o.lr_min);  // per epoch, as GM-NAS
  const double lr = schedule.learning_rate(epoch_);
  weights_->set_learning_rate(lr);
  const std::int64_t steps = train.batches_per_pass();
  EpochResult result;
  double loss_sum = 0.0;
  for (std::int64_t s = 0; s < steps; ++s) {
    const BatchStream::Batch w_batch = train.next();
    if (base_.method == "spos") {
      loss_sum += spos_->weight_step(net, *weights_, w_batch, rng, o.grad_clip);
      continue;
    }
    if (base_.method == "proxyless") {
      loss_sum += proxyless_->weight_step(net, *weights_, w_batch, rng, o.grad_clip);
      if (update_architecture && (s + 1) % base_.proxyless.arch_update_every == 0)
        for (int j = 0; j < base_.proxyless.arch_update_steps; ++j, ++result.arch_steps)
          proxyless_->architecture_step(net, *architecture_, valid.next(), rng);
      continue;
    }
    // DARTS: α step (first or second order) and w step in the configured order
    const BatchStream::Batch a_batch = valid.next();
    net.set_mode(SupernetMode::weighted_sum);
    auto architecture_step = [&] {
      if (base_.darts.second_order) {
        UnrolledStep step;
        step.xi = lr;
        step.momentum = o.momentum;
        step.weight_decay = o.weight_decay;
        step.momentum_buffer = &momentum_;
        step.r = base_.darts.unrolled_r;
        unrolled_architecture_gradient(
            net, [&](Supernet& n) { return cross_entropy(n.forward(w_batch.images, true), w_batch.labels); },
            [&](Supernet& n) { return cross_entropy(n.forward(a_batch.images, true), a_batch.labels); },
            step);
      } else {
        net.zero_grad();
        backward(cross_entropy(net.forward(a_batch.images, true), a_batch.labels));
      }
      architecture_->step();
      ++result.arch_steps;
    };
    const bool arch_first = base_.darts.step_order == "arch_first";
    if (update_architecture && arch_first) architecture_step();
    net.zero_grad();
    Variable loss = cross_entropy(net.forward(w_batch.images, true), w_batch.labels);
    loss_sum += loss.value().item();
    backward(loss);
    const std::vector<Parameter*> weights = net.weights();
    if (o.grad_clip > 0.0) clip_grad_norm(weights, o.grad_clip);
    if (base_.darts.second_order && o.momentum > 0.0) {  // mirror PyTorch SGD's momentum buffer
      const bool first = momentum_.empty();
      if (first) momentum_.resize(weights.size());
      for (std::size_t i = 0; i < weights.size(); ++i) {
        if (!weights[i]->grad.defined()) continue;
        if (!momentum_[i].defined()) momentum_[i] = Tensor::zeros(weights[i]->value.shape());
        float* m = momentum_[i].data();
        const float* g = weights[i]->grad.data();
        const float* w = weights[i]->value.data();
        for (std::int64_t j = 0; j < weights[i]->value.numel(); ++j)
          m[j] = (first ? 0.0f : static_cast<float>(o.momentum) * m[j]) + g[j] +
                 static_cast<float>(o.weight_decay) * w[j];
      }
    }
    weights_->step();
    if (update_architecture && !arch_first) architecture_step();
  }
  ++epoch_;
  result.train_loss = loss_sum / static_cast<double>(std::max<std::int64_t>(1, steps));
  return result;
}

FewShotSupernet::Derived FewShotSupernet::derive(const Dataset& valid,
                                                 const Normalization& normalization,
                                                 BatchStream& bn, Rng& rng) {
  Supernet& net = *supernet_;
  const SupernetDescription& d = net.description();
  Derived derived;
  if (base_.method == "spos") {
    const auto scored = spos_->evolve(net, bn, valid, normalization, rng);
    TANDEM_CHECK(!scored.empty(), "few-shot spos: no legal path in sub-supernet " + describe());
    for (std::size_t i = 0; i < scored.size() && static_cast<int>(i) < base_.spos.top; ++i)
      derived.candidates.push_back(scored[i].candidate);
    derived.score = scored.front().accuracy;
    return derived;
  }
  if (base_.method == "proxyless") {
    const Candidate candidate = proxyless_->derive(net);
    PathCodec codec(space_, d);
    net.set_mode(SupernetMode::single_path);
    codec.set_path(net, candidate);
    derived.candidates = {candidate};
    derived.score = evaluate_supernet(net, valid, normalization).accuracy;
    return derived;
  }
  // DARTS: the masked softmax (0 outside the subsets), scored by the supernet's accuracy
  net.set_mode(SupernetMode::weighted_sum);
  std::map<std::string, std::vector<double>> weights;
  std::vector<std::vector<double>> per_edge;
  bool edge_decisions = true;
  for (std::size_t e = 0; e < d.edges.size(); ++e) {
    std::vector<double> w = net.edge_weights(e);
    std::vector<double> ranked = w;
    for (std::size_t k = 0; k < ranked.size(); ++k) {
      const auto allowed = net.allowed(e);
      const bool in_subset = std::find(allowed.begin(), allowed.end(), static_cast<int>(k)) != allowed.end();
      if (!in_subset || (base_.darts.exclude_none && d.edges[e].candidates[k].name == "none"))
        ranked[k] = -1.0;
    }
    per_edge.push_back(ranked);
    weights.emplace(d.edges[e].alpha_key, w);
    edge_decisions = edge_decisions && d.edges[e].decision >= 0;
  }
  if (edge_decisions) {
    derived.candidates = {candidate_from_edge_choices(space_, d, argmax_choices(per_edge))};
  } else {
    std::vector<std::string> op_names;
    for (const CandidateOp& op : d.edges.front().candidates) op_names.push_back(op.name);
    derived.candidates = {darts_genotype(space_, weights, op_names)};
  }
  derived.score = evaluate_supernet(net, valid, normalization).accuracy;
  return derived;
}

std::vector<std::string> FewShotSupernet::unsplit_keys() const {
  const SupernetDescription& d = supernet_->description();
  std::vector<std::string> keys, restricted;
  for (std::size_t e = 0; e < d.edges.size(); ++e) {
    const std::string& key = d.edges[e].alpha_key;
    if (supernet_->allowed(e).size() < d.edges[e].candidates.size()) restricted.push_back(key);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  std::erase_if(keys, [&](const std::string& key) {
    return std::find(restricted.begin(), restricted.end(), key) != restricted.end();
  });
  return keys;
}

bool FewShotSupernet::contains_architecture() const {
  std::optional<PathCodec> codec;
  try {
    codec.emplace(space_, supernet_->description());
  } catch (const ConfigError&) {
    return true;  // no single-path reading of this space: nothing to check against
  }
  try {
    codec->choices(*supernet_);
  } catch (const Error&) {
    return false;
  }
  return true;
}

std::string FewShotSupernet::describe() const {
  std::string text;
  const SupernetDescription& d = supernet_->description();
  std::vector<std::string> seen;
  for (std::size_t e = 0; e < d.edges.size(); ++e) {
    const std::string& key = d.edges[e].alpha_key;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    const auto allowed = supernet_->allowed(e);
    if (allowed.size() == d.edges[e].candidates.size()) continue;
    std::string ops;
    for (int k : allowed) ops += (ops.empty() ? "" : ",") + d.edges[e].candidates[static_cast<std::size_t>(k)].name;
    text += (text.empty() ? "" : " ") + key + ":{" + ops + "}";
  }
  return text.empty() ? "(whole supernet)" : text;
}

}  // namespace tandem
