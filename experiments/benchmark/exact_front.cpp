// The exact Pareto front of a joint space by decomposed enumeration (see exact_front.hpp).
#include "experiments/benchmark/exact_front.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>

#include "core/error.hpp"
#include "experiments/benchmark/front_sweep.hpp"
#include "experiments/evaluators/hw_evaluator.hpp"
#include "hwmodels/workload.hpp"
#include "spaces/joint_space.hpp"

namespace tandem {
namespace {

enum class Source { network, layer_sum, area };
enum class LayerQuantity { latency_s, energy_pj, cycles, macs, dram_bytes };

// Where one objective's or constraint's metric comes from.
struct MetricPlan {
  std::string name;
  Source source = Source::network;
  std::size_t evaluator = 0;       // Source::network: index into the evaluator chain
  std::size_t column = 0;          // network: column of network_values; layer_sum: of the product
  LayerQuantity quantity = LayerQuantity::latency_s;
  double scale = 1.0;              // layer_sum: metric = scale * sum of the layer quantity
};

double layer_quantity(const hw::LayerCost& cost, LayerQuantity quantity) {
  switch (quantity) {
    case LayerQuantity::latency_s: return cost.latency_s;
    case LayerQuantity::energy_pj: return cost.energy.total_pj();
    case LayerQuantity::cycles: return cost.total_cycles();
    case LayerQuantity::macs: return static_cast<double>(cost.macs);
    case LayerQuantity::dram_bytes: return cost.dram.read_bytes + cost.dram.write_bytes;
  }
  return 0;
}

// The hw evaluator's metrics that are sums over layers, with their unit scale.
std::optional<std::pair<LayerQuantity, double>> layer_sum_metric(const std::string& name) {
  if (name == "latency_ms") return std::make_pair(LayerQuantity::latency_s, 1e3);
  if (name == "energy_mj") return std::make_pair(LayerQuantity::energy_pj, 1e-9);
  if (name == "cycles") return std::make_pair(LayerQuantity::cycles, 1.0);
  if (name == "macs") return std::make_pair(LayerQuantity::macs, 1.0);
  if (name == "dram_bytes") return std::make_pair(LayerQuantity::dram_bytes, 1.0);
  return std::nullopt;
}

const char* kSupported =
    "the exact front supports metrics of the table evaluator (the network alone) and the hw "
    "evaluator's latency_ms, energy_mj, cycles, macs, dram_bytes (sums over layers) and area_mm2";

std::string layer_key(const hw::LayerWorkload& l) {
  std::ostringstream key;
  key << static_cast<int>(l.type) << ' ' << l.n << ' ' << l.c << ' ' << l.h << ' ' << l.w << ' '
      << l.m << ' ' << l.r << ' ' << l.s << ' ' << l.stride << ' ' << l.pad << ' ' << l.groups
      << ' ' << l.dilation;
  return key.str();
}

// The distinct layers of every network under one lowering, and how often each network runs each.
struct LayerCounts {
  std::vector<hw::LayerWorkload> layers;
  Eigen::MatrixXd counts;  // networks x layers
};

class FrontComputation {
 public:
  FrontComputation(Experiment& experiment, const ExactFrontOptions& options)
      : experiment_(experiment), options_(options), config_(experiment.config()) {}

  ExactFront run() {
    const auto started = std::chrono::steady_clock::now();
    split_space();
    plan_metrics();
    measure_networks();
    build_accelerators();
    std::vector<FrontPoint> front = sweep_accelerators();
    ExactFront result = collect(front);
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
  }

 private:
  [[noreturn]] void refuse(const std::string& why) const {
    throw ConfigError(config_.source + ": tandem bench front: " + why);
  }

  Candidate pair(std::size_t network, std::size_t accelerator) const {
    if (!joint_) return networks_[network];
    return joint_->combine(networks_[network], accelerators_[accelerator]);
  }

