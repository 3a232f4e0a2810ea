// Constraint: "metric <= bound" (also <, >=, >, ==), the one constraint grammar of tandem, used
// by the experiment's top-level `constraints` and by the `constraint_filter` strategy wrapper
// (docs/config.md#constraints describes it once):
//   METRIC OP NUMBER     spaces around OP optional: "latency_ms <= 5", "macs<=1e8"
//   METRIC  one word (no spaces, no < > = !)
//   OP      <=  <  >=  >  ==
//   NUMBER  a decimal or scientific number (1e8, 0.5, -3), inf allowed, nan not
// A complete trial that violates one becomes INFEASIBLE with the violated constraint and the
// measured value as the reason.
#pragma once

#include <optional>
#include <string>

#include "core/config_node.hpp"
#include "core/trial.hpp"

namespace tandem {

class Constraint {
 public:
  // Parses "latency_ms <= 5"; a malformed text is a one-line ConfigError at `node` naming the
  // text, what is wrong with it and the accepted grammar.
  static Constraint parse(const std::string& text, const ConfigNode& node);
  // The node's scalar text, parsed as above.
  static Constraint parse(const ConfigNode& node) { return parse(node.as_string(), node); }
  // Parses `text`; nullopt with the reason (no location) in `why` when it is malformed.
  static std::optional<Constraint> try_parse(const std::string& text, std::string* why);

  const std::string& metric() const { return metric_; }
  bool satisfied_by(double value) const;
  // How much of the constraint's room a result uses, larger is tighter: the metric's value for
  // `<=` and `<`, its negation for `>=` and `>`; nullopt for `==` or when the metric is missing or
  // NaN. Searches use it to prefer, between equally good candidates, the one that leaves more room.
  std::optional<double> usage(const Metrics& metrics) const;
  // nullopt when satisfied, else the reason text.
  std::optional<std::string> violation(const Metrics& metrics) const;
  // Canonical form "metric OP bound" (spaces around OP, bound as format_number prints it).
  std::string to_string() const;

 private:
  enum class Comparison { less, less_equal, greater, greater_equal, equal };
  std::string metric_;
  Comparison comparison_ = Comparison::less_equal;
  double bound_ = 0.0;
};

// The accepted grammar, for error messages: "expected METRIC OP NUMBER ...".
const std::string& constraint_grammar();

}  // namespace tandem
