// NSGA-II seeded by a training-free pre-screen (see nsga2_prescreen.hpp for the procedure and
// sources).
#include "search/multi_objective/nsga2_prescreen.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/error.hpp"
#include "core/pareto.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

NetworkSignals with_builtin_signals(NetworkSignals extra) {
  extra["params"] = [](const ComputeGraph& graph) {
    return static_cast<double>(graph.total_params());
  };
  extra["flops"] = [](const ComputeGraph& graph) {
    return static_cast<double>(graph.total_macs());
  };
  return extra;
}

std::vector<std::string> signal_names(const NetworkSignals& signals) {
  std::vector<std::string> names;
  for (const auto& entry : signals) names.push_back(entry.first);
  return names;
}

std::string candidate_text(const Candidate& candidate) {
  std::string text;
  for (std::size_t i = 0; i < candidate.decisions.size(); ++i)
    text += (i ? "," : "") + std::to_string(candidate.decisions[i]);
  return text;
}

}  // namespace

const std::vector<std::string>& PrescreenOptions::keys() {
  static const std::vector<std::string> names = {"prescreen_samples", "prescreen_proxy",
                                                 "prescreen_cost", "prescreen_signals"};
  return names;
}

PrescreenOptions PrescreenOptions::parse(const ConfigNode& options,
                                         const NetworkSignals& available,
                                         std::size_t objectives) {
  PrescreenOptions out;
  out.samples = static_cast<int>(options.get_int_in("prescreen_samples", out.samples, 1, 1000000));
  const std::vector<std::string> names = signal_names(available);
  out.proxy = options.get_choice("prescreen_proxy", out.proxy, names);
  std::vector<std::string> costs = names;
  costs.push_back("none");
  out.cost = options.get_choice("prescreen_cost", out.cost, costs);
  if (options.has("prescreen_signals")) {
    const ConfigNode list = options.at("prescreen_signals");
    out.signals = list.as_string_list();
    if (out.signals.size() != objectives)
      list.fail("prescreen_signals needs one entry per objective (" + std::to_string(objectives) +
                "), got " + std::to_string(out.signals.size()));
    for (std::size_t i = 0; i < out.signals.size(); ++i)
      if (out.signals[i] != "proxy" && out.signals[i] != "cost" && out.signals[i] != "none")
        list.element(i).fail("unknown prescreen signal " + tandem::quoted(out.signals[i]) +
                             "; accepted: proxy, cost, none");
  }
  return out;
}

std::vector<std::string> prescreen_roles(const PrescreenOptions& options,
                                         const std::vector<Objective>& objectives) {
  std::vector<std::string> columns;
  for (std::size_t m = 0; m < objectives.size(); ++m) {
    const std::string role = options.signals.empty()
                                 ? (objectives[m].minimize ? "cost" : "proxy")
                                 : options.signals[m];
    if (role == "proxy") columns.push_back("-" + options.proxy);
    else if (role == "cost" && options.cost != "none") columns.push_back(options.cost);
    else columns.push_back("");
  }
  return columns;
}

std::vector<std::size_t> prescreen_select(const std::vector<ObjectiveVector>& columns,
                                          std::size_t count) {
  std::vector<ConstrainedPoint> points;
  for (const auto& column : columns) points.push_back({column, 0.0});
  std::vector<std::size_t> chosen;
  // Fronts hold ascending indices: the overflowing one is cut in draw order.
  for (const auto& front : non_dominated_fronts(points))
    for (std::size_t index : front) {
      if (chosen.size() >= count) return chosen;
      chosen.push_back(index);
    }
  return chosen;
}

