// Datasets in CSV files (raw or gzip), e.g. the UCI optical digits shipped in data/uci-digits:
// one sample per row, numeric feature columns and one integer label column (0..classes-1).
// The first line is a header unless every field in it is a number (then the file has none).
// Feature values are used as they are (normalisation happens in the training loop).
#pragma once

#include <string>

#include "trainers/dataset.hpp"

namespace tandem {

struct CsvDatasetOptions {
  // The label column: a header name, or a 0-based index as text; "" = the last column.
  std::string label_column;
  // Sample shape; channels == 0: automatic — 1 x s x s when the feature count is a square s^2,
  // else 1 x 1 x features. Otherwise its element count must equal the feature count.
  TensorShape shape{0, 0, 0};
  int classes = 0;  // 0: the largest label + 1
};

// Parses CSV text (`source` names it in errors: "source:line: ...").
Dataset parse_csv_dataset(const std::string& text, const std::string& source,
                          const CsvDatasetOptions& options);
Dataset read_csv_dataset(const std::string& path, const CsvDatasetOptions& options = {});

}  // namespace tandem
