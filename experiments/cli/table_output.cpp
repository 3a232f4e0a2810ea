// Table / CSV / JSON printing (see table_output.hpp).
#include "experiments/cli/table_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "core/text.hpp"
#include "experiments/report/json_writer.hpp"

namespace tandem {
namespace {

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string json_string(const std::string& value) { return json_quote(value, /*html_safe=*/false); }

std::string json_value(const std::string& value) {
  if (value == "NULL" || value == "nan" || value == "inf" || value == "-inf" || value.empty())
    return value.empty() ? "\"\"" : "null";
  char* end = nullptr;
  double number = std::strtod(value.c_str(), &end);
  bool numeric = end && *end == '\0' && std::isfinite(number) &&
                 value.find_first_not_of("0123456789+-.eE") == std::string::npos;
  return numeric ? value : json_string(value);
}

}  // namespace

void check_output_format(const std::string& format) {
  if (format != "table" && format != "csv" && format != "json")
    throw Error("unknown output format '" + format + "'" +
                did_you_mean(format, {"table", "csv", "json"}) + "; accepted: table, csv, json");
}

void print_table(std::ostream& out, const TextTable& table, const std::string& format) {
  check_output_format(format);
  if (format == "csv") {
    std::vector<std::string> header;
    for (const auto& c : table.columns) header.push_back(csv_field(c));
    out << join(header, ",") << "\n";
    for (const auto& row : table.rows) {
      std::vector<std::string> fields;
      for (const auto& value : row) fields.push_back(csv_field(value));
      out << join(fields, ",") << "\n";
    }
    return;
  }
  if (format == "json") {
    out << "[";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      out << (r ? ",\n " : "\n ") << "{";
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        out << (c ? ", " : "") << json_string(table.columns[c]) << ": "
            << json_value(c < table.rows[r].size() ? table.rows[r][c] : "NULL");
      }
      out << "}";
    }
    out << (table.rows.empty() ? "]\n" : "\n]\n");
    return;
  }
  std::vector<std::size_t> widths(table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) widths[c] = table.columns[c].size();
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      std::string value = c < row.size() ? row[c] : "";
      if (c) line += "  ";
      line += value + std::string(widths[c] - value.size(), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  print_row(table.columns);
  std::vector<std::string> rule;
  for (auto w : widths) rule.push_back(std::string(w, '-'));
  print_row(rule);
  for (const auto& row : table.rows) print_row(row);
}

std::string fixed_decimals(double value, int digits) {
  if (std::isnan(value)) return "nan";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

}  // namespace tandem
