// The one constraint grammar (core/constraint.hpp): a table of valid forms with and without
// spaces and every operator, comparisons worked by hand, and the one-line errors for bad text.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/config_node.hpp"
#include "core/constraint.hpp"
#include "core/error.hpp"

using namespace tandem;

namespace {

// The error text for `text` as a constraint at a node of a small file.
std::string error_of(const std::string& text) {
  const ConfigNode root = ConfigNode::parse("constraints: ['" + text + "']\n", "exp.yaml");
  try {
    Constraint::parse(root.at("constraints").element(0));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("constraint grammar: valid forms, with or without spaces, every operator") {
  struct Row {
    const char* text;
    const char* metric;
    const char* canonical;
  };
  const Row rows[] = {
      {"latency_ms <= 5", "latency_ms", "latency_ms <= 5"},
      {"macs<=1e8", "macs", "macs <= 1e+08"},
      {"macs <=1e8", "macs", "macs <= 1e+08"},
      {"macs<= 1e8", "macs", "macs <= 1e+08"},
      {"  params   <   400000  ", "params", "params < 4e+05"},
      {"accuracy>=0.9", "accuracy", "accuracy >= 0.9"},
      {"accuracy > 0.5", "accuracy", "accuracy > 0.5"},
      {"layers==3", "layers", "layers == 3"},
      {"energy_mj <= 2.5E-1", "energy_mj", "energy_mj <= 0.25"},
      {"latency_ms.cifar10 < 12", "latency_ms.cifar10", "latency_ms.cifar10 < 12"},
      {"score > -3", "score", "score > -3"},
      {"score<-3", "score", "score < -3"},
      {"area_mm2 < inf", "area_mm2", "area_mm2 < inf"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    std::string why;
    const auto parsed = Constraint::try_parse(row.text, &why);
    REQUIRE(parsed);
    CHECK(why.empty());
    CHECK(parsed->metric() == row.metric);
    CHECK(parsed->to_string() == row.canonical);
  }
}

TEST_CASE("constraint grammar: each operator compares as written") {
  auto holds = [](const std::string& text, double value) {
    return Constraint::try_parse(text, nullptr)->satisfied_by(value);
  };
  CHECK(holds("m<=5", 5));
  CHECK_FALSE(holds("m<=5", 5.5));
  CHECK_FALSE(holds("m<5", 5));
  CHECK(holds("m<5", 4.99));
  CHECK(holds("m>=5", 5));
  CHECK_FALSE(holds("m>5", 5));
  CHECK(holds("m>5", 6));
  CHECK(holds("m==5", 5));
  CHECK_FALSE(holds("m==5", 5.0000001));
  CHECK_FALSE(holds("m<=5", std::numeric_limits<double>::quiet_NaN()));  // never satisfied

  Metrics metrics;
  metrics.set("macs", 2e8);
  const auto macs = Constraint::try_parse("macs<=1e8", nullptr);
  CHECK(macs->violation(metrics) ==
        std::optional<std::string>("constraint 'macs <= 1e+08' violated: macs = 2e+08"));
  CHECK(Constraint::try_parse("latency_ms<5", nullptr)->violation(metrics) ==
        std::optional<std::string>(
            "constraint 'latency_ms < 5' cannot be checked: metric 'latency_ms' was not measured"));
}

TEST_CASE("constraint grammar: one-line errors naming the file, key, text and the grammar") {
  const std::string grammar =
      "; expected METRIC OP NUMBER with OP one of <=, <, >=, >, == (spaces around OP optional), "
      "e.g. \"latency_ms <= 5\" or \"macs<=1e8\"";
  CHECK(error_of("latency_ms 5") ==
        "exp.yaml:1:15: 'constraints[0]': malformed constraint 'latency_ms 5': no comparison "
        "operator" + grammar);
  CHECK(error_of("params << 3") ==
        "exp.yaml:1:15: 'constraints[0]': malformed constraint 'params << 3': '< 3' is not a "
        "number" + grammar);
  CHECK(error_of("<= 5") ==
        "exp.yaml:1:15: 'constraints[0]': malformed constraint '<= 5': no metric name before "
        "'<='" + grammar);
  CHECK(error_of("macs <=") ==
        "exp.yaml:1:15: 'constraints[0]': malformed constraint 'macs <=': no number after '<='" +
        grammar);
  CHECK(error_of("macs => 5") ==
        "exp.yaml:1:15: 'constraints[0]': malformed constraint 'macs => 5': '=' is not a "
        "comparison" + grammar);
  CHECK(error_of("macs != 5") ==
        "exp.yaml:1:15: 'constraints[0]': malformed constraint 'macs != 5': '!=' is not a "
        "comparison" + grammar);
  CHECK(error_of("latency ms <= 5") ==
        "exp.yaml:1:15: 'constraints[0]': malformed constraint 'latency ms <= 5': metric name "
        "'latency ms' is not one word" + grammar);
  CHECK(error_of("macs <= 1e8x") ==
        "exp.yaml:1:15: 'constraints[0]': malformed constraint 'macs <= 1e8x': '1e8x' is not a "
        "number" + grammar);
  CHECK(error_of("macs <= nan") ==
        "exp.yaml:1:15: 'constraints[0]': malformed constraint 'macs <= nan': 'nan' is not a "
        "number" + grammar);
  for (const char* bad : {"latency_ms 5", "params << 3", "macs => 5", "macs <= nan"})
    CHECK(error_of(bad).find('\n') == std::string::npos);
}
