// Supernet built from a SupernetDescription: mixed edges in weighted-sum (DARTS), partial
// channel (PC-DARTS), single-path (SPOS / ProxylessNAS weight step), binary-gate and two-path
// (ProxylessNAS arch step, mit-han-lab/proxylessnas search/modules/mix_op.py) modes, with
// restricted candidate subsets (see supernet.hpp).
#include "trainers/supernet.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "trainers/init.hpp"

namespace tandem {

namespace {
TensorShape graph_input_shape(const ComputeGraph& graph, const std::string& where) {
  const auto inputs = graph.inputs();
  TANDEM_CHECK(inputs.size() == 1, where + ": a candidate graph must have exactly one input");
  return graph.layer(inputs[0]).output;
}

TensorShape graph_output_shape(const ComputeGraph& graph) {
  if (!graph.outputs().empty()) return graph.layer(graph.outputs().front()).output;
  return graph.layer(graph.size() - 1).output;
}

bool graph_outputs_zero(const ComputeGraph& graph) {
  const LayerId out = graph.outputs().empty() ? graph.size() - 1 : graph.outputs().front();
  return graph.layer(out).kind == OpKind::zero;
}

// Index drawn from the probabilities p restricted to `subset` (p sums to 1 over it).
int draw(const std::vector<double>& p, const std::vector<int>& subset, Rng& rng) {
  double total = 0.0;
  for (int k : subset) total += p[static_cast<std::size_t>(k)];
  double u = rng.uniform() * total;
  for (int k : subset) {
    if (u < p[static_cast<std::size_t>(k)]) return k;
    u -= p[static_cast<std::size_t>(k)];
  }
  return subset.back();
}
}  // namespace

Supernet::Supernet(const SupernetDescription& description, NetworkOptions options)
    : description_(description), options_(options), rng_(options.seed) {
  const ComputeGraph& skeleton = description_.skeleton;
  TANDEM_CHECK(skeleton.inputs().size() == 1, "Supernet: the skeleton must have one input");
  Rng init_rng = rng_.derive(1);
  Rng alpha_rng = rng_.derive(2);
  std::vector<LayerId> placeholders;
  for (std::size_t e = 0; e < description_.edges.size(); ++e) {
    const MixedEdge& edge = description_.edges[e];
    TANDEM_CHECK(edge.placeholder < skeleton.size(),
                 "Supernet: edge " + std::to_string(e) + " names a placeholder outside the skeleton");
    const Layer& layer = skeleton.layer(edge.placeholder);
    const std::string where = "Supernet edge '" + layer.name + "'";
    TANDEM_CHECK(layer.inputs.size() == 1, where + ": a placeholder must have one input");
    TANDEM_CHECK(edge_of_placeholder_.emplace(edge.placeholder, e).second,
                 where + ": two edges share the placeholder");
    TANDEM_CHECK(!edge.candidates.empty(), where + ": no candidate ops");
    TANDEM_CHECK(!edge.alpha_key.empty(), where + ": alpha_key is empty");
    TANDEM_CHECK(edge.partial_channels >= 1, where + ": partial_channels must be >= 1");
    placeholders.push_back(edge.placeholder);
    TensorShape in = skeleton.input_shape(edge.placeholder);
    TensorShape out = layer.output;
    if (edge.partial_channels > 1) {
      TANDEM_CHECK(in.channels % edge.partial_channels == 0 && in.channels == out.channels,
                   where + ": partial channels need C_in == C_out divisible by K = " +
                       std::to_string(edge.partial_channels));
      in.channels /= edge.partial_channels;
      out.channels /= edge.partial_channels;
    }
    std::vector<std::unique_ptr<GraphModule>> modules;
    for (const CandidateOp& op : edge.candidates) {
      const std::string op_where = where + " candidate '" + op.name + "'";
      TANDEM_CHECK(graph_input_shape(op.graph, op_where) == in,
                   op_where + ": input " + graph_input_shape(op.graph, op_where).to_string() +
                       " differs from the edge input " + in.to_string());
      TANDEM_CHECK(graph_output_shape(op.graph) == out,
                   op_where + ": output " + graph_output_shape(op.graph).to_string() +
                       " differs from the edge output " + out.to_string());
      modules.push_back(std::make_unique<GraphModule>(
          op.graph, parameters_, init_rng, options_, layer.name + "/" + op.name + "/"));
    }
    candidates_.push_back(std::move(modules));
    std::vector<bool> zero;
    for (const CandidateOp& op : edge.candidates) zero.push_back(graph_outputs_zero(op.graph));
    zero_candidate_.push_back(std::move(zero));
    const int k = static_cast<int>(edge.candidates.size());
    auto found = alphas_.find(edge.alpha_key);
    if (found == alphas_.end()) {
      Tensor alpha = Tensor::empty({k});
      fill_normal(alpha, 0.0, 1e-3, alpha_rng);  // DARTS / AutoDL: 1e-3 * randn
      alphas_[edge.alpha_key] =
          &parameters_.add("alpha/" + edge.alpha_key, alpha, ParameterRole::architecture);
    } else {
      TANDEM_CHECK(found->second->value.numel() == k,
                   where + ": alpha key '" + edge.alpha_key + "' is shared by edges with " +
                       std::to_string(found->second->value.numel()) + " and " +
                       std::to_string(k) + " candidates");
    }
    active_.push_back(0);
    last_selected_.push_back(-1);
    set_allowed(e, edge.allowed);
  }
  // beta groups: size = largest index + 1
  std::map<std::string, int> beta_sizes;
  for (const MixedEdge& edge : description_.edges)
    if (!edge.beta_key.empty()) {
      TANDEM_CHECK(edge.beta_index >= 0, "Supernet: negative beta_index");
      beta_sizes[edge.beta_key] = std::max(beta_sizes[edge.beta_key], edge.beta_index + 1);
    }
  for (const auto& [key, size] : beta_sizes) {
    Tensor beta = Tensor::empty({size});
    fill_normal(beta, 0.0, 1e-3, alpha_rng);
    betas_[key] = &parameters_.add("beta/" + key, beta, ParameterRole::architecture);
  }
  skeleton_ = std::make_unique<GraphModule>(skeleton, parameters_, init_rng, options_, "",
                                            placeholders);
  arena_ = std::make_unique<ThreadArena>(options.threads);
  tape_ = std::make_unique<Tape>();
  tape_->set_arena(arena_.get());
}

Supernet::~Supernet() = default;

void Supernet::set_allowed(std::size_t edge, std::vector<int> allowed) {
  TANDEM_CHECK(edge < description_.edges.size(), "Supernet: no edge " + std::to_string(edge));
  const int k = static_cast<int>(description_.edges[edge].candidates.size());
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  for (int a : allowed)
    TANDEM_CHECK(a >= 0 && a < k, "Supernet: allowed candidate " + std::to_string(a) +
                                      " outside 0.." + std::to_string(k - 1));
  description_.edges[edge].allowed = allowed;
  const auto subset = allowed_of(edge);
  if (std::find(subset.begin(), subset.end(), active_[edge]) == subset.end())
    active_[edge] = subset.front();
}

std::vector<int> Supernet::allowed_of(std::size_t edge) const {
  const MixedEdge& e = description_.edges[edge];
  if (!e.allowed.empty()) return e.allowed;
  std::vector<int> all(e.candidates.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  return all;
}

void Supernet::set_active(std::size_t edge, int candidate) {
  TANDEM_CHECK(edge < active_.size(), "Supernet: no edge " + std::to_string(edge));
  const auto subset = allowed_of(edge);
  TANDEM_CHECK(std::find(subset.begin(), subset.end(), candidate) != subset.end(),
               "Supernet: candidate " + std::to_string(candidate) + " is not allowed on edge " +
                   std::to_string(edge));
  active_[edge] = candidate;
}

void Supernet::sample_active(Rng& rng, bool from_alpha) {
  for (std::size_t e = 0; e < active_.size(); ++e) {
    const auto subset = allowed_of(e);
    if (!from_alpha) {
      active_[e] = subset[rng.uniform_index(subset.size())];
      continue;
    }
    const std::vector<double> p = edge_weights(e);
    double u = rng.uniform();
    int chosen = subset.back();
    for (int k : subset) {
      if (u < p[static_cast<std::size_t>(k)]) {
        chosen = k;
        break;
      }
      u -= p[static_cast<std::size_t>(k)];
    }
    active_[e] = chosen;
  }
}

namespace {
// The edges of every alpha key, in edge order.
std::map<std::string, std::vector<std::size_t>> edges_by_key(const SupernetDescription& d) {
  std::map<std::string, std::vector<std::size_t>> by_key;
  for (std::size_t e = 0; e < d.edges.size(); ++e) by_key[d.edges[e].alpha_key].push_back(e);
  return by_key;
}
}  // namespace

void Supernet::sample_paths(Rng& rng, bool from_alpha) {
  for (const auto& [key, edges] : edges_by_key(description_)) {
    const auto subset = allowed_of(edges.front());
    for (std::size_t e : edges)
      TANDEM_CHECK(allowed_of(e) == subset, "Supernet: edges of alpha key '" + key +
                                                "' have different allowed subsets");
    const int chosen = from_alpha ? draw(edge_weights(edges.front()), subset, rng)
                                  : subset[rng.uniform_index(subset.size())];
    for (std::size_t e : edges) active_[e] = chosen;
  }
}

void Supernet::sample_path_pairs(Rng& rng) {
  pairs_.clear();
  for (const auto& [key, edges] : edges_by_key(description_)) {
    const auto subset = allowed_of(edges.front());
    for (std::size_t e : edges)
      TANDEM_CHECK(allowed_of(e) == subset, "Supernet: edges of alpha key '" + key +
                                                "' have different allowed subsets");
    PathPair pair;
    if (subset.size() == 1) {
      pair.active = subset.front();
    } else {
      // torch.multinomial(probs, 2, replacement=False): the second draw excludes the first.
      const std::vector<double> p = edge_weights(edges.front());
      const int first = draw(p, subset, rng);
      std::vector<int> rest;
      for (int k : subset)
        if (k != first) rest.push_back(k);
      const int second = draw(p, rest, rng);
      // active ~ softmax(alpha_first, alpha_second) = p renormalised over the pair
      const double q_first = p[static_cast<std::size_t>(first)] /
                             (p[static_cast<std::size_t>(first)] + p[static_cast<std::size_t>(second)]);
      const bool first_active = rng.uniform() < q_first;
      pair.active = first_active ? first : second;
      pair.inactive = first_active ? second : first;
    }
    pairs_[key] = pair;
    for (std::size_t e : edges) active_[e] = pair.active;
  }
}

const PathPair& Supernet::path_pair(const std::string& key) const {
  auto found = pairs_.find(key);
  TANDEM_CHECK(found != pairs_.end(),
               "Supernet: no path pair for alpha key '" + key + "' (call sample_path_pairs)");
  return found->second;
}

bool Supernet::is_zero_candidate(std::size_t edge, int candidate) const {
  TANDEM_CHECK(edge < zero_candidate_.size(), "Supernet: no edge " + std::to_string(edge));
  return zero_candidate_[edge].at(static_cast<std::size_t>(candidate));
}

std::vector<std::string> Supernet::drop_zero_path_gradients() {
  std::vector<std::string> dropped;
  for (const auto& [key, edges] : edges_by_key(description_)) {
    bool all_zero = true;
    for (std::size_t e : edges) all_zero = all_zero && zero_candidate_[e][static_cast<std::size_t>(active_[e])];
    if (!all_zero) continue;
    alpha(key).grad = Tensor();
    dropped.push_back(key);
  }
  return dropped;
}

std::map<std::string, std::vector<float>> Supernet::alpha_snapshot() const {
  std::map<std::string, std::vector<float>> snapshot;
  for (const auto& [key, p] : alphas_) snapshot[key] = p->value.to_vector();
  return snapshot;
}

void Supernet::rescale_path_pairs(const std::map<std::string, std::vector<float>>& alpha_before,
                                  const std::vector<std::string>& dropped) {
  for (const auto& [key, pair] : pairs_) {
    if (pair.inactive < 0) continue;
    if (std::find(dropped.begin(), dropped.end(), key) != dropped.end()) continue;
    auto before = alpha_before.find(key);
    TANDEM_CHECK(before != alpha_before.end(), "Supernet: no alpha snapshot for key '" + key + "'");
    float* a = alpha(key).value.data();
    const auto i = static_cast<std::size_t>(pair.active), j = static_cast<std::size_t>(pair.inactive);
    auto log_sum_exp = [](double x, double y) {
      const double top = std::max(x, y);
      return top + std::log(std::exp(x - top) + std::exp(y - top));
    };
    const double offset = log_sum_exp(a[i], a[j]) - log_sum_exp(before->second[i], before->second[j]);
    a[i] = static_cast<float>(a[i] - offset);
    a[j] = static_cast<float>(a[j] - offset);
  }
}

void Supernet::reset_running_statistics() {
  for (Buffer* b : parameters_.buffers()) {
    const bool is_var = b->name.ends_with(".running_var");
    b->value.fill(is_var ? 1.0f : 0.0f);
  }
}

void Supernet::recalibrate_batch_norm(const std::vector<Tensor>& batches, bool cumulative) {
  const std::vector<Buffer*> buffers = parameters_.buffers();
  if (!cumulative) {
    for (const Tensor& batch : batches) {
      forward(batch, /*training=*/true);
      tape_->clear();
    }
    return;
  }
  const double momentum = options_.bn_momentum;
  TANDEM_CHECK(momentum > 0.0, "Supernet: cumulative BN recalibration needs bn_momentum > 0");
  // With the buffer zeroed before a batch, the EMA update leaves momentum * (batch statistic).
  std::vector<std::vector<double>> average(buffers.size());
  for (std::size_t i = 0; i < buffers.size(); ++i)
    average[i].assign(static_cast<std::size_t>(buffers[i]->value.numel()), 0.0);
  int seen = 0;
  for (const Tensor& batch : batches) {
    for (Buffer* b : buffers) b->value.fill(0.0f);
    forward(batch, /*training=*/true);
    tape_->clear();
    ++seen;
    for (std::size_t i = 0; i < buffers.size(); ++i) {
      const float* v = buffers[i]->value.data();
      for (std::size_t k = 0; k < average[i].size(); ++k)
        average[i][k] += (v[k] / momentum - average[i][k]) / seen;
    }
  }
  if (seen == 0) return;
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    float* v = buffers[i]->value.data();
    for (std::size_t k = 0; k < average[i].size(); ++k) v[k] = static_cast<float>(average[i][k]);
  }
}

std::vector<Parameter*> Supernet::shared_weights(const std::string& excluded_key) {
  TANDEM_CHECK(alphas_.count(excluded_key) > 0, "Supernet: no alpha key '" + excluded_key + "'");
  const ComputeGraph& g = description_.skeleton;
  const std::vector<LayerId> order = g.topological_order();
  std::vector<bool> after(g.size(), false), before(g.size(), false);
  for (LayerId id : order)  // descendants of some placeholder
    for (LayerId in : g.layer(id).inputs)
      if (after[in] || edge_of_placeholder_.count(in)) after[id] = true;
  for (auto it = order.rbegin(); it != order.rend(); ++it)  // ancestors of some placeholder
    for (LayerId consumer : g.consumers(*it))
      if (before[consumer] || edge_of_placeholder_.count(consumer)) before[*it] = true;
  std::vector<Parameter*> shared;
  for (LayerId id : order) {
    if (!after[id] || !before[id] || edge_of_placeholder_.count(id)) continue;
    for (const char* suffix : {".weight", ".bias"})
      if (Parameter* p = parameters_.find(g.layer(id).name + suffix);
          p && p->role == ParameterRole::weight)
        shared.push_back(p);
  }
  std::vector<std::string> prefixes;
  for (const MixedEdge& edge : description_.edges)
    if (edge.alpha_key != excluded_key) prefixes.push_back(g.layer(edge.placeholder).name + "/");
  for (Parameter* p : parameters_.weights())
    for (const std::string& prefix : prefixes)
      if (p->name.starts_with(prefix)) {
        shared.push_back(p);
        break;
      }
  return shared;
}

void Supernet::copy_state_from(Supernet& other) {
  for (Parameter* source : other.parameters_.all()) {
    Parameter* target = parameters_.find(source->name);
    TANDEM_CHECK(target && target->value.shape() == source->value.shape(),
                 "Supernet::copy_state_from: parameter '" + source->name +
                     "' is missing or has another shape");
    target->value.copy_from(source->value);
  }
  for (Buffer* source : other.parameters_.buffers()) {
    Buffer* target = parameters_.find_buffer(source->name);
    TANDEM_CHECK(target && target->value.shape() == source->value.shape(),
                 "Supernet::copy_state_from: buffer '" + source->name +
                     "' is missing or has another shape");
    target->value.copy_from(source->value);
  }
}

Parameter& Supernet::alpha(const std::string& key) {
  auto found = alphas_.find(key);
  TANDEM_CHECK(found != alphas_.end(), "Supernet: no alpha key '" + key + "'");
  return *found->second;
}

Parameter& Supernet::beta(const std::string& key) {
  auto found = betas_.find(key);
  TANDEM_CHECK(found != betas_.end(), "Supernet: no beta key '" + key + "'");
  return *found->second;
}

std::vector<std::string> Supernet::alpha_keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, p] : alphas_) keys.push_back(key);
  return keys;
}

