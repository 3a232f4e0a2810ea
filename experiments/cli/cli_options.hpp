// Shared cxxopts plumbing for the sub-commands: parse with positional arguments, print --help,
// report missing or extra positional arguments as one-line errors, and read integer options.
//
// Integers on the command line (seeds, counts, sizes) have ONE grammar, whatever the command:
// an optional '-' followed by decimal digits and nothing else (no '+', spaces, hex, exponent or
// fraction), within the option's range. Seeds are integers in [0, 2^64 - 1], the range of the
// config file's `seed:`, so `--seed -3` is rejected by every command; counts are integers >= 1
// unless the option's help says 0 means "all" or "auto". Integer options are declared with
// integer_value() (text, so that tandem, not cxxopts, parses them) and read with integer_option()
// or seed_option(). A bad value is one Error, "--NAME VALUE: expected an integer in [LOW, HIGH]"
// (">= LOW" when there is no upper bound; a value that is not an integer is quoted), which the CLI
// prints once after its "tandem COMMAND: error: " prefix.
//
// Real numbers (rates, fractions, seconds) are declared with number_value() and read with
// number_option(): decimal or exponent notation ("0.5", "1e-3") read whole, finite. Anything else
// is one Error, "--NAME 'TEXT': expected WHAT" (WHAT defaults to "a number"); ranges are checked by
// the command, which names them with the same WHAT.
#pragma once

#include <cxxopts.hpp>

#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tandem {

// Parses argv; returns nullopt-like false when --help was printed (the command should return 0).
// `positional` names the positional arguments in order; all are required unless listed in
// `optional_positional`.
bool parse_command_line(cxxopts::Options& options, int argc, char** argv,
                        const std::vector<std::string>& positional,
                        cxxopts::ParseResult& result,
                        const std::vector<std::string>& optional_positional = {});

inline constexpr long long kNoUpperBound = LLONG_MAX;

// The integer grammar above; nullopt when `text` is not an integer or overflows 64 bits.
std::optional<long long> parse_integer_text(const std::string& text);

// `text`, the value of `option` (its name with the dashes, "--seed"), as an integer in
// [low, high]; throws the one-line Error described above otherwise.
long long parse_integer_argument(const std::string& option, const std::string& text, long long low,
                                 long long high);

// The cxxopts value of an integer option, optionally with a default ("64").
std::shared_ptr<cxxopts::Value> integer_value(const std::string& default_value = "");

// The value of integer option `name` (without dashes), given or defaulted, in [low, high].
long long integer_option(const cxxopts::ParseResult& args, const std::string& name, long long low,
                         long long high);
// The same for an option without a default: nullopt when it was not given.
std::optional<long long> optional_integer_option(const cxxopts::ParseResult& args,
                                                 const std::string& name, long long low,
                                                 long long high);

// The cxxopts value of a real-number option, optionally with a default ("0.01").
std::shared_ptr<cxxopts::Value> number_value(const std::string& default_value = "");

// The value of real-number option `name` (without dashes), given or defaulted.
double number_option(const cxxopts::ParseResult& args, const std::string& name,
                     const std::string& expected = "a number");
// The same for an option without a default: nullopt when it was not given.
std::optional<double> optional_number_option(const cxxopts::ParseResult& args,
                                             const std::string& name,
                                             const std::string& expected = "a number");

// A seed option (given or defaulted): an integer in [0, 2^64 - 1], as the config's `seed:`.
std::uint64_t seed_option(const cxxopts::ParseResult& args, const std::string& name = "seed");
std::optional<std::uint64_t> optional_seed_option(const cxxopts::ParseResult& args,
                                                  const std::string& name = "seed");

}  // namespace tandem
