// Evaluator "command": runs a user's own program per trial (NNI's trial command, the way a
// researcher plugs a GPU training script into a search). The candidate is handed over as a JSON
// document in a file whose path is in TANDEM_TRIAL_FILE, its main fields also as variables; the
// program reports on stdout, one JSON object per line (command_protocol.hpp); tandem answers each
// step report on the program's stdin ({"step": S, "prune": false}), and once a pruner or Ctrl-C
// stops the trial it says {"prune": true}, waits grace_seconds and then sends SIGTERM to the
// program's process group (SIGKILL after another grace period). A timeout, a non-zero exit, a
// malformed report or an exit without final metrics makes a FAILED trial whose reason quotes the
// end of the program's stderr. The whole protocol: docs/command-evaluator.md.
#include <signal.h>

#include <cctype>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <unistd.h>

#include "core/text.hpp"
#include "experiments/evaluators/child_process.hpp"
#include "experiments/evaluators/command_protocol.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"

extern char** environ;

namespace tandem {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct CommandOptions {
  std::vector<std::string> argv;  // {"/bin/sh", "-c", text} for a command given as one string
  std::string display;            // the command as the user wrote it, for messages
  std::string workdir;
  std::string trials_dir;
  double timeout_seconds = 0.0;  // 0: no limit
  double grace_seconds = 5.0;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::pair<std::string, std::vector<std::string>>> worker_env;
  std::vector<std::string> metrics;  // declared final metrics (empty: not known in advance)
};

constexpr std::size_t kTailLines = 12;
constexpr std::size_t kTailBytes = 600;

// The last lines of a stream, joined for a one-line reason: "line | line | line".
std::string tail_text(const std::deque<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) {
    std::string trimmed = trim(line);
    if (trimmed.empty()) continue;
    if (!text.empty()) text += " | ";
    text += trimmed;
  }
  if (text.size() > kTailBytes) {
    std::size_t cut = text.size() - kTailBytes;
    while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
    text = "..." + text.substr(cut);
  }
  return text;
}

void keep_tail(std::deque<std::string>& tail, const std::string& line) {
  tail.push_back(line.size() > kTailBytes ? line.substr(0, kTailBytes) : line);
  if (tail.size() > kTailLines) tail.pop_front();
}

std::string seconds_text(double seconds) { return format_number(seconds) + " s"; }

class CommandEvaluator final : public Evaluator {
 public:
  CommandEvaluator(const SearchSpace& space, CommandOptions options, std::uint64_t seed,
                   std::string experiment)
      : space_(space), options_(std::move(options)), seed_(seed), experiment_(std::move(experiment)) {}

  std::vector<std::string> metric_names() const override { return options_.metrics; }

