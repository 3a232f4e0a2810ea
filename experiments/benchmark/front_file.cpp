// Reading and writing the exact front's cache file (see front_file.hpp).
#include "experiments/benchmark/front_file.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

std::string exact_number(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::optional<double> number_text(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string objectives_text(const std::vector<Objective>& objectives) {
  std::vector<std::string> parts;
  for (const auto& objective : objectives) parts.push_back(objective.to_string());
  return join(parts, ",");
}

}  // namespace

std::string front_fingerprint(const ExperimentConfig& config) {
  std::string text = "space " + config.space.node.to_yaml() + "\nevaluators";
  for (const auto& evaluator : config.evaluators) text += "\n" + evaluator.node.to_yaml();
  for (const auto& objective : config.objectives) text += "\nobjective " + objective.to_string();
  for (const auto& constraint : config.constraints) text += "\nconstraint " + constraint.text;
  char buffer[20];
  std::snprintf(buffer, sizeof buffer, "%016llx",
                static_cast<unsigned long long>(fnv1a(text)));
  return buffer;
}

std::string default_front_path(const ExperimentConfig& config) {
  const std::filesystem::path source(config.source);
  return (std::filesystem::path(config.directory) / (source.stem().string() + ".front.csv"))
      .string();
}

void write_front_file(const std::string& path, const ExactFront& front,
                      const std::string& fingerprint) {
  std::ostringstream out;
  out << "# tandem exact Pareto front (tandem bench front)\n"
      << "# fingerprint: " << fingerprint << "\n"
      << "# objectives: " << objectives_text(front.objectives) << "\n"
      << "# constraints: " << join(front.constraints, "; ") << "\n"
      << "# networks: " << exact_number(front.networks) << "\n"
      << "# accelerators: " << exact_number(front.accelerators) << "\n"
      << "# pairs: " << exact_number(front.pairs) << "\n"
      << "# complete_pairs: " << exact_number(front.complete_pairs) << "\n"
      << "# seconds: " << exact_number(front.seconds) << "\n"
      << "point,candidate";
  for (const auto& objective : front.objectives) out << "," << csv_field(objective.metric);
  out << "\n";
  for (std::size_t p = 0; p < front.points.size(); ++p)
    for (const auto& candidate : front.candidates[p]) {
      out << p << "," << csv_field(candidate);
      for (std::size_t j = 0; j < front.objectives.size(); ++j) {
        const double value = front.objectives[j].minimize ? front.points[p][j] : -front.points[p][j];
        out << "," << exact_number(value);
      }
      out << "\n";
    }
  // Written whole to a temporary file, then renamed: a cache is never half written.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    if (!file) throw Error(path + ": cannot write the front file");
    file << out.str();
    file.flush();
    if (!file) throw Error(path + ": cannot write the front file (disk full?)");
  }
  std::filesystem::rename(temporary, path);
}

std::optional<ExactFront> read_front_file(const std::string& path,
                                          const std::string& expected_fingerprint) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::stringstream whole;
  whole << file.rdbuf();
  const std::string text = whole.str();
  ExactFront front;
  std::string fingerprint, objectives;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  std::string csv;
  while (std::getline(lines, line)) {
    ++number;
    if (line.rfind("# ", 0) != 0) {
      csv += line + "\n";
      continue;
    }
    csv += "\n";  // keep line numbers of the CSV part equal to the file's
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(2, colon - 2), value = line.substr(colon + 2);
    auto number_of = [&](const std::string& v) {
      auto parsed = number_text(v);
      if (!parsed) throw ParseError(path + ":" + std::to_string(number) + ": '" + key + "' is '" + v + "', expected a number");
      return *parsed;
    };
    if (key == "fingerprint") fingerprint = value;
    if (key == "objectives") objectives = value;
    if (key == "constraints" && !value.empty()) front.constraints = split(value, ';');
    if (key == "networks") front.networks = number_of(value);
    if (key == "accelerators") front.accelerators = number_of(value);
    if (key == "pairs") front.pairs = number_of(value);
    if (key == "complete_pairs") front.complete_pairs = number_of(value);
    if (key == "seconds") front.seconds = number_of(value);
  }
  if (fingerprint.empty())
    throw ParseError(path + ": not a front file of tandem bench front (no '# fingerprint:' line)");
  if (fingerprint != expected_fingerprint)
    throw Error(path + ": the front of another config (fingerprint " + fingerprint + ", this config " +
                expected_fingerprint + "); run tandem bench front on this config to rebuild it");
  for (auto& constraint : front.constraints) constraint = trim(constraint);
  for (const auto& item : split(objectives, ',')) {
    const std::string entry = trim(item);
    const auto at = entry.rfind(':');
    if (at == std::string::npos || (entry.substr(at) != ":min" && entry.substr(at) != ":max"))
      throw ParseError(path + ": objectives '" + objectives + "': expected METRIC:min|max, ...");
    front.objectives.emplace_back(entry.substr(0, at), entry.substr(at) == ":min");
  }
  const CsvTable table = CsvTable::parse(csv, path);
  const std::size_t point_column = table.require_column("point");
  const std::size_t candidate_column = table.require_column("candidate");
  std::vector<std::size_t> columns;
  for (const auto& objective : front.objectives) columns.push_back(table.require_column(objective.metric));
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const auto& row = table.row(r);
    const std::string where = path + ":" + std::to_string(table.line_of(r));
    auto point = parse_unsigned_decimal(trim(row[point_column]));
    if (!point || static_cast<std::size_t>(*point) > front.points.size())
      throw ParseError(where + ": point '" + row[point_column] + "' is not the current or next point number");
    if (static_cast<std::size_t>(*point) == front.points.size()) {
      ObjectiveVector values;
      for (std::size_t j = 0; j < columns.size(); ++j) {
        auto value = number_text(trim(row[columns[j]]));
        if (!value) throw ParseError(where + ": '" + front.objectives[j].metric + "' is '" + row[columns[j]] + "', expected a number");
        values.push_back(front.objectives[j].minimize ? *value : -*value);
      }
      front.points.push_back(values);
      front.candidates.emplace_back();
    }
    front.candidates.back().push_back(row[candidate_column]);
  }
  return front;
}

}  // namespace tandem
