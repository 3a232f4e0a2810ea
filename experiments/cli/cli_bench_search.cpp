// `tandem bench search CONFIG [--seeds N] [--budgets 50,100,300,1000] [--truth METRIC]
//                            [--strategy NAME] [--compare NAME,...] [--reference V,...]
//                            [--front FILE | --no-front] [--format table|csv|json|html]`:
// the search benchmark of "NAS evaluation is frustratingly hard" (Yang, Esperança, Carlucci,
// ICLR 2020) on the config's evaluators (meant for tables and analytic cost models, so each run
// takes milliseconds): the config's strategy (or --strategy, with default options) runs once per
// seed 0..N-1 in-process, without a database (experiments/benchmark/search_runs.hpp), and so do
// random search and the --compare strategies, on the same seeds. Per budget (number of told
// trials), mean, sample std and 95 % Student-t interval over seeds, and the improvement of the
// mean over random search at the same budget, of:
//   single objective: the reported truth (--truth, default c10_test_acc_200ep when the evaluators
//     measure it, else the objective) of the best-by-objective complete trial among the first
//     `budget` — NAS-Bench-201's protocol — and the fraction of seeds whose best trial is the
//     optimum of the objective; when the space has at most 10^6 candidates, a row `random
//     (exact)` gives random search's expected truth computed from every candidate (an oracle
//     without sampling noise) and the table ends with each strategy's queries to the optimum;
//   several objectives: the hypervolume ratio of the complete trials to the exact Pareto front
//     (experiments/benchmark/exact_front.hpp; read from --front, default CONFIG's
//     <stem>.front.csv, computed and written there when missing or stale) and the fraction of the
//     front's points found. The reference point is --reference, else the objectives' own
//     `reference`, else the front's nadir pushed out by a tenth of its range. With --no-front (or
//     a config whose front tandem cannot enumerate) the raw hypervolume is reported, with the
//     worst value of each objective over every run as the reference.
#include <chrono>
#include <cmath>
#include <iostream>

#include "core/text.hpp"
#include "experiments/benchmark/exact_front.hpp"
#include "experiments/benchmark/front_file.hpp"
#include "experiments/benchmark/search_runs.hpp"
#include "experiments/benchmark/search_scores.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/table_output.hpp"
#include "experiments/report/json_writer.hpp"
#include "experiments/report/report_page.hpp"
#include "experiments/runner/experiment.hpp"