  TrialResult evaluate(const Candidate& candidate, Reporter& reporter) override {
    const TrialContext trial = reporter.trial();
    const fs::path folder = trial_folder(trial);
    std::error_code error;
    fs::create_directories(folder, error);
    if (error)
      return TrialResult::failed("command: cannot create the trial folder '" + folder.string() +
                                 "': " + error.message());
    const std::string candidate_text = space_.to_string(candidate);
    const std::uint64_t seed = trial_seed(seed_, candidate_text);

    TrialDocumentFields fields{experiment_, trial.number, seed, trial.worker_index, folder.string()};
    const fs::path trial_file = folder / "trial.json";
    {
      std::ofstream out(trial_file, std::ios::trunc);
      out << trial_document(space_, candidate, fields);
      if (!out.flush())
        return TrialResult::failed("command: cannot write '" + trial_file.string() + "'");
    }
    std::ofstream stdout_log(folder / "stdout.log", std::ios::trunc);
    std::ofstream stderr_log(folder / "stderr.log", std::ios::trunc);

    ChildSpec spec{options_.argv, environment(trial, fields, candidate, trial_file),
                   options_.workdir};
    ChildProcess child(spec);

    const auto started = Clock::now();
    const auto grace = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options_.grace_seconds));
    std::optional<Clock::time_point> stop_sent, term_sent, killed, exit_seen;
    bool timed_out = false;
    std::optional<int> last_step;
    Metrics final_metrics;
    bool reported_final = false;
    std::string malformed;
    std::deque<std::string> stderr_tail, stdout_tail;
    long long stdout_line = 0;

    auto terminate = [&](Clock::time_point now) {
      if (!term_sent) {
        child.signal_group(SIGTERM);
        term_sent = now;
      }
    };

    for (;;) {
      for (const ChildProcess::Line& line : child.read_lines(std::chrono::milliseconds(50))) {
        if (line.stream == ChildProcess::Stream::err) {
          stderr_log << line.text << '\n';
          keep_tail(stderr_tail, line.text);
          continue;
        }
        ++stdout_line;
        stdout_log << line.text << '\n';
        if (!malformed.empty()) continue;
        ProgramLine parsed = parse_program_line(line.text);
        switch (parsed.kind) {
          case ProgramLine::Kind::log:
            keep_tail(stdout_tail, line.text);
            break;
          case ProgramLine::Kind::malformed:
            malformed = "stdout line " + std::to_string(stdout_line) + ": " + parsed.problem;
            terminate(Clock::now());
            break;
          case ProgramLine::Kind::final:
            reported_final = true;
            for (const auto& [name, value] : parsed.values) final_metrics.set(name, value);
            break;
          case ProgramLine::Kind::intermediate:
            // May raise tandem::Error (e.g. a metric reported twice at one step): the trial then
            // fails with that message, and ~ChildProcess ends the program.
            if (!parsed.values.empty()) reporter.report(parsed.step, parsed.values);
            last_step = parsed.step;
            const bool stop = reporter.should_stop();
            child.write_line(reply_line(parsed.step, stop));
            if (stop && !stop_sent) stop_sent = Clock::now();
            break;
        }
      }
      const auto now = Clock::now();
      if (!exit_seen && child.poll_exit()) exit_seen = now;
      if (exit_seen) {
        // The program has ended; what it started may still hold its streams open.
        if (!child.streams_open()) break;
        if (now - *exit_seen > std::chrono::seconds(1)) {
          child.signal_group(SIGKILL);
          child.close_streams();
          break;
        }
        continue;
      }
      if (!stop_sent && reporter.should_stop()) {
        child.write_line(reply_line(last_step, true));
        stop_sent = now;
      }
      if (stop_sent && now - *stop_sent >= grace) terminate(now);
      if (options_.timeout_seconds > 0 && !timed_out &&
          now - started >= std::chrono::duration<double>(options_.timeout_seconds)) {
        timed_out = true;
        terminate(now);
      }
      if (term_sent && !killed && now - *term_sent >= grace) {
        child.signal_group(SIGKILL);
        killed = now;
      }
    }
    const ExitStatus status = *child.poll_exit();
    stdout_log.flush();
    stderr_log.flush();
    return result(status, timed_out, stop_sent.has_value(), last_step, malformed, reported_final,
                  std::move(final_metrics), stderr_tail, stdout_tail);
  }

 private:
  fs::path trial_folder(const TrialContext& trial) {
    if (trial.number >= 0)
      return fs::path(options_.trials_dir) / ("trial-" + std::to_string(trial.number));
    return fs::path(options_.trials_dir) /
           ("evaluation-" + std::to_string(::getpid()) + "-" + std::to_string(++evaluations_));
  }

  std::vector<std::string> environment(const TrialContext& trial, const TrialDocumentFields& fields,
                                       const Candidate& candidate, const fs::path& trial_file) {
    std::map<std::string, std::string> variables;
    for (char** entry = environ; entry && *entry; ++entry) {
      std::string text(*entry);
      const std::size_t equals = text.find('=');
      if (equals != std::string::npos) variables[text.substr(0, equals)] = text.substr(equals + 1);
    }
    // Python block-buffers a piped stdout: reports would arrive only at exit.
    variables.try_emplace("PYTHONUNBUFFERED", "1");
    variables["TANDEM_TRIAL_FILE"] = trial_file.string();
    variables["TANDEM_TRIAL_DIR"] = fields.trial_dir;
    variables["TANDEM_TRIAL_NUMBER"] = std::to_string(trial.number);
    variables["TANDEM_EXPERIMENT"] = experiment_;
    variables["TANDEM_SPACE"] = space_.name();
    variables["TANDEM_CANDIDATE"] = space_.to_string(candidate);
    variables["TANDEM_ACCELERATOR"] = space_.accelerator_string(candidate);
    variables["TANDEM_SEED"] = std::to_string(fields.seed);
    variables["TANDEM_WORKER_INDEX"] = std::to_string(trial.worker_index);
    for (const auto& [name, value] : options_.env) variables[name] = value;
    for (const auto& [name, values] : options_.worker_env)
      variables[name] = values[static_cast<std::size_t>(trial.worker_index) % values.size()];
    std::vector<std::string> out;
    out.reserve(variables.size());
    for (const auto& [name, value] : variables) out.push_back(name + "=" + value);
    return out;
  }

  TrialResult result(const ExitStatus& status, bool timed_out, bool stopped,
                     std::optional<int> last_step, const std::string& malformed,
                     bool reported_final, Metrics final_metrics,
                     const std::deque<std::string>& stderr_tail,
                     const std::deque<std::string>& stdout_tail) const {
    auto with_output = [&](std::string reason) {
      const std::string err = tail_text(stderr_tail);
      const std::string out = tail_text(stdout_tail);
      if (!err.empty()) reason += "; stderr ends: " + err;
      else if (!out.empty()) reason += "; stdout ends: " + out;
      else reason += "; it printed nothing";
      return reason;
    };
    const std::string who = "command '" + excerpt(options_.display, 60) + "'";
    if (!malformed.empty())
      return TrialResult::failed(who + " printed a malformed report, " + malformed, final_metrics);
    if (timed_out)
      return TrialResult::failed(with_output(who + " timed out after " +
                                             seconds_text(options_.timeout_seconds)),
                                 final_metrics);
    if (stopped)
      return TrialResult::pruned(
          "pruned: stopped after step " + (last_step ? std::to_string(*last_step) : "(none)"),
          final_metrics);
    if (!status.success())
      return TrialResult::failed(with_output(who + " " + status.describe()), final_metrics);
    if (!reported_final)
      return TrialResult::failed(
          with_output(who + " exited without reporting final metrics (a JSON line without "
                            "\"step\", e.g. {\"accuracy\": 91.2})"));
    for (const std::string& name : options_.metrics)
      if (!final_metrics.has(name))
        return TrialResult::failed(who + " did not report '" + name +
                                       "', which its options declare under metrics",
                                   final_metrics);
    return TrialResult::complete(std::move(final_metrics));
  }

  const SearchSpace& space_;
  CommandOptions options_;
  std::uint64_t seed_;
  std::string experiment_;
  long long evaluations_ = 0;
};

