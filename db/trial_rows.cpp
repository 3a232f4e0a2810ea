// Row <-> record mapping of the trial store (see trial_rows.hpp).
#include "db/trial_rows.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>

#include "core/error.hpp"

namespace tandem::trial_rows {

namespace {

std::string two_digits(int value) {
  return (value < 10 ? "0" : "") + std::to_string(value);
}

}  // namespace

std::string now_utc() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {  // before 1970: keep the remainder positive
    millis += 1000;
    seconds -= 1;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::string millis_text = std::to_string(millis);
  return std::to_string(utc.tm_year + 1900) + "-" + two_digits(utc.tm_mon + 1) + "-" +
         two_digits(utc.tm_mday) + "T" + two_digits(utc.tm_hour) + ":" + two_digits(utc.tm_min) +
         ":" + two_digits(utc.tm_sec) + "." + std::string(3 - millis_text.size(), '0') +
         millis_text + "Z";
}

const char* value_kind(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return "finite";
}

void bind_value(sqlite::Statement& statement, int index, double value) {
  if (std::isfinite(value)) {
    statement.bind(index, value);
  } else {
    statement.bind_null(index);
  }
  statement.bind(index + 1, value_kind(value));
}

double read_value(const sqlite::Statement& statement, int value_column, int kind_column,
                  const std::string& path) {
  std::string kind = statement.column_text(kind_column);
  if (kind == "finite") return statement.column_double(value_column);
  if (kind == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (kind == "inf") return std::numeric_limits<double>::infinity();
  if (kind == "-inf") return -std::numeric_limits<double>::infinity();
  throw Error("trial database '" + path + "': unknown value_kind '" + kind + "'");
}

void check_metric_names(const Metrics& values, const std::string& path) {
  for (const auto& [name, value] : values) {
    if (name.empty() || name.find('\0') != std::string::npos) {
      throw Error("trial database '" + path +
                  "': metric names must be non-empty text without "
                  "NUL characters");
    }
  }
}

const char* const kTrialColumns =
    "id, experiment_id, number, state, space, candidate, accelerator, reason, worker, started, "
    "finished, ask_seq, tell_seq, retry_of, failure_cause";

TrialRecord read_trial(const sqlite::Statement& row) {
  TrialRecord trial;
  trial.id = row.column_int64(0);
  trial.experiment_id = row.column_int64(1);
  trial.number = static_cast<int>(row.column_int64(2));
  trial.state = trial_status_from_string(row.column_text(3));
  trial.space = row.column_text(4);
  trial.candidate = row.column_text(5);
  trial.accelerator = row.column_text(6);
  trial.reason = row.column_text(7);
  trial.worker = row.column_text(8);
  trial.started = row.column_text(9);
  trial.finished = row.column_text(10);  // NULL while running reads as ""
  if (!row.is_null(11)) trial.ask_seq = row.column_int64(11);
  if (!row.is_null(12)) trial.tell_seq = row.column_int64(12);
  if (!row.is_null(13)) trial.retry_of = static_cast<int>(row.column_int64(13));
  trial.cause = failure_cause_from_string(row.column_text(14));
  return trial;
}

ExperimentRecord read_experiment(const sqlite::Statement& row) {
  ExperimentRecord experiment;
  experiment.id = row.column_int64(0);
  experiment.name = row.column_text(1);
  experiment.config_text = row.column_text(2);
  // SQLite integers are signed 64-bit: seeds >= 2^63 are stored as their two's complement.
  experiment.seed = static_cast<std::uint64_t>(row.column_int64(3));
  experiment.status = row.column_text(4);
  experiment.created = row.column_text(5);
  return experiment;
}

const char* const kExperimentColumns = "id, name, config_text, seed, status, created";

}  // namespace tandem::trial_rows
