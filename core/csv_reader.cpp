// CSV reading (see csv_reader.hpp).
#include "core/csv_reader.hpp"

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/one_line.hpp"
#include "core/text.hpp"

namespace tandem {

CsvTable CsvTable::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the CSV file for reading");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

CsvTable CsvTable::parse(const std::string& text, const std::string& source) {
  CsvTable table;
  table.source_ = source;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false, field_started = false;
  std::size_t line = 1, record_line = 1;

  auto end_record = [&] {
    record.push_back(field);
    field.clear();
    field_started = false;
    bool blank = record.size() == 1 && trim(record[0]).empty();
    if (!blank) {
      if (table.header_.empty()) {
        table.header_ = record;
        for (auto& name : table.header_) name = trim(name);
      } else {
        if (record.size() != table.header_.size())
          throw ParseError(source + ":" + std::to_string(record_line) + ": expected " +
                           std::to_string(table.header_.size()) + " fields (" +
                           one_line(join(table.header_, ",")) + "), got " + std::to_string(record.size()));
        table.rows_.push_back(record);
        table.lines_.push_back(record_line);
      }
    }
    record.clear();
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        if (field_started && !field.empty())
          throw ParseError(source + ":" + std::to_string(line) +
                           ": a quote inside an unquoted field");
        in_quotes = true;
        field_started = true;
        break;
      case ',':
        record.push_back(field);
        field.clear();
        field_started = false;
        break;
      case '\r':
        break;
      case '\n':
        end_record();
        ++line;
        record_line = line;
        break;
      default:
        field += c;
        field_started = true;
    }
  }
  if (in_quotes)
    throw ParseError(source + ":" + std::to_string(record_line) + ": unterminated quoted field");
  if (!field.empty() || !record.empty()) end_record();
  if (table.header_.empty()) throw ParseError(source + ": empty CSV file (no header line)");
  return table;
}

std::optional<std::size_t> CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return i;
  return std::nullopt;
}

std::size_t CsvTable::require_column(const std::string& name) const {
  if (auto index = column(name)) return *index;
  throw Error(source_ + ": no column '" + one_line(name) + "'" +
              one_line(did_you_mean(name, header_)) + "; columns: " + one_line(join(header_, ", ")));
}

}  // namespace tandem
