// `tandem predict eval`: how well a learned predictor ranks architectures it has not seen, as
// NASLib's predictor experiments measure it (White et al., "How Powerful are Performance
// Predictors in Neural Architecture Search?", NeurIPS 2021): fit on N labelled architectures drawn
// at random, predict M others, report Kendall tau, Spearman rho and top-10% precision of the
// predictions against the truth. Labelled data comes from a benchmark table (--table CSV --space
// NAME, e.g. data/nas-bench-201/nb201_accuracy_cost.csv) or from the complete trials of an
// experiment in a tandem database (--db DB). --repeats R averages R draws (seeds S, S+1, ...).
#include <cmath>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"
#include "db/trial_store.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/cli/trial_report.hpp"
#include "predictors/encodings.hpp"
#include "predictors/feature_builder.hpp"
#include "predictors/free_statistics.hpp"
#include "predictors/predictor.hpp"
#include "predictors/pretrained_predictor.hpp"
#include "predictors/rank_metrics.hpp"

namespace tandem {
namespace {

// The labelled architectures a predictor is judged on.
struct LabelledSet {
  std::unique_ptr<SearchSpace> space;
  std::string source;                        // the file, for messages
  std::vector<std::string> candidates;       // canonical strings
  std::vector<double> targets;
  std::vector<std::vector<double>> extras;   // one value per --features column
  bool minimize = false;
};

std::optional<double> parse_number(const std::string& text) {
  const std::string value = trim(text);
  if (value.empty()) return std::nullopt;
  char* end = nullptr;
  const double number = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0') return std::nullopt;
  return number;
}

LabelledSet load_table(const std::string& path, const std::string& space_name,
                       const std::string& key, const std::string& target,
                       const std::vector<std::string>& features) {
  LabelledSet set;
  set.space = space_registry().create(space_name, ConfigNode());
  set.source = path;
  const CsvTable table = CsvTable::read(path);
  const std::size_t key_column = table.require_column(key);
  const std::size_t target_column = table.require_column(target);
  std::vector<std::size_t> feature_columns;
  for (const auto& name : features) feature_columns.push_back(table.require_column(name));
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const auto& row = table.row(r);
    const auto value = parse_number(row[target_column]);
    if (!value || !std::isfinite(*value)) continue;  // unlabelled row
    std::vector<double> extra;
    for (std::size_t i = 0; i < feature_columns.size(); ++i) {
      const auto number = parse_number(row[feature_columns[i]]);
      if (!number)
        throw ParseError(path + ":" + std::to_string(table.line_of(r)) + ": column '" +
                         features[i] + "' holds '" + row[feature_columns[i]] +
                         "', expected a number");
      if (!std::isfinite(*number))
        throw ParseError(path + ":" + std::to_string(table.line_of(r)) + ": column '" +
                         features[i] + "' is " + trim(row[feature_columns[i]]) +
                         " (features must be finite numbers)");
      extra.push_back(*number);
    }
    set.candidates.push_back(row[key_column]);
    set.targets.push_back(*value);
    set.extras.push_back(std::move(extra));
  }
  return set;
}

LabelledSet load_db(const std::string& path, const std::string& experiment_name,
                    const std::string& target, const std::vector<std::string>& features) {
  TrialStore store(path, TrialStore::Mode::read_only);
  const ExperimentRecord experiment = select_experiment(store, experiment_name);
  const ExperimentConfig config = ExperimentConfig::parse(experiment.config_text, "stored config");
  LabelledSet set;
  set.space = space_registry().create(config.space.name, config.space.options);
  set.source = path + " (experiment '" + experiment.name + "')";
  for (const auto& trial : store.trials(experiment.id)) {
    if (trial.state != TrialStatus::complete) continue;
    const std::optional<double> found = trial.values.find(target);
    if (!found || !std::isfinite(*found)) continue;
    std::vector<double> extra;
    for (const auto& name : features) {
      const std::optional<double> value = trial.values.find(name);
      if (!value)
        throw Error(set.source + ": trial #" + std::to_string(trial.number) +
                    " has no metric '" + name + "' (asked for by --features)");
      extra.push_back(*value);
    }
    set.candidates.push_back(trial.candidate);
    set.targets.push_back(*found);
    set.extras.push_back(std::move(extra));
  }
  return set;
}

struct Scores {
  double tau = 0.0, rho = 0.0, top10 = 0.0;
};

Scores evaluate_once(const LabelledSet& set, const std::string& predictor_name,
                     const ConfigNode& predictor_options, EncodingKind encoding,
                     const std::vector<std::string>& features, std::size_t train_size,
                     std::size_t test_size, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::size_t> order(set.candidates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.shuffle(order);
  const SearchSpace& space = *set.space;
  ArchitectureEncoder encoder(space, encoding);
  FeatureBuilder builder(encoder, features);
  auto rows = [&](std::size_t begin, std::size_t count, Eigen::VectorXd& targets) {
    std::vector<Candidate> candidates;
    std::vector<std::vector<double>> extras;
    std::vector<std::string> labels;
    targets.resize(static_cast<Eigen::Index>(count));
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t row = order[begin + i];
      candidates.push_back(space.parse(set.candidates[row]));
      extras.push_back(set.extras[row]);
      labels.push_back(set.candidates[row]);
      targets(static_cast<Eigen::Index>(i)) = set.minimize ? -set.targets[row] : set.targets[row];
    }
    return builder.matrix(candidates, extras, labels);
  };
  Eigen::VectorXd train_targets, test_targets;
  const Eigen::MatrixXd train = rows(0, train_size, train_targets);
  const Eigen::MatrixXd test = rows(train_size, test_size, test_targets);

  std::unique_ptr<Predictor> predictor =
      predictor_registry().create(predictor_name, PredictorContext{predictor_options, seed});
  if (auto* pretrained = dynamic_cast<PretrainedMlpPredictor*>(predictor.get())) {
    const int samples = pretrained->options().pretrain_samples;
    if (samples > 0) {
      if (!features.empty())
        throw ConfigError("predictor 'pretrained' pretrains on the encoding alone; drop "
                          "--features or set pretrain_samples: 0 in --predictor-options");
      Rng pool_rng = rng.derive(7);
      const PretrainingPool pool =
          sample_pretraining_pool(space, encoder, static_cast<std::size_t>(samples), pool_rng);
      pretrained->pretrain(pool.features, pool.statistics);
    }
  }
  predictor->fit(train, train_targets);
  const Eigen::VectorXd predicted = predictor->predict(test);
  const std::vector<double> p(predicted.data(), predicted.data() + predicted.size());
  const std::vector<double> t(test_targets.data(), test_targets.data() + test_targets.size());
  return Scores{kendall_tau(p, t), spearman_rho(p, t), top_k_precision(p, t, 0.1)};
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& part : split(text, ',')) {
    const std::string name = trim(part);
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

int predict_eval(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Fit a predictor on --train random labelled architectures and rank "
                           "--test others (docs/predictors.md).");
  options.add_options()
      ("db", "tandem database: the complete trials of an experiment", cxxopts::value<std::string>())
      ("experiment", "experiment in --db (default: the only one)",
       cxxopts::value<std::string>()->default_value(""))
      ("table", "benchmark CSV, one row per architecture", cxxopts::value<std::string>())
      ("space", "space of the --table's architecture strings (e.g. nb201)",
       cxxopts::value<std::string>())
      ("key", "--table column holding the architecture strings",
       cxxopts::value<std::string>()->default_value("arch_str"))
      ("target", "metric (--db) or column (--table) to predict, METRIC[:max|min] "
       "(--db: the objective's direction by default, else max)", cxxopts::value<std::string>())
      ("predictor", "ridge, gp, xgboost, mlp_ensemble, pretrained, ...",
       cxxopts::value<std::string>())
      ("predictor-options", "the predictor's options as YAML, e.g. '{alpha: 0.1}'",
       cxxopts::value<std::string>()->default_value("{}"))
      ("encoding", "one_hot, adjacency or path (default: path for mlp_ensemble, else one_hot)",
       cxxopts::value<std::string>()->default_value(""))
      ("features", "extra numeric columns/metrics appended to the encoding, e.g. flops,params",
       cxxopts::value<std::string>()->default_value(""))
      ("train", "number of training architectures", integer_value())
      ("test", "number of test architectures", integer_value())
      ("seed", "seed of the split and the predictor", integer_value("0"))
      ("repeats", "average over this many splits (seeds S, S+1, ...)", integer_value("1"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {}, args)) return 0;

  const bool from_db = args.count("db") > 0, from_table = args.count("table") > 0;
  if (from_db == from_table)
    throw Error("give exactly one of --db DB or --table CSV (with --space NAME)");
  for (const char* required : {"target", "predictor", "train", "test"})
    if (!args.count(required)) throw Error(std::string("missing --") + required);
  if (from_table && !args.count("space")) throw Error("--table needs --space NAME (e.g. nb201)");
  if (from_db && args.count("space"))
    throw Error("--space is for --table; --db rebuilds the experiment's own space");

  const std::string predictor_name = args["predictor"].as<std::string>();
  predictor_registry().require(predictor_name);
  const ConfigNode predictor_options =
      ConfigNode::parse(args["predictor-options"].as<std::string>(), "--predictor-options");
  std::string encoding_text = args["encoding"].as<std::string>();
  if (encoding_text.empty()) encoding_text = predictor_name == "mlp_ensemble" ? "path" : "one_hot";
  const EncodingKind encoding = parse_encoding_kind(encoding_text);
  const std::vector<std::string> features = split_list(args["features"].as<std::string>());

  const long long train_size = integer_option(args, "train", 1, kNoUpperBound);
  const long long test_size = integer_option(args, "test", 2, kNoUpperBound);
  const long long repeats = integer_option(args, "repeats", 1, kNoUpperBound);
  const std::uint64_t seed = seed_option(args);

  const std::string target_text = args["target"].as<std::string>();
  std::string target = target_text;
  std::optional<bool> minimize;
  if (const auto colon = target_text.rfind(':'); colon != std::string::npos) {
    const std::string direction = target_text.substr(colon + 1);
    if (direction != "min" && direction != "max")
      throw Error("--target '" + target_text + "': direction must be min or max");
    minimize = direction == "min";
    target = target_text.substr(0, colon);
  }

  LabelledSet set;
  if (from_table) {
    set = load_table(args["table"].as<std::string>(), args["space"].as<std::string>(),
                     args["key"].as<std::string>(), target, features);
  } else {
    set = load_db(args["db"].as<std::string>(), args["experiment"].as<std::string>(), target,
                  features);
    if (!minimize) {
      TrialStore store(args["db"].as<std::string>(), TrialStore::Mode::read_only);
      for (const auto& objective :
           stored_objectives(select_experiment(store, args["experiment"].as<std::string>())))
        if (objective.metric == target) minimize = objective.minimize;
    }
  }
  set.minimize = minimize.value_or(false);
  const auto available = static_cast<long long>(set.candidates.size());
  if (train_size + test_size > available)
    throw Error("--train " + std::to_string(train_size) + " + --test " +
                std::to_string(test_size) + " = " + std::to_string(train_size + test_size) +
                " exceeds the " + std::to_string(available) + " architectures with a finite '" +
                target + "' in " + set.source);

  Scores mean;
  for (long long r = 0; r < repeats; ++r) {
    const Scores s = evaluate_once(set, predictor_name, predictor_options, encoding, features,
                                   static_cast<std::size_t>(train_size),
                                   static_cast<std::size_t>(test_size),
                                   seed + static_cast<std::uint64_t>(r));
    mean.tau += s.tau / static_cast<double>(repeats);
    mean.rho += s.rho / static_cast<double>(repeats);
    mean.top10 += s.top10 / static_cast<double>(repeats);
  }
  std::cout << "kendall_tau spearman_rho top10_precision\n"
            << std::fixed << std::setprecision(4) << mean.tau << " " << mean.rho << " "
            << mean.top10 << "\n";
  return 0;
}

}  // namespace

int cli_predict(int argc, char** argv) {
  const std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "eval") {
    std::string program = "tandem predict eval";
    std::vector<char*> args(argv + 1, argv + argc);
    args[0] = program.data();
    return predict_eval(static_cast<int>(args.size()), args.data());
  }
  throw Error((sub.empty() ? std::string("missing subcommand") : "unknown subcommand '" + sub + "'") +
              "; accepted: eval");
}

}  // namespace tandem
