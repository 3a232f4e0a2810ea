// What the `command` evaluator and a user's own training program say to each other
// (docs/command-evaluator.md): the trial document tandem hands over (JSON, in the file named by
// TANDEM_TRIAL_FILE), the lines the program prints on stdout, and the reply lines tandem writes to
// its stdin. In the spirit of NNI's trial commands: one JSON object per stdout line, a line with
// "step" an intermediate report, a line without it final metrics, any other line the trial's log.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/trial.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

// The protocol's version, written into every trial document as "protocol".
inline constexpr int kCommandProtocolVersion = 1;

struct TrialDocumentFields {
  std::string experiment;
  int number = -1;
  std::uint64_t seed = 0;
  int worker_index = 0;
  std::string trial_dir;
};

// The trial document: protocol, experiment, trial, seed, worker, trial_dir, space, candidate,
// architecture, decisions (name, index, choice), accelerator (null, or model, parameters and its
// YAML text) and network (null for a space that does not lower to a network, else its input
// shape, classes, MACs, parameters, layers and outputs).
std::string trial_document(const SearchSpace& space, const Candidate& candidate,
                           const TrialDocumentFields& fields);
// The same document as a JSON value (what `tandem ask` prints, with the trial's number first).
nlohmann::ordered_json trial_document_json(const SearchSpace& space, const Candidate& candidate,
                                           const TrialDocumentFields& fields);

// The seed a trial's program gets: in [0, 2^31), derived from the experiment seed and the
// candidate's canonical string, so the same candidate always gets the same seed.
std::uint64_t trial_seed(std::uint64_t experiment_seed, const std::string& candidate_text);

// One line of the program's stdout.
struct ProgramLine {
  enum class Kind { log, intermediate, final, malformed };
  Kind kind = Kind::log;
  int step = 0;         // intermediate only
  Metrics values;       // intermediate and final
  std::string problem;  // malformed only: what is wrong, e.g. "value of 'loss' is \"high\": ..."
};

// A line whose first non-blank character is '{' and that reads as a JSON object is a report;
// anything else is log. Python's NaN, Infinity and -Infinity (what json.dumps writes for
// non-finite floats) are read as numbers, as are the strings "nan", "inf" and "-inf". A report with
// a value that is not a number, or a step that is not a whole number in [0, 2^31), is malformed.
ProgramLine parse_program_line(std::string_view line);

// {"step": S, "prune": true|false}: tandem's answer to an intermediate report at step S.
std::string reply_line(std::optional<int> step, bool prune);

}  // namespace tandem
