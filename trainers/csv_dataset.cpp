// CSV dataset reader on top of core/csv_reader (see csv_dataset.hpp).
#include "trainers/csv_dataset.hpp"

#include <cmath>
#include <cstdlib>

#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "core/one_line.hpp"
#include "core/text.hpp"
#include "trainers/gzip_reader.hpp"

namespace tandem {
namespace {

bool parse_double(const std::string& text, double& value) {
  const std::string field = trim(text);
  if (field.empty()) return false;
  char* end = nullptr;
  value = std::strtod(field.c_str(), &end);
  return end != field.c_str() && *end == '\0';
}

}  // namespace

Dataset parse_csv_dataset(const std::string& text, const std::string& source,
                          const CsvDatasetOptions& options) {
  const CsvTable table = CsvTable::parse(text, source);
  const std::vector<std::string>& first = table.header();
  TANDEM_CHECK(!first.empty(), source + ": the CSV file is empty");
  bool has_header = false;
  for (const auto& field : first) {
    double ignored;
    if (!parse_double(field, ignored)) has_header = true;
  }
  // Rows as (fields, line); without a header the "header" line is the first sample.
  std::vector<std::pair<const std::vector<std::string>*, std::size_t>> rows;
  if (!has_header) rows.emplace_back(&first, 1);
  for (std::size_t r = 0; r < table.rows(); ++r) rows.emplace_back(&table.row(r), table.line_of(r));
  TANDEM_CHECK(!rows.empty(), source + ": the CSV file has a header but no samples");

  const std::size_t columns = first.size();
  TANDEM_CHECK(columns >= 2, source + ": expected feature columns and a label column, found " +
                                 std::to_string(columns) + " column");
  std::size_t label = columns - 1;
  if (!options.label_column.empty()) {
    if (has_header && table.column(options.label_column)) {
      label = *table.column(options.label_column);
    } else {
      char* end = nullptr;
      const long index = std::strtol(options.label_column.c_str(), &end, 10);
      if (end == options.label_column.c_str() || *end != '\0' || index < 0 ||
          static_cast<std::size_t>(index) >= columns)
        throw ConfigError(source + ": label column '" + options.label_column +
                          "' is neither a header name" +
                          (has_header ? " (" + one_line(join(first, ", ")) + ")" : std::string()) +
                          " nor a column index 0.." + std::to_string(columns - 1));
      label = static_cast<std::size_t>(index);
    }
  }

  const std::size_t features = columns - 1;
  Dataset data;
  data.name = source;
  if (options.shape.channels > 0) {
    TANDEM_CHECK(options.shape.elements() == static_cast<std::int64_t>(features),
                 source + ": sample shape " + options.shape.to_string() + " has " +
                     std::to_string(options.shape.elements()) + " elements but the file has " +
                     std::to_string(features) + " feature columns");
    data.sample_shape = options.shape;
  } else {
    const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(features))));
    data.sample_shape = static_cast<std::size_t>(side) * side == features
                            ? TensorShape{1, side, side}
                            : TensorShape{1, 1, static_cast<int>(features)};
  }
  data.images.reserve(rows.size() * features);
  data.labels.reserve(rows.size());
  int max_label = 0;
  for (const auto& [fields, line] : rows) {
    const std::string where = source + ":" + std::to_string(line);
    for (std::size_t c = 0; c < columns; ++c) {
      double value = 0.0;
      if (!parse_double((*fields)[c], value) || !std::isfinite(value))
        throw ParseError(where + ": column " + std::to_string(c) + " holds '" + one_line((*fields)[c]) +
                         "', expected a number");
      if (c != label) {
        data.images.push_back(static_cast<float>(value));
        continue;
      }
      if (value < 0 || value != std::floor(value) || value > 1e6)
        throw ParseError(where + ": label '" + (*fields)[c] +
                         "' is not a class index (an integer >= 0)");
      if (options.classes > 0 && value >= options.classes)
        throw ParseError(where + ": label " + (*fields)[c] + " is outside 0.." +
                         std::to_string(options.classes - 1) +
                         " (classes = " + std::to_string(options.classes) + ")");
      data.labels.push_back(static_cast<int>(value));
      max_label = std::max(max_label, data.labels.back());
    }
  }
  data.classes = options.classes > 0 ? options.classes : max_label + 1;
  if (max_label >= data.classes)
    throw ParseError(source + ": label " + std::to_string(max_label) + " is outside 0.." +
                     std::to_string(data.classes - 1) +
                     " (classes = " + std::to_string(data.classes) + ")");
  data.check();
  return data;
}

Dataset read_csv_dataset(const std::string& path, const CsvDatasetOptions& options) {
  return parse_csv_dataset(read_data_file(path), path, options);
}

}  // namespace tandem
