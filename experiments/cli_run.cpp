// `tandem run CONFIG [--db PATH] [--resume] [--trials N] [--seed S] [--quiet]`: runs or resumes an
// experiment, then prints its best trials.
#include <iostream>

#include "core/text.hpp"
#include "experiments/cli_commands.hpp"
#include "experiments/cli_options.hpp"
#include "experiments/trial_loop.hpp"
#include "experiments/trial_report.hpp"

namespace tandem {

int cli_run(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Run (or resume) the search an experiment config describes.");
  options.add_options()("db", "SQLite database file (default: the config's `database`)",
                        cxxopts::value<std::string>())(
      "resume", "continue the experiment stored in the database")(
      "trials", "trial budget (overrides budget.trials)", cxxopts::value<long long>())(
      "seed", "random seed (overrides seed)", cxxopts::value<long long>())(
      "quiet", "no progress line");
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"CONFIG"}, args)) return 0;

  ExperimentConfig config = ExperimentConfig::load(args["CONFIG"].as<std::string>());
  if (args.count("seed")) {
    long long seed = args["seed"].as<long long>();
    if (seed < 0) throw Error("--seed " + std::to_string(seed) + ": expected an integer >= 0");
    config.seed = static_cast<std::uint64_t>(seed);
  }
  RunOptions run;
  run.resume = args.count("resume") > 0;
  run.show_progress = args.count("quiet") == 0;
  if (args.count("trials")) {
    long long trials = args["trials"].as<long long>();
    if (trials <= 0) throw Error("--trials " + std::to_string(trials) + ": expected an integer >= 1");
    run.trials = trials;
  }
  std::string db_path = args.count("db") ? args["db"].as<std::string>() : config.database;
  if (db_path.empty())
    throw Error(config.source + ": no database given; set `database:` in the config or pass --db");

  // Build and validate everything before the database is opened, so bad input writes nothing.
  Experiment experiment(std::move(config));
  TrialStore store(db_path, TrialStore::Mode::read_write);
  install_stop_handlers();
  RunSummary summary = run_experiment(experiment, store, run);

  const auto& objectives = experiment.config().objectives;
  std::cout << "experiment '" << experiment.config().name << "' in " << db_path << ": "
            << summary.new_trials << " new trials in " << format_number(summary.seconds) << " s";
  if (summary.replayed) std::cout << " (resumed after " << summary.replayed << " stored trials";
  if (summary.replayed && summary.interrupted)
    std::cout << "; " << summary.interrupted << " interrupted trial(s) marked FAILED and re-run";
  if (summary.replayed) std::cout << ")";
  std::cout << (summary.stopped_by_signal ? " — stopped early; continue with --resume" : "")
            << "\n\nbest trials by " << objectives.front().to_string() << ":\n";
  print_table(std::cout, trials_table(store.trials(summary.experiment_id), objectives.front(), 5),
              "table");
  return summary.stopped_by_signal ? 130 : 0;
}

}  // namespace tandem
