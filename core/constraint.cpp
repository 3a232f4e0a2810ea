// Constraint parsing and checking (see constraint.hpp).
#include "core/constraint.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "core/text.hpp"

namespace tandem {
namespace {

bool is_operator_char(char c) { return c == '<' || c == '>' || c == '=' || c == '!'; }

}  // namespace

const std::string& constraint_grammar() {
  static const std::string grammar =
      "expected METRIC OP NUMBER with OP one of <=, <, >=, >, == (spaces around OP optional), "
      "e.g. \"latency_ms <= 5\" or \"macs<=1e8\"";
  return grammar;
}

std::optional<Constraint> Constraint::try_parse(const std::string& text, std::string* why) {
  auto reject = [&](const std::string& what) -> std::optional<Constraint> {
    if (why) *why = "malformed constraint '" + text + "': " + what + "; " + constraint_grammar();
    return std::nullopt;
  };
  std::size_t at = 0;
  while (at < text.size() && !is_operator_char(text[at])) ++at;
  if (at == text.size()) return reject("no comparison operator");
  std::size_t length = at + 1 < text.size() && text[at + 1] == '=' ? 2 : 1;
  const std::string symbol = text.substr(at, length);
  Constraint c;
  if (symbol == "<=") c.comparison_ = Comparison::less_equal;
  else if (symbol == ">=") c.comparison_ = Comparison::greater_equal;
  else if (symbol == "==") c.comparison_ = Comparison::equal;
  else if (symbol == "<") c.comparison_ = Comparison::less;
  else if (symbol == ">") c.comparison_ = Comparison::greater;
  else return reject("'" + symbol + "' is not a comparison");

  c.metric_ = trim(text.substr(0, at));
  if (c.metric_.empty()) return reject("no metric name before '" + symbol + "'");
  for (char ch : c.metric_)
    if (std::isspace(static_cast<unsigned char>(ch)))
      return reject("metric name '" + c.metric_ + "' is not one word");

  const std::string bound = trim(text.substr(at + length));
  if (bound.empty()) return reject("no number after '" + symbol + "'");
  char* end = nullptr;
  c.bound_ = std::strtod(bound.c_str(), &end);
  if (end == bound.c_str() || *end != '\0' || std::isnan(c.bound_))
    return reject("'" + bound + "' is not a number");
  return c;
}

Constraint Constraint::parse(const std::string& text, const ConfigNode& node) {
  std::string why;
  std::optional<Constraint> parsed = try_parse(text, &why);
  if (!parsed) node.fail(why);
  return *parsed;
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

std::optional<double> Constraint::usage(const Metrics& metrics) const {
  auto value = metrics.find(metric_);
  if (!value || std::isnan(*value)) return std::nullopt;
  switch (comparison_) {
    case Comparison::less:
    case Comparison::less_equal: return *value;
    case Comparison::greater:
    case Comparison::greater_equal: return -*value;
    case Comparison::equal: return std::nullopt;
  }
  return std::nullopt;
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
