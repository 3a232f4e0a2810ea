// `tandem ask` and `tandem tell`: a tandem search driven from outside, one call at a time
// (Optuna's `optuna ask` / `optuna tell`; docs/ask-tell.md). `ask` prints the next candidate(s) as
// JSON (the `command` evaluator's trial document with the trial's number first) and stores them
// RUNNING; `tell` stores a trial's intermediate values and/or its result. The strategy's state
// carries over between calls as in one `tandem run` (experiments/runner/ask_tell.hpp).
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "core/error.hpp"
#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/trial_report.hpp"
#include "experiments/evaluators/command_protocol.hpp"
#include "experiments/runner/ask_tell.hpp"
#include "experiments/runner/trial_loop.hpp"

namespace tandem {
namespace {

using Json = nlohmann::ordered_json;

// "3.5", "nan", "inf", "-inf", "1e-3": the number; nullopt for anything else.
std::optional<double> parse_number(const std::string& text) {
  const std::string t = trim(text);
  if (t == "nan" || t == "NaN") return std::nan("");
  if (t == "inf" || t == "Infinity") return INFINITY;
  if (t == "-inf" || t == "-Infinity") return -INFINITY;
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// "name=value": the pair; a one-line Error naming the option otherwise.
std::pair<std::string, double> parse_assignment(const std::string& option, const std::string& text) {
  const std::size_t equals = text.find('=');
  const std::string name = equals == std::string::npos ? "" : trim(text.substr(0, equals));
  const auto value = equals == std::string::npos ? std::nullopt : parse_number(text.substr(equals + 1));
  if (name.empty() || !value)
    throw Error(option + " " + tandem::quoted(text) +
                ": expected name=number (a number, nan, inf or -inf), e.g. accuracy=91.5");
  return {name, *value};
}

// --values "a=1,b=2".
Metrics parse_values(const std::string& text) {
  Metrics values;
  for (const std::string& part : split(text, ',')) {
    if (trim(part).empty()) continue;
    auto [name, value] = parse_assignment("--values", part);
    if (values.has(name)) throw Error("--values: '" + name + "' is given twice");
    values.set(name, value);
  }
  return values;
}

// --intermediate STEP:name=value[,name=value...], given once per step. cxxopts splits a list
// option's values at commas, so an element without "STEP:" continues the step before it.
std::vector<std::pair<int, Metrics>> parse_intermediate(const std::vector<std::string>& items) {
  std::vector<std::pair<int, Metrics>> out;
  for (const std::string& item : items) {
    std::string assignment = item;
    const std::size_t colon = item.find(':');
    const std::size_t equals = item.find('=');
    if (colon != std::string::npos && (equals == std::string::npos || colon < equals)) {
      const std::string step_text = trim(item.substr(0, colon));
      const auto step = parse_integer_text(step_text);
      if (!step || *step < 0 || *step > INT_MAX)
        throw Error("--intermediate " + tandem::quoted(item) +
                    ": expected STEP:name=value with STEP a whole number >= 0, e.g. 3:loss=0.42");
      out.emplace_back(static_cast<int>(*step), Metrics{});
      assignment = item.substr(colon + 1);
    } else if (out.empty()) {
      throw Error("--intermediate " + tandem::quoted(item) +
                  ": expected STEP:name=value, e.g. 3:loss=0.42");
    }
    auto [name, value] = parse_assignment("--intermediate", assignment);
    if (out.back().second.has(name))
      throw Error("--intermediate: '" + name + "' is given twice for step " +
                  std::to_string(out.back().first));
    out.back().second.set(name, value);
  }
  return out;
}

TrialStatus parse_state(const std::string& text) {
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (TrialStatus status : {TrialStatus::complete, TrialStatus::pruned, TrialStatus::infeasible,
                             TrialStatus::failed})
    if (upper == to_string(status)) return status;
  throw Error("--state " + tandem::quoted(text) + ": expected complete, pruned, infeasible or failed");
}

Json values_json(const Metrics& values) {
  Json out = Json::object();
  for (const auto& [name, value] : values) {
    if (std::isfinite(value)) out[name] = value;
    else out[name] = std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  }
  return out;
}

// The session for --config FILE (created on first use) or --experiment NAME (the only one when
// not given).
std::unique_ptr<AskTellSession> open_session(TrialStore& store, const cxxopts::ParseResult& args) {
  const std::string config = args["config"].as<std::string>();
  const std::string name = args["experiment"].as<std::string>();
  if (!config.empty()) {
    if (!name.empty()) throw Error("give either --config or --experiment, not both");
    return std::make_unique<AskTellSession>(store, ExperimentConfig::load(config));
  }
  return std::make_unique<AskTellSession>(store, select_experiment(store, name).name);
}

void add_experiment_options(cxxopts::Options& options) {
  options.add_options()(
      "experiment", "the experiment's name (default: the only one in DB)",
      cxxopts::value<std::string>()->default_value(""))(
      "config", "an experiment config: creates the experiment on first use, then must match it",
      cxxopts::value<std::string>()->default_value(""));
}

}  // namespace

int cli_ask(int argc, char** argv) {
  cxxopts::Options options(
      argv[0],
      "Print the next candidate(s) of an experiment's strategy as JSON and store them as RUNNING "
      "trials (finish them with `tandem tell`). docs/ask-tell.md");
  add_experiment_options(options);
  options.add_options()("n", "how many candidates (a JSON list when more than 1)",
                        integer_value("1"))(
      "worker", "who evaluates them (stored with each trial; default host:pid)",
      cxxopts::value<std::string>()->default_value(""));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB"}, args)) return 0;
  const long long n = integer_option(args, "n", 1, 100000);
  std::string worker = args["worker"].as<std::string>();
  if (worker.empty()) worker = default_worker_name();

  TrialStore store(args["DB"].as<std::string>());
  std::unique_ptr<AskTellSession> session = open_session(store, args);
  const std::vector<TrialRecord> trials = session->ask(static_cast<std::size_t>(n), worker);
  const ExperimentConfig& config = session->experiment().config();
  const SearchSpace& space = session->experiment().space();
  Json list = Json::array();
  for (const TrialRecord& trial : trials) {
    const Candidate candidate = space.parse(trial.candidate);
    TrialDocumentFields fields{config.name, trial.number, trial_seed(config.seed, trial.candidate),
                               0, ""};
    Json doc = Json::object();
    doc["number"] = trial.number;
    const Json full = trial_document_json(space, candidate, fields);
    for (auto entry = full.begin(); entry != full.end(); ++entry)
      if (entry.key() != "trial" && entry.key() != "trial_dir" && entry.key() != "worker")
        doc[entry.key()] = *entry;
    list.push_back(std::move(doc));
  }
  if (trials.empty())
    std::cerr << "tandem ask: the strategy has nothing to propose now (it is finished, or waits "
                 "for the results of RUNNING trials)\n";
  if (n == 1) std::cout << (list.empty() ? Json(nullptr) : list.front()).dump() << "\n";
  else std::cout << list.dump() << "\n";
  return 0;
}

int cli_tell(int argc, char** argv) {
  cxxopts::Options options(
      argv[0],
      "Store a trial's intermediate values and/or finish it with its result; the strategy is told "
      "as in `tandem run`. docs/ask-tell.md");
  add_experiment_options(options);
  options.add_options()("trial", "the trial's number (from tandem ask)", integer_value())(
      "values", "final values: name=value[,name=value...]",
      cxxopts::value<std::string>()->default_value(""))(
      "state", "complete (default with --values), pruned, infeasible or failed",
      cxxopts::value<std::string>()->default_value(""))(
      "reason", "why it was pruned, infeasible or failed",
      cxxopts::value<std::string>()->default_value(""))(
      "intermediate",
      "STEP:name=value[,name=value...], once per step; alone, the trial stays RUNNING and the "
      "reply says whether the pruner would stop it",
      cxxopts::value<std::vector<std::string>>());
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"DB"}, args)) return 0;
  const auto number = optional_integer_option(args, "trial", 0, INT_MAX);
  if (!number) throw Error("--trial is required: the number `tandem ask` printed");
  TellRequest request;
  request.number = static_cast<int>(*number);
  request.values = parse_values(args["values"].as<std::string>());
  request.reason = args["reason"].as<std::string>();
  if (args.count("intermediate"))
    request.intermediate = parse_intermediate(args["intermediate"].as<std::vector<std::string>>());
  const std::string state = args["state"].as<std::string>();
  if (!state.empty()) request.state = parse_state(state);
  else if (!request.values.empty()) request.state = TrialStatus::complete;
  if (!request.state && request.intermediate.empty())
    throw Error("nothing to tell: give --values (and/or --state), or --intermediate");
  if (request.state == TrialStatus::complete && request.values.empty())
    throw Error("--state complete needs --values name=value[,...]");

  TrialStore store(args["DB"].as<std::string>());
  std::unique_ptr<AskTellSession> session = open_session(store, args);
  const TrialRecord trial = session->tell(request);
  Json out = Json::object();
  out["number"] = trial.number;
  out["state"] = to_string(trial.state);
  if (!trial.reason.empty()) out["reason"] = trial.reason;
  out["values"] = values_json(trial.values);
  if (!request.state) {
    const PruneAdvice advice = session->advise(trial.number, request.intermediate.back().first);
    out["step"] = advice.step;
    out["prune"] = advice.prune;
    if (advice.prune) out["prune_reason"] = advice.reason;
  }
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace tandem