  void split_space() {
    const SearchSpace& space = experiment_.space();
    if (!space.task_names().empty())
      refuse("space '" + space.name() + "' has several tasks; a joint or network space is needed");
    joint_ = dynamic_cast<const JointSpace*>(&space);
    constexpr double kLimit = 5e6;
    if (joint_) {
      networks_ = enumerate_space(joint_->network(), kLimit);
      accelerators_ = enumerate_space(joint_->accelerator(), kLimit);
    } else {
      networks_ = enumerate_space(space, kLimit);
      accelerators_.assign(1, Candidate{});
    }
  }

  void plan_metrics() {
    const auto& evaluators = experiment_.evaluators();
    auto plan_for = [&](const std::string& metric, const std::string& role) {
      std::optional<std::size_t> from;  // a later evaluator's metric overrides an earlier one's
      for (std::size_t i = 0; i < evaluators.size(); ++i) {
        const auto names = evaluators[i]->metric_names();
        if (std::find(names.begin(), names.end(), metric) != names.end()) from = i;
      }
      if (!from) refuse(role + " '" + metric + "' is measured by no evaluator; " + kSupported);
      const std::string& evaluator = config_.evaluators[*from].name;
      MetricPlan plan;
      plan.name = metric;
      if (evaluator == "table") {
        plan.source = Source::network;
        plan.evaluator = *from;
        plan.column = network_metrics_.size();
        network_metrics_.push_back(plan);
        return plan;
      }
      if (evaluator != "hw")
        refuse(role + " '" + metric + "' comes from evaluator '" + evaluator + "'; " + kSupported);
      auto* cost = dynamic_cast<CostReportingEvaluator*>(evaluators[*from].get());
      if (!cost || cost->costs_fixed_network())
        refuse("the hw evaluator costs a fixed network (onnx:); " + std::string(kSupported));
      hw_ = cost;
      if (metric == "area_mm2") {
        plan.source = Source::area;
      } else if (auto sum = layer_sum_metric(metric)) {
        plan.source = Source::layer_sum;
        plan.quantity = sum->first;
        plan.scale = sum->second;
        plan.column = layer_sums_.size();
        layer_sums_.push_back(plan);
      } else {
        refuse(role + " '" + metric + "' of the hw evaluator is not a sum over layers; " +
               kSupported);
      }
      return plan;
    };
    if (config_.objectives.size() < 2 || config_.objectives.size() > 4)
      refuse("needs 2 to 4 objectives; the config has " +
             std::to_string(config_.objectives.size()));
    for (const auto& objective : config_.objectives)
      objectives_.push_back(plan_for(objective.metric, "objective"));
    for (const auto& constraint : experiment_.constraints())
      constraints_.push_back(plan_for(constraint.metric(), "constraint"));
    if (!layer_sums_.empty() || std::any_of(objectives_.begin(), objectives_.end(), [](auto& p) {
          return p.source == Source::area;
        }))
      if (!hw_) throw InternalError("bench front: hw metrics without an hw evaluator");
  }

  // Network-only metrics, once per network; networks that fail or violate a network-only
  // constraint are dropped here.
  void measure_networks() {
    const std::size_t columns = network_metrics_.size();
    network_values_.assign(networks_.size() * columns, 0.0);
    network_ok_.assign(networks_.size(), 1);
    const auto& evaluators = experiment_.evaluators();
    std::vector<std::size_t> chain;  // evaluators with network metrics, each run once
    for (const auto& plan : network_metrics_)
      if (std::find(chain.begin(), chain.end(), plan.evaluator) == chain.end())
        chain.push_back(plan.evaluator);
    for (std::size_t n = 0; n < networks_.size(); ++n) {
      const Candidate candidate = pair(n, 0);
      std::map<std::size_t, TrialResult> results;
      for (std::size_t e : chain) {
        NullReporter reporter;
        try {
          results.emplace(e, evaluators[e]->evaluate(candidate, reporter));
        } catch (const Error&) {
          results.emplace(e, TrialResult::failed("error"));
        }
      }
      for (const auto& plan : network_metrics_) {
        const TrialResult& result = results.at(plan.evaluator);
        std::optional<double> value = result.status == TrialStatus::complete
                                          ? result.metrics.find(plan.name)
                                          : std::nullopt;
        if (!value || std::isnan(*value)) {
          network_ok_[n] = 0;
          break;
        }
        network_values_[n * columns + plan.column] = *value;
      }
    }
    const auto& constraints = experiment_.constraints();
    for (std::size_t i = 0; i < constraints.size(); ++i) {
      if (constraints_[i].source != Source::network) continue;
      for (std::size_t n = 0; n < networks_.size(); ++n)
        if (network_ok_[n] &&
            !constraints[i].satisfied_by(network_values_[n * columns + constraints_[i].column]))
          network_ok_[n] = 0;
    }
    for (std::size_t n = 0; n < networks_.size(); ++n)
      if (network_ok_[n]) kept_networks_.push_back(n);
  }

