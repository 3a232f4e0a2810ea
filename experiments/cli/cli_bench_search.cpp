// `tandem bench search CONFIG [--seeds N] [--budgets 50,100,300,1000] [--truth METRIC]
//                            [--strategy NAME] [--compare NAME,...] [--reference V,...]
//                            [--format table|csv|json]`:
// the search benchmark of "NAS evaluation is frustratingly hard" (Yang, Esperança, Carlucci,
// ICLR 2020) on the config's evaluators (meant for the `table` evaluator, so each run takes
// milliseconds): the config's strategy runs once per seed 0..N-1 in-process, without a database,
// and so does random search with the same seeds. Per budget (number of told trials):
//   single objective: the reported truth (--truth, default c10_test_acc_200ep when the evaluators
//     measure it, else the objective) of the best-by-objective complete trial among the first
//     `budget` trials — NAS-Bench-201's protocol (search on the 12-epoch validation accuracy,
//     report the 200-epoch test accuracy);
//   several objectives: the hypervolume of the complete trials among the first `budget`, with the
//     reference point --reference, or the worst value of each objective observed over every run of
//     every strategy (so all runs share one reference point).
// Prints mean and sample standard deviation over seeds, and the improvement of the mean over
// random search at the same budget. --compare runs further strategies (default options, e.g.
// `--compare regularized_evolution,bananas`) on the same seeds, one block of rows each; the table
// format ends with each strategy's wall time. Evaluations are cached per candidate (evaluators
// used here must be deterministic, as tables and analytic cost models are).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>

#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/cli/table_output.hpp"
#include "core/pareto.hpp"

namespace tandem {

namespace {

struct RunTrace {
  std::vector<TrialResult> results;  // in tell order
};

std::vector<long long> parse_budgets(const std::string& text) {
  std::vector<long long> out;
  for (const auto& item : split(text, ',')) {
    const std::string value = trim(item);
    const std::optional<long long> budget = parse_integer_text(value);
    if (!budget || *budget <= 0)
      throw Error("--budgets '" + text + "': '" + value + "' is not an integer >= 1");
    out.push_back(*budget);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

class CachedEvaluation {
 public:
  explicit CachedEvaluation(Experiment& experiment) : experiment_(experiment) {}
  const TrialResult& operator()(const Candidate& candidate) {
    auto found = cache_.find(candidate);
    if (found != cache_.end()) return found->second;
    NullReporter reporter;
    return cache_.emplace(candidate, experiment_.evaluate(candidate, reporter)).first->second;
  }

 private:
  Experiment& experiment_;
  std::map<Candidate, TrialResult> cache_;
};

RunTrace run_once(const Experiment& experiment, const ComponentConfig& strategy_config,
                  std::uint64_t seed, long long budget, CachedEvaluation& evaluate) {
  StrategyContext context{experiment.space(), strategy_config.options, seed,
                          experiment.config().objectives};
  std::unique_ptr<Strategy> strategy = strategy_registry().create(strategy_config.name, context);
  RunTrace trace;
  while (static_cast<long long>(trace.results.size()) < budget && !strategy->finished()) {
    std::vector<Candidate> asked = strategy->ask(1);
    if (asked.empty()) break;
    const TrialResult& result = evaluate(asked.front());
    strategy->tell(asked.front(), result);
    trace.results.push_back(result);
  }
  return trace;
}

// Truth of the best-by-objective complete trial among the first `budget` results.
std::optional<double> best_truth(const RunTrace& trace, long long budget, const Objective& objective,
                                 const std::string& truth) {
  std::optional<double> best, reported;
  const auto end = std::min<std::size_t>(trace.results.size(), static_cast<std::size_t>(budget));
  for (std::size_t i = 0; i < end; ++i) {
    auto value = oriented_value(trace.results[i], objective);
    if (value && (!best || *value > *best)) {
      best = value;
      reported = trace.results[i].metrics.find(truth);
    }
  }
  return reported;
}

std::vector<ObjectiveVector> feasible_points(const RunTrace& trace, long long budget,
                                             const std::vector<Objective>& objectives) {
  std::vector<ObjectiveVector> points;
  const auto end = std::min<std::size_t>(trace.results.size(), static_cast<std::size_t>(budget));
  for (std::size_t i = 0; i < end; ++i) {
    if (trace.results[i].status != TrialStatus::complete) continue;
    if (auto point = minimised_objectives(trace.results[i], objectives)) points.push_back(*point);
  }
  return points;
}

std::pair<double, double> mean_std(const std::vector<double>& values) {
  if (values.empty()) return {NAN, NAN};
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double std = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
  return {mean, std};
}

}  // namespace

int cli_bench_search(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Benchmark a search strategy against random search on a config's "
                           "evaluators (mean and std over seeds per budget).");
  options.add_options()("seeds", "number of seeds (runs) per strategy", integer_value("20"))(
      "budgets", "comma-separated trial budgets",
      cxxopts::value<std::string>()->default_value("50,100,300,1000"))(
      "truth", "metric reported for the best-by-objective trial (single objective)",
      cxxopts::value<std::string>())("strategy", "benchmark this strategy instead of the config's",
                                     cxxopts::value<std::string>())(
      "compare", "also benchmark these strategies (comma-separated, default options)",
      cxxopts::value<std::string>())(
      "reference", "hypervolume reference point V1,V2,... (several objectives)",
      cxxopts::value<std::string>())(
      "format", "table, csv or json", cxxopts::value<std::string>()->default_value("table"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"CONFIG"}, args)) return 0;
  const std::string format = args["format"].as<std::string>();
  check_output_format(format);
  const long long seeds = integer_option(args, "seeds", 1, kNoUpperBound);
  const std::vector<long long> budgets = parse_budgets(args["budgets"].as<std::string>());

