// `tandem run CONFIG [--db PATH] [--resume] [--trials N] [--seed S] [--quiet] [--workers N]
// [--mpi] [--heartbeat-timeout S]`: runs or resumes an experiment, then prints its best trials
// (the Pareto front when it has several objectives).
// --workers N evaluates N trials at once on this machine; --mpi (under mpirun) makes rank 0 the
// coordinator and every other rank an evaluator (docs/distributed.md).
#include <exception>
#include <iostream>
#include <memory>

#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/runner/executors/mpi_executor.hpp"
#include "experiments/runner/trial_loop.hpp"
#include "experiments/cli/trial_report.hpp"

namespace tandem {
namespace {

ExperimentConfig load_config(const cxxopts::ParseResult& args) {
  ExperimentConfig config = ExperimentConfig::load(args["CONFIG"].as<std::string>());
  if (auto seed = optional_seed_option(args)) config.seed = *seed;
  return config;
}

void print_summary(const Experiment& experiment, TrialStore& store, const std::string& db_path,
                   const RunSummary& summary) {
  const auto& objectives = experiment.config().objectives;
  std::cout << "experiment '" << experiment.config().name << "' in " << db_path << ": "
            << summary.new_trials << " new trials in " << format_number(summary.seconds) << " s";
  if (summary.replayed) std::cout << " (resumed after " << summary.replayed << " stored trials";
  if (summary.replayed && summary.interrupted)
    std::cout << "; " << summary.interrupted << " interrupted trial(s) marked FAILED and re-run";
  if (summary.replayed) std::cout << ")";
  if (summary.lost)
    std::cout << "; " << summary.lost << " trial(s) lost with their worker, re-run";
  std::cout << (summary.stopped_by_signal ? " — stopped early; continue with --resume" : "");
  auto trials = store.trials(summary.experiment_id);
  if (objectives.size() >= 2) {
    // Multi-objective: the Pareto front on the objectives, and the stored hypervolume.
    std::vector<std::string> names;
    for (const auto& objective : objectives) names.push_back(objective.to_string());
    std::cout << "\n\npareto front (" << join(names, ", ") << "):\n";
    std::vector<std::string> columns;
    for (const auto& objective : objectives) columns.push_back(objective.metric);
    print_table(std::cout, trials_table(pareto_trials(trials, objectives), std::nullopt, 0, columns,
                                        true),
                "table");
    if (auto volume = store.experiment_value(summary.experiment_id, "hypervolume"))
      std::cout << "hypervolume: " << format_number(*volume) << "\n";
    return;
  }
  std::cout << "\n\nbest trials by " << objectives.front().to_string() << ":\n";
  print_table(std::cout, trials_table(trials, objectives.front(), 5, {}, true), "table");
}

}  // namespace

int cli_run(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Run (or resume) the search an experiment config describes.");
  options.add_options()("db", "SQLite database file (default: the config's `database`)",
                        cxxopts::value<std::string>())(
      "resume", "continue the experiment stored in the database")(
      "trials", "trial budget (overrides budget.trials)", integer_value())(
      "seed", "random seed (overrides seed)", integer_value())(
      "quiet", "no progress line")(
      "workers", "trials evaluated at once on this machine (default 1)", integer_value())(
      "mpi", "distributed run under mpirun: rank 0 coordinates, the other ranks evaluate")(
      "heartbeat-timeout",
      "with --mpi: seconds without a heartbeat before a busy rank is declared lost (default 60)",
      number_value());
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"CONFIG"}, args)) return 0;

  RunOptions run;
  run.resume = args.count("resume") > 0;
  run.show_progress = args.count("quiet") == 0;
  if (auto trials = optional_integer_option(args, "trials", 1, kNoUpperBound)) run.trials = trials;
  if (auto workers = optional_integer_option(args, "workers", 1, 4096))
    run.workers = static_cast<std::size_t>(*workers);
  const bool mpi = args.count("mpi") > 0;
  MpiOptions mpi_options;
  const std::string seconds_range = "seconds in (0, 86400]";
  if (auto given = optional_number_option(args, "heartbeat-timeout", seconds_range)) {
    const double timeout = *given;
    if (!(timeout > 0) || timeout > 86400)
      throw Error("--heartbeat-timeout " + format_number(timeout) + ": expected " + seconds_range);
    if (!mpi) throw Error("--heartbeat-timeout applies to --mpi runs only");
    mpi_options.heartbeat_timeout = timeout;
  }
  if (mpi && args.count("workers"))
    throw Error("--workers and --mpi cannot be combined: under --mpi every rank but rank 0 is one "
                "worker (start more ranks with mpirun -np K)");

  std::unique_ptr<MpiSession> session;
  if (mpi) session = std::make_unique<MpiSession>(&argc, &argv);  // one line without MPI
  if (session && session->rank() != 0) {
    // An evaluator rank: problems are reported by rank 0, so this rank stays quiet.
    std::unique_ptr<Experiment> experiment;
    std::exception_ptr setup_failure;
    try {
      experiment = std::make_unique<Experiment>(load_config(args));
    } catch (...) {
      setup_failure = std::current_exception();  // rank 0 reports it (an Error or a bug)
    }
    mpi_worker_loop(*session, experiment.get(), setup_failure, mpi_options,
                    signal_stop_source().token());
    return 0;
  }

  ExperimentConfig config = load_config(args);
  std::string db_path = args.count("db") ? args["db"].as<std::string>() : config.database;
  if (db_path.empty())
    throw Error(config.source + ": no database given; set `database:` in the config or pass --db");

  // Build and validate everything before the database is opened, so bad input writes nothing.
  Experiment experiment(std::move(config));
  // Ctrl-C / SIGTERM stop the run through this token once the handlers are installed below.
  run.stop = signal_stop_source().token();
  std::unique_ptr<TrialExecutor> executor;
  if (session) executor = make_mpi_executor(*session, experiment, mpi_options, run.stop);
  TrialStore store(db_path, TrialStore::Mode::read_write);
  install_stop_handlers();
  RunSummary summary = executor ? run_experiment(experiment, store, run, *executor)
                                : run_experiment(experiment, store, run);
  if (executor) executor->shutdown();
  print_summary(experiment, store, db_path, summary);
  return summary.stopped_by_signal ? 130 : 0;
}

}  // namespace tandem
