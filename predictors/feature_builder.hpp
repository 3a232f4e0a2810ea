// FeatureBuilder: the feature rows a learned predictor sees — an architecture encoding
// (encodings.hpp) followed by any extra numeric columns the caller has for each candidate:
// zero-cost proxies (synflow, ...), hardware metrics (latency, energy), FLOPs/params from a
// benchmark table. Predictors z-score non-binary columns themselves (predictor_checks.hpp), so raw
// values are fine here. Extra values must be finite: a NaN or inf throws ConfigError naming the row
// (by its label) and the column.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>

#include "predictors/encodings.hpp"

namespace tandem {

class FeatureBuilder {
 public:
  FeatureBuilder(const ArchitectureEncoder& encoder, std::vector<std::string> extra_columns);

  std::size_t size() const;  // encoder width + number of extra columns
  const std::vector<std::string>& extra_columns() const { return extra_columns_; }

  // `extras` holds one value per extra column; `label` names the row in messages (e.g. the
  // architecture string or "trial 12").
  std::vector<double> row(const Candidate& candidate, const std::vector<double>& extras,
                          const std::string& label) const;
  // One row per candidate; extras[i] belongs to candidates[i] (may be empty when there are no
  // extra columns); labels may be empty (rows are then named by index).
  Eigen::MatrixXd matrix(const std::vector<Candidate>& candidates,
                         const std::vector<std::vector<double>>& extras,
                         const std::vector<std::string>& labels = {}) const;

 private:
  const ArchitectureEncoder& encoder_;
  std::vector<std::string> extra_columns_;
};

}  // namespace tandem
