// ConfigNode: typed access and one-line errors carrying file:line:column, key path and suggestions;
// the edges of user input (an unclosed quote, CR line breaks, seeds up to 2^64 - 1, a value listed
// twice, values reported where the user wrote them, a 200 KB value quoted as a short excerpt).
#include <doctest/doctest.h>

#include <functional>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"

using namespace tandem;

namespace {
std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("typed getters and defaults") {
  auto root = ConfigNode::parse("a: 3\nb: 2.5\nc: true\nd: hello\ne: [x, y]\n", "t.yaml");
  CHECK(root.get_int("a") == 3);
  CHECK(root.get_double("b") == 2.5);
  CHECK(root.get_bool("c", false));
  CHECK(root.get_string("d") == "hello");
  CHECK(root.get_int("missing", 7) == 7);
  CHECK(root.at("e").as_string_list() == std::vector<std::string>{"x", "y"});
  CHECK(root.at("e").element(1).path() == "e[1]");
}

TEST_CASE("wrong type names file, line, column, key and value") {
  auto root = ConfigNode::parse("strategy:\n  options:\n    population: ten\n", "exp.yaml");
  auto message = error_of([&] { root.at("strategy").at("options").get_int("population"); });
  CHECK(message == "exp.yaml:3:17: 'strategy.options.population': expected an integer, got 'ten'");
}

TEST_CASE("unknown key gets a suggestion and the accepted list") {
  auto root = ConfigNode::parse("name: x\nsede: 3\n", "exp.yaml");
  auto message = error_of([&] { root.check_keys({"name", "seed", "space"}); });
  CHECK(message ==
        "exp.yaml:2:1: unknown key 'sede' at the top level (did you mean 'seed'?); accepted keys: "
        "name, seed, space");
}

TEST_CASE("missing key, ranges and choices") {
  auto root = ConfigNode::parse("budget:\n  trials: -1\nmode: fats\n", "e.yaml");
  CHECK(error_of([&] { root.at("space"); }) == "e.yaml:1:1: missing required key 'space'");
  CHECK(error_of([&] { root.at("budget").get_int_in("trials", 0, 1, 100); }) ==
        "e.yaml:2:11: 'budget.trials': got -1, expected an integer in [1, 100]");
  CHECK(error_of([&] { root.get_choice("mode", "fast", {"fast", "slow"}); }) ==
        "e.yaml:3:7: 'mode': unknown value 'fats' (did you mean 'fast'?); accepted: fast, slow");
}

TEST_CASE("malformed YAML is reported with its position") {
  auto message = error_of([] { ConfigNode::parse("a: [1, 2\nb: 3\n", "bad.yaml"); });
  CHECK(message.rfind("bad.yaml:", 0) == 0);
  CHECK(message.find("malformed YAML") != std::string::npos);
}

TEST_CASE("a key written twice in one mapping is refused with both lines") {
  // yaml-cpp would keep both entries and answer lookups with the first (seed 0).
  auto message = error_of([] { ConfigNode::parse("name: x\nseed: 0\nseed: 1\n", "dup.yaml"); });
  CHECK(message == "dup.yaml:3:1: key 'seed' appears twice in one mapping (first at line 2); "
                   "give it once");
  auto nested = error_of([] {
    ConfigNode::parse("space:\n  name: nb201\n  options: {width: 4, width: 8}\n", "n.yaml");
  });
  CHECK(nested.rfind("n.yaml:3:23: key 'width' appears twice", 0) == 0);
  auto in_list = error_of([] { ConfigNode::parse("evaluators:\n  - {name: a, name: b}\n", "l.yaml"); });
  CHECK(in_list.rfind("l.yaml:2:15: key 'name' appears twice", 0) == 0);
  // The same key in two different mappings is fine.
  CHECK_NOTHROW(ConfigNode::parse("a: {name: 1}\nb: {name: 2}\n", "ok.yaml"));
}

TEST_CASE("a key that is a list a mapping or empty is refused at its line") {
  // Found by fuzz_accelerator: yaml-cpp parses these, and reading the key as a name then threw
  // yaml-cpp's own exception out of check_keys.
  auto as_list = error_of([] {
    ConfigNode::parse("model: systolic\n? - {rows: 8}\n: 3\n", "k.yaml").check_keys({"model"});
  });
  CHECK(as_list == "k.yaml:2:3: a mapping key must be a name, not a list or a mapping");
  auto as_map = error_of([] { ConfigNode::parse("a: {? {b: 1} : 2}\n", "m.yaml"); });
  CHECK(as_map == "m.yaml:1:7: a mapping key must be a name, not a list or a mapping");
  auto empty = error_of([] { ConfigNode::parse("space:\n  : 4\n", "e.yaml"); });
  CHECK(empty.rfind("e.yaml:2:", 0) == 0);
  CHECK(empty.find("a mapping key must be a name, not empty or null") != std::string::npos);
}

TEST_CASE("a second YAML document is refused, not ignored") {
  auto message = error_of([] { ConfigNode::parse("name: x\n---\nname: y\n", "two.yaml"); });
  CHECK(message == "two.yaml:3:1: a second YAML document (after '---'); a config is one document");
  CHECK_NOTHROW(ConfigNode::parse("---\nname: x\n", "one.yaml"));  // one document, marked
  CHECK_FALSE(ConfigNode::parse("", "empty.yaml").is_map());
}

// Found by fuzz_accelerator: yaml-cpp 0.7's LoadAll never returned (allocating without end) on
// this text; the config path now reads at most two documents.
TEST_CASE("malformed flow text that hung the YAML reader ends with one line") {
  const std::string text = "\n,nergy_table: {ba]set: tita<<: n_rtx\n";
  auto message = error_of([&] { ConfigNode::parse(text, "hang.yaml"); });
  CHECK(message.rfind("hang.yaml:", 0) == 0);
  CHECK(message.find('\n') == std::string::npos);
}

// Found by fuzz_config: yaml-cpp names a bad escape by the character itself, a line break
// included, which made the error two lines.
TEST_CASE("a bad escape in a quoted string is reported on one line") {
  // A lone CR is a line break (YAML 1.2), so backslash-CR is an escaped line break, not an error.
  CHECK(error_of([] { ConfigNode::parse("a: \"\\\r\"\n", "e.yaml"); }).empty());
  auto control = error_of([] { ConfigNode::parse("a: \"\\\x01\"\n", "e.yaml"); });
  CHECK(control.find("unknown escape character: \\x01") != std::string::npos);
}

// Found by fuzz_config: a quoted key or value with a line break was echoed verbatim.
TEST_CASE("keys and values with line breaks are echoed on one line") {
  auto unknown = error_of([] {
    ConfigNode::parse("\"na\\nme\": x\n", "k.yaml").check_keys({"name"});
  });
  CHECK(unknown.rfind("k.yaml:1:1: unknown key 'na\\nme' at the top level", 0) == 0);
  auto wrong = error_of([] { ConfigNode::parse("seed: \"1\\n2\"\n", "v.yaml").get_int("seed"); });
  CHECK(wrong.find('\n') == std::string::npos);
  CHECK(wrong.find("1\\n2") != std::string::npos);
}

TEST_CASE("absent sections accept every lookup with defaults") {
  ConfigNode absent;
  CHECK_FALSE(absent.present());
  CHECK_NOTHROW(absent.check_keys({}));
  CHECK(absent.get_int("x", 4) == 4);
}

TEST_CASE("registry: create by name, list with help, unknown names suggest") {
  Registry<int, int> registry("widget", {"arithmetic"});
  registry.add("double", "arithmetic", "twice the input",
               [](int v) { return std::make_unique<int>(2 * v); });
  registry.add("square", "arithmetic", "the input squared",
               [](int v) { return std::make_unique<int>(v * v); });
  CHECK(*registry.create("square", 5) == 25);
  CHECK(registry.names() == std::vector<std::string>{"double", "square"});
  CHECK(registry.help("double") == "twice the input");
  CHECK(error_of([&] { registry.create("sqare", 1); }) ==
        "unknown widget 'sqare' (did you mean 'square'?); available: double, square");
}

TEST_CASE("edit distance and suggestions") {
  CHECK(edit_distance("kitten", "sitting") == 3);  // the textbook Levenshtein example
  CHECK(edit_distance("sede", "seed") == 1);       // one adjacent transposition
  CHECK(edit_distance("", "abc") == 3);
  CHECK(closest_match("populaton", {"population", "sample_size"}) == "population");
  CHECK(closest_match("zzz", {"population", "sample_size"}).empty());
  // optimal string alignment, not Damerau: "ca" -> "abc" takes 3 edits, not 2
  CHECK(edit_distance("ca", "abc") == 3);
  CHECK(edit_distance("abcdef", "azcedf") == 2);  // one substitution, one transposition
  // the nearest plausible candidate wins; one too far off in length is not a typo of the name
  CHECK(closest_match("seed", {"seeds", "seed_value_of_the_run"}) == "seeds");
  CHECK(closest_match("ab", {"abcdefgh"}).empty());
  // a name longer than anything a person types gets no suggestion (found by fuzz_table_evaluator:
  // a 4,000-character column name was compared with every header, cell by cell)
  const std::string long_name(4000, 'a');
  CHECK(closest_match(long_name, {long_name + "b"}).empty());
  CHECK(closest_match(std::string(128, 'a'), {std::string(127, 'a')}) == std::string(127, 'a'));
}

TEST_CASE("config input: an unclosed quote is malformed YAML at the quote") {
  // yaml-cpp reads an unclosed quote to the end of the text, so the config looked like one key.
  const std::string text = "name: \"good\nseed: 1\nspace: {name: nb201}\n";
  const std::string message = error_of([&] { ConfigNode::parse(text, "q.yaml"); });
  CHECK(message.rfind("q.yaml:1:7: malformed YAML: ", 0) == 0);
  CHECK(message.find("never closed") != std::string::npos);
  const std::string single = error_of([] { ConfigNode::parse("a: 'it''s\nb: 1\n", "s.yaml"); });
  CHECK(single.rfind("s.yaml:1:4: malformed YAML", 0) == 0);
  // Closed quotes, escapes and quoted keys stay valid.
  const ConfigNode ok =
      ConfigNode::parse("\"a\": \"x \\\" y\"\nb: 'it''s'\nc: |\n  \"line\n", "ok.yaml");
  CHECK(ok.get_string("a") == "x \" y");
  CHECK(ok.get_string("b") == "it's");
  CHECK(ok.get_string("c") == "\"line\n");
}

TEST_CASE("config input: a lone CR is a line break, as YAML 1.2 says") {
  const ConfigNode cr = ConfigNode::parse("name: x\rseed: 3\rlist:\r  - a\r  - b\r", "cr.yaml");
  CHECK(cr.get_string("name") == "x");
  CHECK(cr.get_int("seed") == 3);
  CHECK(cr.at("list").as_string_list() == std::vector<std::string>{"a", "b"});
  // Line numbers count CR breaks like LF ones.
  CHECK(error_of([&] { cr.get_int("name"); }) == "cr.yaml:1:7: 'name': expected an integer, got 'x'");
  const ConfigNode crlf = ConfigNode::parse("a: 1\r\nb: two\r\n", "crlf.yaml");
  CHECK(error_of([&] { crlf.get_int("b"); }) == "crlf.yaml:2:4: 'b': expected an integer, got 'two'");
}

TEST_CASE("config input: seeds are integers in [0, 2^64 - 1]") {
  const ConfigNode root = ConfigNode::parse(
      "max: 18446744073709551615\nbig: 9223372036854775808\nover: 18446744073709551616\n"
      "minus: -1\n",
      "s.yaml");
  CHECK(root.get_uint64("max", 0) == 18446744073709551615ULL);
  CHECK(root.get_uint64("big", 0) == 9223372036854775808ULL);
  CHECK(root.get_uint64("absent", 7) == 7);
  CHECK(error_of([&] { root.get_uint64("over", 0); }) ==
        "s.yaml:3:7: 'over': expected an integer in [0, 18446744073709551615], got "
        "'18446744073709551616'");
  CHECK(error_of([&] { root.get_uint64("minus", 0); }).find("got '-1'") != std::string::npos);
  CHECK(parse_unsigned_decimal("0") == 0u);
  CHECK_FALSE(parse_unsigned_decimal("+1"));
  CHECK_FALSE(parse_unsigned_decimal(" 1"));
  CHECK_FALSE(parse_unsigned_decimal(""));
}

TEST_CASE("config input: a list that names a value twice is refused at the second") {
  const ConfigNode root = ConfigNode::parse("m: [a, b, a]\nc: 'x, y, x'\nok: [a, b]\n", "d.yaml");
  CHECK(error_of([&] { root.at("m").as_distinct_string_list("metric"); }) ==
        "d.yaml:1:11: 'm[2]': metric 'a' is listed twice (first as item 1 of the list); give each "
        "metric once");
  const std::string scalar = error_of([&] { root.at("c").as_distinct_string_list("proxy"); });
  CHECK(scalar.rfind("d.yaml:2:4: 'c': proxy 'x' is listed twice", 0) == 0);
  CHECK(root.at("ok").as_distinct_string_list("metric") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("config input: with_origins reports a value where the user wrote it") {
  const ConfigNode user = ConfigNode::parse("space:\n  rows: [8.5]\n", "exp.yaml");
  const ConfigNode rows = user.at("space").at("rows").element(0);
  const ConfigNode assembled =
      ConfigNode::parse("{model: systolic, rows: 8.5, cols: x}", "<accelerator>")
          .with_origins({{"rows", rows}});
  CHECK(error_of([&] { assembled.get_int("rows"); }) ==
        "exp.yaml:2:10: 'space.rows[0]': expected an integer, got '8.5'");
  // A key without an origin is still reported in the assembled text.
  CHECK(error_of([&] { assembled.get_int("cols"); }).rfind("<accelerator>:1:", 0) == 0);
  CHECK(assembled.get_string("model") == "systolic");
}

TEST_CASE("errors quote at most a short excerpt of a huge value") {
  const std::string huge(200000, 'x');
  const std::string message = Error("got '" + huge + "', expected a number").what();
  CHECK(message.size() < 200);
  CHECK(message.find("(200000 characters)") != std::string::npos);
  CHECK(message.rfind("got '" + std::string(kQuoteLimit, 'x') + "\u2026'", 0) == 0);
  CHECK(message.find("expected a number") != std::string::npos);
  // Short values, and a message quoted again, stay exactly as written.
  CHECK(std::string(Error("got 'abc', expected a number").what()) == "got 'abc', expected a number");
  CHECK(std::string(Error(std::string("outer: ") + message).what()) == "outer: " + message);
  CHECK(quoted(huge).size() < 120);
  // A UTF-8 character is never cut in half.
  std::string e_acute;
  for (int i = 0; i < 150; ++i) e_acute += "\xC3\xA9";
  const std::string cut = quoted(e_acute);
  CHECK(cut.find("\xC3\xA9\xE2\x80\xA6") != std::string::npos);
  const ConfigNode root = ConfigNode::parse("n: " + huge + "\n", "big.yaml");
  CHECK(error_of([&] { root.get_int("n"); }).size() < 200);
}