Prescreen run_prescreen(const SearchSpace& space, const PrescreenOptions& options,
                        const std::vector<Objective>& objectives, const NetworkSignals& signals,
                        std::size_t population_size, Rng& rng) {
  Prescreen out;
  // Distinct signal columns (objectives sharing a signal share a column).
  for (const std::string& column : prescreen_roles(options, objectives))
    if (!column.empty() && std::find(out.column_names.begin(), out.column_names.end(), column) ==
                               out.column_names.end())
      out.column_names.push_back(column);
  std::set<Candidate> drawn;
  for (int i = 0; i < options.samples; ++i) {
    Candidate candidate = space.sample(rng);
    if (drawn.insert(candidate).second) out.sample.push_back(std::move(candidate));
  }
  // Scores per network: a joint space repeats a network with many accelerators.
  std::map<std::string, ObjectiveVector> by_network;
  for (const Candidate& candidate : out.sample) {
    const std::string network = space.architecture_string(candidate);
    auto known = by_network.find(network);
    if (known == by_network.end()) {
      ComputeGraph graph;
      try {
        graph = space.to_graph(candidate);
      } catch (const Error& e) {
        throw ConfigError("nsga2_prescreen scores each candidate's network graph, and space " +
                          tandem::quoted(space.name()) + " gives none: " + e.what());
      }
      ObjectiveVector values;
      for (const std::string& column : out.column_names) {
        const bool maximised = column[0] == '-';
        const double score = signals.at(maximised ? column.substr(1) : column)(graph);
        // Minimised; a NaN or infinite score is the worst value.
        values.push_back(std::isfinite(score) ? (maximised ? -score : score)
                                              : std::numeric_limits<double>::max());
      }
      known = by_network.emplace(network, std::move(values)).first;
    }
    out.columns.push_back(known->second);
  }
  out.chosen = prescreen_select(out.columns, population_size);
  return out;
}

Nsga2Prescreen::Nsga2Prescreen(const SearchSpace& space, Nsga2Options nsga2,
                               PrescreenOptions prescreen, std::vector<Objective> objectives,
                               NetworkSignals signals, std::uint64_t seed)
    : options_(std::move(prescreen)) {
  const auto population = static_cast<std::size_t>(nsga2.population_size);
  Nsga2::InitialPopulation initial = [&](Rng& rng) {
    prescreen_ = run_prescreen(space, options_, objectives, signals, population, rng);
    std::vector<Candidate> out;
    for (std::size_t index : prescreen_.chosen) out.push_back(prescreen_.sample[index]);
    return out;
  };
  inner_ = std::make_unique<Nsga2>(space, nsga2, objectives, seed, std::move(initial));
}

std::string Nsga2Prescreen::state() const {
  std::string text = "nsga2_prescreen samples=" + std::to_string(prescreen_.sample.size()) +
                     " columns=" + join(prescreen_.column_names, ",") + " seeded=";
  for (std::size_t index : prescreen_.chosen)
    text += "[" + candidate_text(prescreen_.sample[index]) + "]";
  return text + " " + inner_->state();
}

void register_nsga2_prescreen(StrategyRegistry& registry, NetworkSignals extra) {
  const NetworkSignals signals = with_builtin_signals(std::move(extra));
  registry.add(
      "nsga2_prescreen", "multi-objective",
      "NSGA-II whose initial population is the best of a training-free pre-screen (Abdelfattah "
      "et al. 2021 warmup; Phan & Luong 2021): the nsga2 options, prescreen_samples, "
      "prescreen_proxy, prescreen_cost, prescreen_signals",
      [signals](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        auto nsga2 = Nsga2Options::parse(context.options, PrescreenOptions::keys());
        const std::size_t count = context.objectives.size();
        TANDEM_CHECK(count >= 2 && count <= 4,
                     "nsga2_prescreen needs 2 to 4 objectives, each with a direction (objectives: "
                     "[{metric: accuracy, direction: maximize}, {metric: latency_ms, direction: "
                     "minimize}]); got " + std::to_string(count));
        auto prescreen = PrescreenOptions::parse(context.options, signals, count);
        if (prescreen.samples < nsga2.population_size)
          throw ConfigError("nsga2_prescreen: prescreen_samples " +
                            std::to_string(prescreen.samples) + " is smaller than population_size " +
                            std::to_string(nsga2.population_size) +
                            "; accepted: prescreen_samples >= population_size");
        std::vector<std::string> roles = prescreen_roles(prescreen, context.objectives);
        if (std::all_of(roles.begin(), roles.end(), [](const std::string& r) { return r.empty(); }))
          throw ConfigError(
              "nsga2_prescreen has no signal to rank by: every objective's prescreen signal is "
              "none (set prescreen_cost or prescreen_signals)");
        return std::make_unique<Nsga2Prescreen>(context.space, nsga2, prescreen,
                                                context.objectives, signals, context.seed);
      });
}

}  // namespace tandem