  // One cost model per accelerator (dropped when it cannot be built or breaks an area
  // constraint), and the layer counts of every kept network under each lowering in use.
  void build_accelerators() {
    models_.assign(accelerators_.size(), nullptr);
    if (!hw_) {
      if (accelerators_.size() != 1 && !layer_sums_.empty())
        throw InternalError("bench front: accelerators without an hw evaluator");
      return;
    }
    const auto& constraints = experiment_.constraints();
    const std::size_t probe = kept_networks_.empty() ? 0 : kept_networks_.front();
    for (std::size_t a = 0; a < accelerators_.size(); ++a) {
      std::shared_ptr<const hw::CostModel> model;
      try {
        model = hw_->cost_model(pair(probe, a));
      } catch (const Error&) {
        continue;  // a FAILED trial for every network on it
      }
      if (model->name() == "heterogeneous")
        refuse("accelerator model 'heterogeneous' does not sum its layers one after another; " +
               std::string(kSupported));
      bool feasible = true;
      for (std::size_t i = 0; i < constraints.size(); ++i)
        if (constraints_[i].source == Source::area && !constraints[i].satisfied_by(model->area_mm2()))
          feasible = false;
      if (!feasible) continue;
      const int pooling = static_cast<int>(model->lowering().pooling);
      if (!counts_.count(pooling)) counts_[pooling] = count_layers(model->lowering());
      models_[a] = std::move(model);
    }
  }

  LayerCounts count_layers(const hw::LoweringOptions& lowering) const {
    LayerCounts out;
    std::map<std::string, std::size_t> index;
    std::vector<std::vector<std::size_t>> per_network(kept_networks_.size());
    for (std::size_t i = 0; i < kept_networks_.size(); ++i) {
      const ComputeGraph graph = experiment_.space().to_graph(pair(kept_networks_[i], 0));
      for (const hw::LayerWorkload& layer : hw::lower_graph(graph, lowering)) {
        auto [it, added] = index.emplace(layer_key(layer), out.layers.size());
        if (added) out.layers.push_back(layer);
        per_network[i].push_back(it->second);
      }
    }
    out.counts = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(kept_networks_.size()),
                                       static_cast<Eigen::Index>(out.layers.size()));
    for (std::size_t i = 0; i < per_network.size(); ++i)
      for (std::size_t l : per_network[i]) out.counts(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(l)) += 1;
    return out;
  }

  // The objective coordinates are permuted so a network-only objective, when there is one, comes
  // first: then one global order of the networks sorts every accelerator's points.
  void choose_order() {
    k_ = static_cast<int>(objectives_.size());
    permutation_.resize(objectives_.size());
    std::iota(permutation_.begin(), permutation_.end(), 0);
    for (std::size_t j = 0; j < objectives_.size(); ++j)
      if (objectives_[j].source == Source::network) {
        std::rotate(permutation_.begin(), permutation_.begin() + static_cast<long>(j),
                    permutation_.begin() + static_cast<long>(j) + 1);
        primary_is_network_ = true;
        break;
      }
    order_.resize(kept_networks_.size());
    std::iota(order_.begin(), order_.end(), 0);
    if (primary_is_network_) {
      std::stable_sort(order_.begin(), order_.end(), [&](std::size_t x, std::size_t y) {
        return network_objective(x, 0) < network_objective(y, 0);
      });
    }
  }

