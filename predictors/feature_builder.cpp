// FeatureBuilder: encoding + extra numeric columns (see feature_builder.hpp). Extra columns follow
// NASLib's `zc` option (naslib/predictors/trees/base_tree_class.py appends zero-cost scores to the
// encoding) and White et al. 2021's OMNI predictor, which combines encodings with proxy features.
#include "predictors/feature_builder.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

FeatureBuilder::FeatureBuilder(const ArchitectureEncoder& encoder,
                               std::vector<std::string> extra_columns)
    : encoder_(encoder), extra_columns_(std::move(extra_columns)) {}

std::size_t FeatureBuilder::size() const { return encoder_.size() + extra_columns_.size(); }

std::vector<double> FeatureBuilder::row(const Candidate& candidate,
                                        const std::vector<double>& extras,
                                        const std::string& label) const {
  if (extras.size() != extra_columns_.size())
    throw ConfigError("features of " + label + ": " + std::to_string(extras.size()) +
                      " extra values for " + std::to_string(extra_columns_.size()) +
                      " extra columns (" + join(extra_columns_, ", ") + ")");
  std::vector<double> out = encoder_.encode(candidate);
  for (std::size_t c = 0; c < extras.size(); ++c) {
    if (!std::isfinite(extras[c]))
      throw ConfigError("features of " + label + ": column '" + extra_columns_[c] + "' is " +
                        format_number(extras[c]) + " (features must be finite numbers)");
    out.push_back(extras[c]);
  }
  return out;
}

Eigen::MatrixXd FeatureBuilder::matrix(const std::vector<Candidate>& candidates,
                                       const std::vector<std::vector<double>>& extras,
                                       const std::vector<std::string>& labels) const {
  TANDEM_CHECK(extras.empty() || extras.size() == candidates.size(),
               "feature builder: " + std::to_string(extras.size()) + " extra rows for " +
                   std::to_string(candidates.size()) + " candidates");
  Eigen::MatrixXd out(static_cast<Eigen::Index>(candidates.size()),
                      static_cast<Eigen::Index>(size()));
  static const std::vector<double> none;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string label = i < labels.size() ? labels[i] : "row " + std::to_string(i);
    const std::vector<double> values = row(candidates[i], extras.empty() ? none : extras[i], label);
    for (std::size_t c = 0; c < values.size(); ++c)
      out(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = values[c];
  }
  return out;
}

}  // namespace tandem
