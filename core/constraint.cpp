// Constraint parsing and checking (see constraint.hpp).
#include "core/constraint.hpp"

#include <cmath>

#include "core/text.hpp"

namespace tandem {

Constraint Constraint::parse(const std::string& text, const ConfigNode& node) {
  static const std::pair<const char*, Comparison> operators[] = {
      {"<=", Comparison::less_equal}, {">=", Comparison::greater_equal},
      {"==", Comparison::equal},      {"<", Comparison::less},
      {">", Comparison::greater}};
  for (const auto& [symbol, comparison] : operators) {
    auto at = text.find(symbol);
    if (at == std::string::npos) continue;
    Constraint c;
    c.metric_ = trim(text.substr(0, at));
    c.comparison_ = comparison;
    std::string bound = trim(text.substr(at + std::string(symbol).size()));
    std::size_t used = 0;
    try {
      c.bound_ = std::stod(bound, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (c.metric_.empty() || used == 0 || used != bound.size())
      node.fail("malformed constraint '" + text +
                "'; expected METRIC OP NUMBER with OP one of <=, <, >=, >, == (e.g. "
                "\"latency_ms <= 5\")");
    return c;
  }
  node.fail("malformed constraint '" + text +
            "'; expected METRIC OP NUMBER with OP one of <=, <, >=, >, == (e.g. "
            "\"latency_ms <= 5\")");
}

bool Constraint::satisfied_by(double value) const {
  if (std::isnan(value)) return false;
  switch (comparison_) {
    case Comparison::less: return value < bound_;
    case Comparison::less_equal: return value <= bound_;
    case Comparison::greater: return value > bound_;
    case Comparison::greater_equal: return value >= bound_;
    case Comparison::equal: return value == bound_;
  }
  return false;
}

std::optional<std::string> Constraint::violation(const Metrics& metrics) const {
  auto value = metrics.find(metric_);
  if (!value) return "constraint '" + to_string() + "' cannot be checked: metric '" + metric_ +
                     "' was not measured";
  if (satisfied_by(*value)) return std::nullopt;
  return "constraint '" + to_string() + "' violated: " + metric_ + " = " + format_number(*value);
}

std::string Constraint::to_string() const {
  const char* symbol = "<=";
  switch (comparison_) {
    case Comparison::less: symbol = "<"; break;
    case Comparison::less_equal: symbol = "<="; break;
    case Comparison::greater: symbol = ">"; break;
    case Comparison::greater_equal: symbol = ">="; break;
    case Comparison::equal: symbol = "=="; break;
  }
  return metric_ + " " + symbol + " " + format_number(bound_);
}

}  // namespace tandem
