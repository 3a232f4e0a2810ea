// Constraint: "metric <= bound" (also <, >=, >, ==) from the experiment config. A complete trial
// that violates one becomes INFEASIBLE with the violated constraint and the measured value as the
// reason.
#pragma once

#include <optional>
#include <string>

#include "core/config_node.hpp"
#include "core/trial.hpp"

namespace tandem {

class Constraint {
 public:
  // Parses "latency_ms <= 5"; errors point at `node`.
  static Constraint parse(const std::string& text, const ConfigNode& node);

  const std::string& metric() const { return metric_; }
  bool satisfied_by(double value) const;
  // nullopt when satisfied, else the reason text.
  std::optional<std::string> violation(const Metrics& metrics) const;
  std::string to_string() const;

 private:
  enum class Comparison { less, less_equal, greater, greater_equal, equal };
  std::string metric_;
  Comparison comparison_ = Comparison::less_equal;
  double bound_ = 0.0;
};

}  // namespace tandem
