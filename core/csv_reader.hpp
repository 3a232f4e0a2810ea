// CsvTable: a whole CSV file (RFC 4180: comma separated, optional double-quoted fields with ""
// escapes, first line = header) read into memory, with errors that name file:line.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tandem {

class CsvTable {
 public:
  // Reads `path`; a row with the wrong number of fields or an unterminated quote raises
  // tandem::ParseError "path:line: ...".
  static CsvTable read(const std::string& path);
  static CsvTable parse(const std::string& text, const std::string& source);

  const std::vector<std::string>& header() const { return header_; }
  std::size_t rows() const { return rows_.size(); }
  const std::vector<std::string>& row(std::size_t index) const { return rows_[index]; }
  // Line number (1-based) of a data row in the file.
  std::size_t line_of(std::size_t index) const { return lines_[index]; }
  std::optional<std::size_t> column(const std::string& name) const;
  // Column index or an error listing the header.
  std::size_t require_column(const std::string& name) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> lines_;
};

}  // namespace tandem