  ExperimentConfig config = ExperimentConfig::load(args["CONFIG"].as<std::string>());
  Experiment experiment(config);
  const auto& objectives = experiment.config().objectives;
  const bool multi = objectives.size() >= 2;
  ComponentConfig strategy = experiment.config().strategy;
  if (args.count("strategy")) {
    strategy.name = args["strategy"].as<std::string>();
    strategy.options = ConfigNode();
    strategy_registry().require(strategy.name);
  }
  ComponentConfig random{"random", ConfigNode(), ConfigNode()};
  std::vector<ComponentConfig> strategies = {strategy};
  if (args.count("compare")) {
    for (const auto& item : split(args["compare"].as<std::string>(), ',')) {
      const std::string name = trim(item);
      try {
        strategy_registry().require(name);
      } catch (const Error& error) {
        throw Error(std::string("--compare: ") + error.what());
      }
      bool listed = false;
      for (const auto& known : strategies) listed = listed || known.name == name;
      if (!listed) strategies.push_back(ComponentConfig{name, ConfigNode(), ConfigNode()});
    }
  }
  std::optional<std::vector<double>> reference;
  if (args.count("reference")) {
    reference.emplace();
    for (const auto& item : split(args["reference"].as<std::string>(), ','))
      reference->push_back(std::stod(trim(item)));
    if (reference->size() != objectives.size())
      throw Error("--reference needs one value per objective (" +
                  std::to_string(objectives.size()) + ")");
  }

  CachedEvaluation evaluate(experiment);
  const long long longest = budgets.back();
  // Every strategy runs the same seeds; random search (run once) is the baseline of every row.
  std::vector<std::vector<RunTrace>> searched(strategies.size());
  std::vector<RunTrace> baseline;
  std::vector<std::string> wall_times;
  auto run_all = [&](const ComponentConfig& component, std::vector<RunTrace>& traces) {
    const auto started = std::chrono::steady_clock::now();
    for (long long seed = 0; seed < seeds; ++seed)
      traces.push_back(
          run_once(experiment, component, static_cast<std::uint64_t>(seed), longest, evaluate));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    wall_times.push_back(component.name + " " + fixed_decimals(seconds, 1) + " s");
  };
  for (std::size_t s = 0; s < strategies.size(); ++s) {
    run_all(strategies[s], searched[s]);
    if (strategies[s].name == "random") baseline = searched[s];
  }
  if (baseline.empty()) run_all(random, baseline);

  std::string truth = args.count("truth") ? args["truth"].as<std::string>() : "";
  if (!multi && truth.empty()) {
    truth = objectives.front().metric;
    for (const auto& runs : searched)
      for (const auto& trace : runs)
        for (const auto& result : trace.results)
          if (result.metrics.has("c10_test_acc_200ep")) truth = "c10_test_acc_200ep";
  }
  ObjectiveVector minimised_reference(objectives.size(), -INFINITY);
  if (multi) {
    for (std::size_t m = 0; m < objectives.size(); ++m) {
      if (reference) {
        minimised_reference[m] = objectives[m].minimize ? (*reference)[m] : -(*reference)[m];
        continue;
      }
      std::vector<const std::vector<RunTrace>*> all_runs = {&baseline};
      for (const auto& runs : searched) all_runs.push_back(&runs);
      for (const auto* runs : all_runs)
        for (const auto& trace : *runs)
          for (const auto& point : feasible_points(trace, longest, objectives))
            minimised_reference[m] = std::max(minimised_reference[m], point[m]);
    }
  }
  auto score = [&](const RunTrace& trace, long long budget) -> std::optional<double> {
    if (!multi) return best_truth(trace, budget, objectives.front(), truth);
    return hypervolume(feasible_points(trace, budget, objectives), minimised_reference);
  };

  TextTable table;
  table.columns = {"strategy", "budget", "seeds", "mean", "std", "improvement_over_random"};
  for (std::size_t s = 0; s < strategies.size(); ++s) {
    for (long long budget : budgets) {
      std::vector<double> values, random_values;
      for (const auto& trace : searched[s])
        if (auto v = score(trace, budget)) values.push_back(*v);
      for (const auto& trace : baseline)
        if (auto v = score(trace, budget)) random_values.push_back(*v);
      auto [mean, std] = mean_std(values);
      auto [random_mean, random_std] = mean_std(random_values);
      (void)random_std;
      const int digits = multi ? 6 : 3;
      table.rows.push_back({strategies[s].name, std::to_string(budget),
                            std::to_string(values.size()), fixed_decimals(mean, digits),
                            fixed_decimals(std, digits), fixed_decimals(mean - random_mean, digits)});
    }
  }
  if (format == "table") {
    std::cout << "search benchmark: " << config.source << ", " << seeds << " seeds, "
              << (multi ? "hypervolume of the complete trials" : "reported " + truth +
                                                                    " of the best trial by " +
                                                                    objectives.front().to_string());
    if (multi) {
      std::vector<std::string> text;
      for (std::size_t m = 0; m < objectives.size(); ++m)
        text.push_back(objectives[m].metric + "=" +
                       format_number(objectives[m].minimize ? minimised_reference[m]
                                                            : -minimised_reference[m]));
      std::cout << " (reference " << join(text, ", ") << ")";
    }
    std::cout << "\n";
  }
  print_table(std::cout, table, format);
  if (format == "table") std::cout << "wall time: " << join(wall_times, ", ") << "\n";
  return 0;
}

}  // namespace tandem