bool valid_variable_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

double seconds_option(const ConfigNode& options, const std::string& key, double fallback) {
  if (!options.has(key)) return fallback;
  const double value = options.get_double(key);
  if (!(value >= 0.0) || value > 1.0e7)
    options.at(key).fail(key + " " + options.at(key).scalar_text() +
                         ": expected a number of seconds in [0, 10000000]");
  return value;
}

fs::path resolve(const std::string& path, const std::string& base) {
  fs::path p(path);
  if (p.is_relative() && !base.empty()) p = fs::path(base) / p;
  return fs::absolute(p).lexically_normal();
}

CommandOptions parse_options(const EvaluatorContext& context) {
  const ConfigNode& options = context.options;
  options.check_keys({"command", "workdir", "trials_dir", "timeout_seconds", "grace_seconds", "env",
                      "worker_env", "metrics"});
  CommandOptions parsed;
  const ConfigNode command = options.at("command");
  if (command.is_sequence()) {
    parsed.argv = command.as_string_list();
    if (parsed.argv.empty() || parsed.argv[0].empty())
      command.fail("command: expected a program and its arguments, e.g. [python3, train.py]");
    parsed.display = join(parsed.argv, " ");
  } else {
    const std::string text = command.as_string();
    if (trim(text).empty())
      command.fail("command is empty: expected a shell command, e.g. \"python3 train.py\"");
    parsed.argv = {"/bin/sh", "-c", text};
    parsed.display = text;
  }
  const std::string base = context.config_dir.empty() ? "." : context.config_dir;
  parsed.workdir = resolve(options.get_string("workdir", "."), base).string();
  const std::string experiment = context.experiment.empty() ? "adhoc" : context.experiment;
  parsed.trials_dir =
      resolve(options.get_string("trials_dir", "tandem-trials/" + experiment), base).string();
  parsed.timeout_seconds = seconds_option(options, "timeout_seconds", 0.0);
  parsed.grace_seconds = seconds_option(options, "grace_seconds", 5.0);
  if (options.has("env")) {
    const ConfigNode env = options.at("env");
    if (!env.is_map()) env.fail("env: expected a mapping of variable names to values");
    for (const std::string& name : env.keys()) {
      if (!valid_variable_name(name))
        env.at(name).fail("env: '" + name + "' is not a variable name (letters, digits, _)");
      parsed.env.emplace_back(name, env.at(name).as_string());
    }
  }
  if (options.has("worker_env")) {
    const ConfigNode env = options.at("worker_env");
    if (!env.is_map())
      env.fail("worker_env: expected a mapping of variable names to lists, one value per worker, "
               "e.g. {CUDA_VISIBLE_DEVICES: [\"0\", \"1\"]}");
    for (const std::string& name : env.keys()) {
      const ConfigNode values = env.at(name);
      if (!valid_variable_name(name))
        values.fail("worker_env: '" + name + "' is not a variable name (letters, digits, _)");
      if (!values.is_sequence() || values.size() == 0)
        values.fail("worker_env: expected a non-empty list of values (worker i gets value "
                    "i modulo the list's length)");
      parsed.worker_env.emplace_back(name, values.as_string_list());
    }
  }
  if (options.has("metrics")) parsed.metrics = options.at("metrics").as_distinct_string_list("metric");
  return parsed;
}

}  // namespace

void register_command_evaluator(EvaluatorRegistry& registry) {
  registry.add("command", "external",
               "runs your own program per trial (NNI-style trial command): command, workdir, "
               "trials_dir, timeout_seconds, grace_seconds, env, worker_env, metrics "
               "(docs/command-evaluator.md)",
               [](const EvaluatorContext& context) -> std::unique_ptr<Evaluator> {
                 return std::make_unique<CommandEvaluator>(context.space, parse_options(context),
                                                           context.seed, context.experiment);
               });
}

}  // namespace tandem