std::vector<double> Supernet::edge_weights(std::size_t edge) {
  TANDEM_CHECK(edge < active_.size(), "Supernet: no edge " + std::to_string(edge));
  const Tensor& a = alpha(description_.edges[edge].alpha_key).value;
  const auto subset = allowed_of(edge);
  double top = -1e300;
  for (int k : subset) top = std::max(top, static_cast<double>(a.data()[k]));
  std::vector<double> p(static_cast<std::size_t>(a.numel()), 0.0);
  double sum = 0.0;
  for (int k : subset) sum += p[static_cast<std::size_t>(k)] = std::exp(a.data()[k] - top);
  for (double& v : p) v /= sum;
  return p;
}

std::vector<int> Supernet::derive() const {
  std::vector<int> choice;
  for (std::size_t e = 0; e < description_.edges.size(); ++e) {
    const Tensor& a = alphas_.at(description_.edges[e].alpha_key)->value;
    int best = -1;
    for (int k : allowed_of(e))
      if (best < 0 || a.data()[k] > a.data()[best]) best = k;
    choice.push_back(best);
  }
  return choice;
}

Variable Supernet::forward(const Tensor& input, bool training) {
  check_input_shape(input, description_.skeleton.layer(description_.skeleton.inputs()[0]).output,
                    "Supernet::forward");
  tape_->clear();
  alpha_vars_.clear();
  beta_vars_.clear();
  weight_vars_.clear();
  Variable result;
  arena_->execute([&] {
    Variable x = tape_->constant(input);
    result = skeleton_
                 ->apply(tape_.get(), {x}, training, rng_,
                         [&](LayerId id, const Variable& in) {
                           return apply_edge(edge_of_placeholder_.at(id), in, training);
                         })
                 .front();
  });
  return result;
}