  // Minimised value of permuted objective `j` for kept network i (network-only objectives).
  double network_objective(std::size_t i, int j) const {
    const MetricPlan& plan = objectives_[permutation_[static_cast<std::size_t>(j)]];
    const double value = network_values_[kept_networks_[i] * network_metrics_.size() + plan.column];
    return config_.objectives[permutation_[static_cast<std::size_t>(j)]].minimize ? value : -value;
  }

  // The front of one accelerator, appended to `out`; returns its number of complete pairs.
  double accelerator_front(std::size_t a, std::vector<FrontPoint>& points,
                           std::vector<FrontPoint>& out) const {
    const hw::CostModel* model = models_[a].get();
    const LayerCounts* counts = nullptr;
    Eigen::MatrixXd sums;
    if (model) {
      counts = &counts_.at(static_cast<int>(model->lowering().pooling));
      const auto layers = static_cast<Eigen::Index>(counts->layers.size());
      const auto columns = static_cast<Eigen::Index>(layer_sums_.size() + 1);
      Eigen::MatrixXd costs(layers, columns);
      for (Eigen::Index l = 0; l < layers; ++l) {
        const hw::LayerCost cost = model->evaluate_layer(counts->layers[static_cast<std::size_t>(l)]);
        for (std::size_t j = 0; j < layer_sums_.size(); ++j)
          costs(l, static_cast<Eigen::Index>(j)) = layer_quantity(cost, layer_sums_[j].quantity);
        costs(l, columns - 1) = cost.feasible ? 0.0 : 1.0;
      }
      sums.noalias() = counts->counts * costs;
    } else if (hw_) {
      return 0;  // accelerator dropped
    }
    const double area = model ? model->area_mm2() : 0.0;
    const auto& constraints = experiment_.constraints();
    const auto infeasible_column = static_cast<Eigen::Index>(layer_sums_.size());
    auto value_of = [&](const MetricPlan& plan, std::size_t i) {
      switch (plan.source) {
        case Source::network:
          return network_values_[kept_networks_[i] * network_metrics_.size() + plan.column];
        case Source::layer_sum:
          return plan.scale * sums(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(plan.column));
        case Source::area: return area;
      }
      return 0.0;
    };
    points.clear();
    double complete = 0;
    for (std::size_t i : order_) {
      if (model && sums(static_cast<Eigen::Index>(i), infeasible_column) > 0) continue;
      bool feasible = true;
      for (std::size_t c = 0; c < constraints.size() && feasible; ++c)
        if (constraints_[c].source == Source::layer_sum)
          feasible = constraints[c].satisfied_by(value_of(constraints_[c], i));
      if (!feasible) continue;
      FrontPoint point;
      bool finite = true;
      for (int j = 0; j < k_; ++j) {
        const std::size_t o = permutation_[static_cast<std::size_t>(j)];
        const double value = value_of(objectives_[o], i);
        finite = finite && !std::isnan(value);
        point.v[static_cast<std::size_t>(j)] = config_.objectives[o].minimize ? value : -value;
      }
      if (!finite) continue;
      point.network = static_cast<std::uint32_t>(kept_networks_[i]);
      point.accelerator = static_cast<std::uint32_t>(a);
      points.push_back(point);
      ++complete;
    }
    const int k = k_;
    auto less = [k](const FrontPoint& x, const FrontPoint& y) { return lexicographically_less(x, y, k); };
    if (primary_is_network_) {  // sorted on the first coordinate: sort each run of ties
      for (std::size_t begin = 0; begin < points.size();) {
        std::size_t end = begin + 1;
        while (end < points.size() && points[end].v[0] == points[begin].v[0]) ++end;
        if (end - begin > 1) std::sort(points.begin() + static_cast<long>(begin), points.begin() + static_cast<long>(end), less);
        begin = end;
      }
    } else {
      std::sort(points.begin(), points.end(), less);
    }
    sweep_sorted(points.data(), points.data() + points.size(), k_, out);
    return complete;
  }