namespace tandem {

namespace {

// The comparison page (`--format html`): the report page (report_page.hpp) with a document whose
// `bench` member the page's bench view draws (assets/report_bench.js).
std::string bench_page(const std::string& source, long long seeds, const std::string& heading,
                       const TextTable& table, const std::vector<std::string>& footer,
                       const std::vector<std::string>& wall_times) {
  JsonWriter json;
  json.begin_object().key("database").value(source).key("experiments").begin_array().end_array();
  json.key("bench").begin_object();
  json.key("source").value(source).key("seeds").value(static_cast<std::int64_t>(seeds));
  json.key("heading").value(heading);
  json.key("columns").begin_array();
  for (const auto& column : table.columns) json.value(column);
  json.end_array().key("rows").begin_array();
  for (const auto& row : table.rows) {
    json.begin_array();
    for (const auto& cell : row) json.value(cell);
    json.end_array();
  }
  json.end_array().key("footer").begin_array();
  for (const auto& line : footer) json.value(line);
  json.end_array().key("wall").begin_array();
  for (const auto& line : wall_times) json.value(line);
  json.end_array().end_object().end_object();
  return report_page(json.text(), "search benchmark: " + source + " — tandem");
}

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

// The exact front to score against: the cache file when it is this config's, else computed (and
// cached). nullopt, with the reason on stderr, when the config's front cannot be enumerated.
std::optional<ExactFront> exact_front_for(Experiment& experiment, const std::string& path,
                                          bool path_given) {
  const ExperimentConfig& config = experiment.config();
  const std::string fingerprint = front_fingerprint(config);
  try {
    if (auto stored = read_front_file(path, fingerprint)) return stored;
  } catch (const Error& error) {
    if (path_given) throw;
    std::cerr << "note: " << error.what() << "; recomputing it\n";
  }
  try {
    std::cerr << "computing the exact Pareto front of " << config.source << " ...\n";
    ExactFront front = compute_exact_front(experiment);
    write_front_file(path, front, fingerprint);
    std::cerr << "  " << front.points.size() << " points in " << fixed_decimals(front.seconds, 1)
              << " s, written to " << path << "\n";
    return front;
  } catch (const ConfigError& error) {
    if (path_given) throw;
    std::cerr << "note: no exact front (" << error.what()
              << "); reporting raw hypervolumes\n";
    return std::nullopt;
  }
}

std::string number_or_blank(double value, int digits) {
  return std::isnan(value) ? "" : fixed_decimals(value, digits);
}

}  // namespace

int cli_bench_search(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Benchmark a search strategy against random search (and the exact "
                           "Pareto front) on a config's evaluators, over seeds and budgets.");
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
      "front", "exact-front file (several objectives; default: next to CONFIG, <stem>.front.csv)",
      cxxopts::value<std::string>())("no-front", "report raw hypervolumes, no exact front")(
      "format", "table, csv, json, or html (the comparison page: the score per strategy against the "
      "budget with its 95 % interval, random search, the table)",
      cxxopts::value<std::string>()->default_value("table"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"CONFIG"}, args)) return 0;
  const std::string format = args["format"].as<std::string>();
  if (format != "html" && format != "table" && format != "csv" && format != "json")
    throw Error("unknown output format '" + format + "'" +
                did_you_mean(format, {"table", "csv", "json", "html"}) +
                "; accepted: table, csv, json, html");
  const long long seeds = integer_option(args, "seeds", 1, kNoUpperBound);
  const std::vector<long long> budgets = parse_budgets(args["budgets"].as<std::string>());
  if (args.count("front") && args.count("no-front"))
    throw Error("give either --front or --no-front");

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
  std::optional<ObjectiveVector> reference;
  if (args.count("reference")) {
    reference.emplace();
    for (const auto& item : split(args["reference"].as<std::string>(), ',')) {
      char* end = nullptr;
      const std::string value = trim(item);
      const double number = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0')
        throw Error("--reference '" + args["reference"].as<std::string>() + "': '" + value +
                    "' is not a number");
      reference->push_back(number);
    }
    if (reference->size() != objectives.size())
      throw Error("--reference needs one value per objective (" +
                  std::to_string(objectives.size()) + ")");
    for (std::size_t m = 0; m < objectives.size(); ++m)
      if (!objectives[m].minimize) (*reference)[m] = -(*reference)[m];
  }
  std::optional<ExactFront> front;
  if (multi && !args.count("no-front")) {
    const bool given = args.count("front") > 0;
    front = exact_front_for(experiment,
                            given ? args["front"].as<std::string>() : default_front_path(config),
                            given);
  }

  CachedEvaluation evaluate(experiment);
  const long long longest = budgets.back();
  // Every strategy runs the same seeds; random search is the baseline of every row.
  ComponentConfig random{"random", ConfigNode(), ConfigNode()};
  std::vector<std::vector<RunTrace>> searched(strategies.size());
  std::vector<RunTrace> baseline;
  std::vector<std::string> wall_times;
  auto run_all = [&](const ComponentConfig& component, std::vector<RunTrace>& traces) {
    const auto started = std::chrono::steady_clock::now();
    for (long long seed = 0; seed < seeds; ++seed)
      traces.push_back(run_strategy(experiment, component, static_cast<std::uint64_t>(seed),
                                    longest, evaluate));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    wall_times.push_back(component.name + " " + fixed_decimals(seconds, 1) + " s");
  };
  for (std::size_t s = 0; s < strategies.size(); ++s) {
    run_all(strategies[s], searched[s]);
    if (strategies[s].name == "random") baseline = searched[s];
  }
  if (baseline.empty()) run_all(random, baseline);

  TextTable table;
  std::string heading;
  std::vector<std::string> footer;
  if (multi) {
    ObjectiveVector minimised_reference(objectives.size(), -INFINITY);
    if (reference) {
      minimised_reference = *reference;
    } else if (front) {
      minimised_reference = front_reference_point(*front);
    } else {
      std::vector<const std::vector<RunTrace>*> all_runs = {&baseline};
      for (const auto& runs : searched) all_runs.push_back(&runs);
      for (const auto* runs : all_runs)
        for (const auto& trace : *runs)
          for (const auto& point : complete_points(trace, longest, objectives))
            for (std::size_t m = 0; m < objectives.size(); ++m)
              minimised_reference[m] = std::max(minimised_reference[m], point[m]);
    }
    const double front_volume = front ? hypervolume(front->points, minimised_reference) : NAN;
    auto score = [&](const RunTrace& trace, long long budget) {
      const double volume = hypervolume(complete_points(trace, budget, objectives), minimised_reference);
      return front ? volume / front_volume : volume;
    };
    table.columns = {"strategy", "budget", "seeds", front ? "hv_ratio" : "hypervolume", "std",
                     "ci95_low", "ci95_high"};
    if (front) table.columns.push_back("front_recovered");
    table.columns.push_back("improvement_over_random");
    for (std::size_t s = 0; s < strategies.size(); ++s)
      for (long long budget : budgets) {
        std::vector<double> values, random_values, recovered;
        for (const auto& trace : searched[s]) {
          values.push_back(score(trace, budget));
          if (front) recovered.push_back(front_recovered(complete_points(trace, budget, objectives), *front));
        }
        for (const auto& trace : baseline) random_values.push_back(score(trace, budget));
        const SeedSummary summary = summarize(values), random_summary = summarize(random_values);
        const int digits = front ? 4 : 6;
        std::vector<std::string> row = {strategies[s].name, std::to_string(budget),
                                        std::to_string(summary.n), fixed_decimals(summary.mean, digits),
                                        fixed_decimals(summary.std, digits),
                                        number_or_blank(summary.low, digits),
                                        number_or_blank(summary.high, digits)};
        if (front) row.push_back(fixed_decimals(summarize(recovered).mean, 3));
        row.push_back(fixed_decimals(summary.mean - random_summary.mean, digits));
        table.rows.push_back(row);
      }
    std::vector<std::string> text;
    for (std::size_t m = 0; m < objectives.size(); ++m)
      text.push_back(objectives[m].metric + "=" +
                     format_number(objectives[m].minimize ? minimised_reference[m]
                                                          : -minimised_reference[m]));
    heading = front ? "hypervolume ratio of the complete trials to the exact Pareto front (" +
                          std::to_string(front->points.size()) + " points, hypervolume " +
                          format_number(front_volume) + "), reference " + join(text, ", ")
                    : "hypervolume of the complete trials (reference " + join(text, ", ") + ")";
  } else {
    const Objective& objective = objectives.front();
    std::string truth = args.count("truth") ? args["truth"].as<std::string>() : "";
    if (truth.empty()) {
      truth = objective.metric;
      for (const auto& runs : searched)
        for (const auto& trace : runs)
          for (const auto& result : trace.results)
            if (result.metrics.has("c10_test_acc_200ep")) truth = "c10_test_acc_200ep";
    }
    // The whole space, when it is small enough to evaluate: the optimum and the exact oracle.
    std::optional<double> optimum;
    std::vector<SpaceValue> space_values;
    if (experiment.space().size() <= 1e6) {
      for (const Candidate& candidate : enumerate_space(experiment.space(), 1e6)) {
        const TrialResult& result = evaluate(candidate);
        SpaceValue value;
        value.fitness = oriented_value(result, objective);
        if (value.fitness) {
          auto reported = result.metrics.find(truth);
          if (!reported) value.fitness.reset();
          else value.truth = *reported;
        }
        if (value.fitness && (!optimum || *value.fitness > *optimum)) optimum = value.fitness;
        space_values.push_back(value);
      }
    } else {
      const auto known = experiment.known_optima();
      auto found = known.find(objective.metric);
      if (found != known.end()) optimum = objective.minimize ? -found->second : found->second;
    }
    table.columns = {"strategy", "budget", "seeds", "mean", "std", "ci95_low", "ci95_high",
                     "reached_optimum", "improvement_over_random"};
    auto reached = [&](const RunTrace& trace, long long budget) {
      auto best = best_fitness(trace, budget, objective);
      return optimum && best && *best >= *optimum ? 1.0 : 0.0;
    };
    for (std::size_t s = 0; s < strategies.size(); ++s) {
      for (long long budget : budgets) {
        std::vector<double> values, random_values, hits;
        for (const auto& trace : searched[s]) {
          if (auto v = best_truth(trace, budget, objective, truth)) values.push_back(*v);
          hits.push_back(reached(trace, budget));
        }
        for (const auto& trace : baseline)
          if (auto v = best_truth(trace, budget, objective, truth)) random_values.push_back(*v);
        const SeedSummary summary = summarize(values), random_summary = summarize(random_values);
        table.rows.push_back({strategies[s].name, std::to_string(budget), std::to_string(summary.n),
                              fixed_decimals(summary.mean, 3), fixed_decimals(summary.std, 3),
                              number_or_blank(summary.low, 3), number_or_blank(summary.high, 3),
                              optimum ? fixed_decimals(summarize(hits).mean, 3) : "",
                              fixed_decimals(summary.mean - random_summary.mean, 3)});
      }
      // Queries to the optimum: the first told trial that attains it, per seed.
      if (optimum) {
        std::vector<double> queries;
        for (const auto& trace : searched[s])
          for (std::size_t i = 0; i < trace.results.size(); ++i) {
            auto value = oriented_value(trace.results[i], objective);
            if (value && *value >= *optimum) {
              queries.push_back(static_cast<double>(i + 1));
              break;
            }
          }
        std::sort(queries.begin(), queries.end());
        std::string line = strategies[s].name + ": " + std::to_string(queries.size()) + " of " +
                           std::to_string(seeds) + " seeds reach the optimum within " +
                           std::to_string(longest) + " queries";
        if (!queries.empty()) {
          auto at = [&](double q) { return queries[static_cast<std::size_t>(q * static_cast<double>(queries.size() - 1) + 0.5)]; };
          line += "; queries to it: median " + format_number(at(0.5)) + ", quartiles " +
                  format_number(at(0.25)) + "-" + format_number(at(0.75)) + ", range " +
                  format_number(queries.front()) + "-" + format_number(queries.back());
        }
        footer.push_back(line);
      }
    }
    if (!space_values.empty())
      for (long long budget : budgets)
        table.rows.push_back({"random (exact)", std::to_string(budget), "", 
                              fixed_decimals(random_search_expected_truth(space_values, budget), 3),
                              "", "", "", "", ""});
    heading = "reported " + truth + " of the best trial by " + objective.to_string();
    if (optimum)
      heading += " (optimum " + objective.metric + " " +
                 format_number(objective.minimize ? -*optimum : *optimum) + ")";
  }
  if (format == "html") {
    std::cout << bench_page(config.source, seeds, heading, table, footer, wall_times);
    return 0;
  }
  if (format == "table")
    std::cout << "search benchmark: " << config.source << ", " << seeds << " seeds, " << heading
              << "\n";
  print_table(std::cout, table, format);
  if (format == "table") {
    for (const auto& line : footer) std::cout << line << "\n";
    std::cout << "wall time: " << join(wall_times, ", ") << "\n";
  }
  return 0;
}

}  // namespace tandem
