// Shared command-line parsing for the sub-commands (see cli_options.hpp).
#include "experiments/cli/cli_options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

bool parse_command_line(cxxopts::Options& options, int argc, char** argv,
                        const std::vector<std::string>& positional,
                        cxxopts::ParseResult& result,
                        const std::vector<std::string>& optional_positional) {
  options.add_options()("h,help", "show this help");
  std::vector<std::string> all = positional;
  all.insert(all.end(), optional_positional.begin(), optional_positional.end());
  for (const auto& name : all)
    options.add_options("positional")(name, "", cxxopts::value<std::string>());
  options.add_options("positional")("extra", "", cxxopts::value<std::vector<std::string>>());
  std::vector<std::string> with_extra = all;
  with_extra.push_back("extra");
  options.parse_positional(with_extra);
  std::string help_positional;
  for (const auto& name : positional) help_positional += " " + name;
  for (const auto& name : optional_positional) help_positional += " [" + name + "]";
  options.positional_help(help_positional);
  result = options.parse(argc, argv);
  if (result.count("help")) {
    std::cout << options.help({""}) << "\n";
    return false;
  }
  for (const auto& name : positional) {
    if (!result.count(name))
      throw Error("missing argument " + name + " (usage: " + options.program() +
                  help_positional + " [options])");
  }
  if (result.count("extra")) {
    throw Error("unexpected argument '" + result["extra"].as<std::vector<std::string>>().front() +
                "' (usage: " + options.program() + help_positional + " [options])");
  }
  return true;
}

namespace {

// An optional '-' and at least one decimal digit, nothing else.
bool integer_syntax(const std::string& text) {
  const std::size_t digits_from = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == digits_from) return false;
  return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(digits_from), text.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::optional<long long> parse_integer_text(const std::string& text) {
  if (!integer_syntax(text)) return std::nullopt;
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;  // overflow
  return value;
}

long long parse_integer_argument(const std::string& option, const std::string& text, long long low,
                                 long long high) {
  const std::optional<long long> value = parse_integer_text(text);
  if (value && *value >= low && *value <= high) return *value;
  const bool overflow = !value && integer_syntax(text);
  const std::string range = high == kNoUpperBound && !overflow
                                ? ">= " + std::to_string(low)
                                : "in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
  throw Error(option + " " + (integer_syntax(text) ? excerpt(text) : quoted(text)) +
              ": expected an integer " + range);
}

std::shared_ptr<cxxopts::Value> integer_value(const std::string& default_value) {
  auto value = cxxopts::value<std::string>();
  if (!default_value.empty()) value->default_value(default_value);
  return value;
}

long long integer_option(const cxxopts::ParseResult& args, const std::string& name, long long low,
                         long long high) {
  return parse_integer_argument("--" + name, args[name].as<std::string>(), low, high);
}

std::optional<long long> optional_integer_option(const cxxopts::ParseResult& args,
                                                 const std::string& name, long long low,
                                                 long long high) {
  if (args.count(name) == 0) return std::nullopt;
  return integer_option(args, name, low, high);
}

std::shared_ptr<cxxopts::Value> number_value(const std::string& default_value) {
  return integer_value(default_value);  // text as well: tandem parses it
}

double number_option(const cxxopts::ParseResult& args, const std::string& name,
                     const std::string& expected) {
  const std::string text = args[name].as<std::string>();
  // strtod alone would take leading blanks, hex floats, "nan" and "inf".
  const bool plain = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) ||
                                       text[0] == '-' || text[0] == '.') &&
                     text.find_first_of("xXpP") == std::string::npos;
  char* end = nullptr;
  const double value = plain ? std::strtod(text.c_str(), &end) : 0.0;
  if (!plain || end != text.c_str() + text.size() || !std::isfinite(value))
    throw Error("--" + name + " " + quoted(text) + ": expected " + expected);
  return value;
}

std::optional<double> optional_number_option(const cxxopts::ParseResult& args,
                                             const std::string& name,
                                             const std::string& expected) {
  if (args.count(name) == 0) return std::nullopt;
  return number_option(args, name, expected);
}

std::uint64_t seed_option(const cxxopts::ParseResult& args, const std::string& name) {
  const std::string text = args[name].as<std::string>();
  if (const std::optional<std::uint64_t> seed = parse_unsigned_decimal(text)) return *seed;
  throw Error("--" + name + " " + (integer_syntax(text) ? excerpt(text) : quoted(text)) +
              ": expected an integer in [0, 18446744073709551615]");
}

std::optional<std::uint64_t> optional_seed_option(const cxxopts::ParseResult& args,
                                                  const std::string& name) {
  if (args.count(name) == 0) return std::nullopt;
  return seed_option(args, name);
}

}  // namespace tandem