  std::vector<FrontPoint> sweep_accelerators() {
    choose_order();
    std::mutex mutex;
    std::vector<FrontPoint> merged;
    double complete = 0;
    auto body = [&](const tbb::blocked_range<std::size_t>& range) {
      std::vector<FrontPoint> points, local;
      double local_complete = 0;
      for (std::size_t a = range.begin(); a != range.end(); ++a)
        local_complete += accelerator_front(a, points, local);
      keep_non_dominated(local, k_);
      std::lock_guard<std::mutex> lock(mutex);
      merged.insert(merged.end(), local.begin(), local.end());
      complete += local_complete;
      if (merged.size() > (1u << 20)) keep_non_dominated(merged, k_);
    };
    const tbb::blocked_range<std::size_t> all(0, accelerators_.size(), 32);
    if (options_.threads > 0) {
      tbb::task_arena arena(options_.threads);
      arena.execute([&] { tbb::parallel_for(all, body); });
    } else {
      tbb::parallel_for(all, body);
    }
    keep_non_dominated(merged, k_);
    complete_pairs_ = complete;
    return merged;
  }

  ExactFront collect(const std::vector<FrontPoint>& front) const {
    ExactFront result;
    result.objectives = config_.objectives;
    for (const auto& constraint : experiment_.constraints())
      result.constraints.push_back(constraint.to_string());
    result.networks = static_cast<double>(networks_.size());
    result.accelerators = static_cast<double>(accelerators_.size());
    result.pairs = result.networks * result.accelerators;
    result.complete_pairs = complete_pairs_;
    std::vector<std::pair<ObjectiveVector, std::string>> rows;
    for (const FrontPoint& point : front) {
      ObjectiveVector natural(objectives_.size());
      for (int j = 0; j < k_; ++j)
        natural[permutation_[static_cast<std::size_t>(j)]] = point.v[static_cast<std::size_t>(j)];
      rows.emplace_back(natural, experiment_.space().to_string(pair(point.network, point.accelerator)));
    }
    std::sort(rows.begin(), rows.end());
    for (const auto& [point, candidate] : rows) {
      if (result.points.empty() || result.points.back() != point) {
        result.points.push_back(point);
        result.candidates.emplace_back();
      }
      result.candidates.back().push_back(candidate);
    }
    return result;
  }

  Experiment& experiment_;
  ExactFrontOptions options_;
  const ExperimentConfig& config_;
  const JointSpace* joint_ = nullptr;
  std::vector<Candidate> networks_, accelerators_;
  std::vector<MetricPlan> objectives_, constraints_, network_metrics_, layer_sums_;
  CostReportingEvaluator* hw_ = nullptr;
  std::vector<double> network_values_;  // networks x network metrics
  std::vector<char> network_ok_;
  std::vector<std::size_t> kept_networks_;
  std::vector<std::shared_ptr<const hw::CostModel>> models_;  // null: accelerator dropped
  std::map<int, LayerCounts> counts_;                       // by pooling mode
  int k_ = 0;
  std::vector<std::size_t> permutation_;  // permuted coordinate j holds objective permutation_[j]
  bool primary_is_network_ = false;
  std::vector<std::size_t> order_;  // kept networks by the primary objective
  double complete_pairs_ = 0;
};

}  // namespace

std::vector<Candidate> enumerate_space(const SearchSpace& space, double limit) {
  const std::vector<Decision>& decisions = space.decisions();
  double size = 1;
  for (const auto& decision : decisions) size *= static_cast<double>(decision.choices.size());
  if (size > limit)
    throw Error("space '" + space.name() + "' has " + std::to_string(static_cast<long long>(size)) +
                " candidates; the exact front enumerates at most " +
                std::to_string(static_cast<long long>(limit)) + " per part");
  std::vector<Candidate> out;
  Candidate current;
  current.decisions.assign(decisions.size(), 0);
  for (;;) {
    if (space.is_valid(current)) out.push_back(current);
    std::size_t d = decisions.size();
    while (d > 0) {
      --d;
      if (++current.decisions[d] < static_cast<int>(decisions[d].choices.size())) break;
      current.decisions[d] = 0;
      if (d == 0) return out;
    }
    if (decisions.empty()) return out;
  }
}

ExactFront compute_exact_front(Experiment& experiment, const ExactFrontOptions& options) {
  return FrontComputation(experiment, options).run();
}

}  // namespace tandem