Variable Supernet::apply_edge(std::size_t e, const Variable& x, bool training) {
  const MixedEdge& edge = description_.edges[e];
  const int k_partial = edge.partial_channels;
  const auto subset = allowed_of(e);
  Variable in = x, rest;
  if (k_partial > 1) {
    const int channels = static_cast<int>(x.shape()[1]);
    in = channel_slice(x, 0, channels / k_partial);
    rest = channel_slice(x, channels / k_partial, channels);
  }
  auto run = [&](int k) {
    return candidates_[e][static_cast<std::size_t>(k)]
        ->apply(tape_.get(), {in}, training, rng_)
        .front();
  };
  auto alpha_var = [&]() -> Variable {
    auto found = alpha_vars_.find(edge.alpha_key);
    if (found != alpha_vars_.end()) return found->second;
    Variable v = tape_->parameter(*alphas_.at(edge.alpha_key));
    alpha_vars_[edge.alpha_key] = v;
    return v;
  };
  // the mixing weights: the edge weight function's, once per key, or softmax over the subset
  auto mixing_weights = [&]() -> Variable {
    if (!edge_weight_function_) return softmax(alpha_var(), subset);
    auto found = weight_vars_.find(edge.alpha_key);
    if (found != weight_vars_.end()) return found->second;
    std::vector<int> key_subset = subset;
    for (std::size_t other = 0; other < description_.edges.size(); ++other)
      if (description_.edges[other].alpha_key == edge.alpha_key) {
        key_subset = allowed_of(other);
        break;
      }
    Variable w = edge_weight_function_(edge.alpha_key, alpha_var(), key_subset);
    weight_vars_[edge.alpha_key] = w;
    return w;
  };
  Variable y;
  if (mode_ == SupernetMode::single_path) {
    y = run(active_[e]);
  } else if (mode_ == SupernetMode::two_path) {
    const PathPair& pair = path_pair(edge.alpha_key);
    if (pair.inactive < 0) {
      y = run(pair.active);
    } else {
      OpAttributes a;
      a.index = pair.active;
      a.allowed = {std::min(pair.active, pair.inactive), std::max(pair.active, pair.inactive)};
      Variable gates = tandem::apply(Op::binary_gate, {alpha_var()}, std::move(a));
      // the inactive op runs outside the tape: its output is a constant (detached) whose only
      // role is dL/dg_inactive = <op_inactive(x), dL/dy>
      Tensor inactive = candidates_[e][static_cast<std::size_t>(pair.inactive)]
                            ->apply(nullptr, {Variable(in.value())}, training, rng_)
                            .front()
                            .value();
      y = add({scale(run(pair.active), gates, pair.active),
               scale(tape_->constant(inactive), gates, pair.inactive)});
    }
  } else if (mode_ == SupernetMode::hard_weights) {
    Variable weights = mixing_weights();
    const float* w = weights.value().data();
    int selected = subset.front();
    for (int k : subset)
      if (w[k] > w[selected]) selected = k;
    last_selected_[e] = selected;
    y = scale(run(selected), weights, selected);
    if (unselected_gradient_) {
      std::vector<Variable> terms = {y};
      const Variable ones = tape_->constant(Tensor::full(y.shape(), 1.0f));
      for (int k : subset)
        if (k != selected) terms.push_back(scale(ones, weights, k));
      y = add(terms);
    }
  } else {
    Variable weights;
    if (mode_ == SupernetMode::binary_gates) {
      OpAttributes a;
      a.index = active_[e];
      a.allowed = subset;
      weights = tandem::apply(Op::binary_gate, {alpha_var()}, std::move(a));
    } else {
      weights = mixing_weights();
    }
    std::vector<Variable> terms;
    for (int k : subset) terms.push_back(scale(run(k), weights, k));
    y = add(terms);
  }
  if (k_partial > 1) {
    Variable bypass = rest;
    if (y.shape()[2] != x.shape()[2] || y.shape()[3] != x.shape()[3]) {
      bypass = max_pool2d(rest, {2, 2, 0, true});
    }
    y = channel_shuffle(concat({y, bypass}), k_partial);
  }
  if (!edge.beta_key.empty()) {
    auto found = beta_vars_.find(edge.beta_key);
    Variable bw;
    if (found != beta_vars_.end()) {
      bw = found->second;
    } else {
      bw = softmax(tape_->parameter(*betas_.at(edge.beta_key)));
      beta_vars_[edge.beta_key] = bw;
    }
    y = scale(y, bw, edge.beta_index);
  }
  return y;
}

}  // namespace tandem
