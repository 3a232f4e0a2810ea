// Small string helpers used across modules: splitting, joining, trimming, and "did you mean"
// suggestions for unknown names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem {

std::vector<std::string> split(std::string_view text, char separator);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string trim(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);

// Edit distance (optimal string alignment: Levenshtein plus adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` if it is plausibly a typo of it, else "".
std::string closest_match(std::string_view name, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" — ready to append to an error message.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

// Formats a double the way tables and error messages print it: shortest round-trip form.
std::string format_number(double value);

// Quotes a value for messages: 'value'; a value longer than kQuoteLimit bytes is cut (see
// excerpt), so an error never echoes a whole 200 KB line.
std::string quoted(std::string_view value);

// Messages quote at most this many bytes of a user's value.
inline constexpr std::size_t kQuoteLimit = 80;

// `value` itself when at most `limit` bytes (or a little more, so a message that is quoted again is
// left alone), else its first `limit` bytes (not splitting a UTF-8 character) and
// "… (N characters)".
std::string excerpt(std::string_view value, std::size_t limit = kQuoteLimit);

// `message` with every '...' span longer than the limit cut as by excerpt, the length outside the
// quotes: "got 'aaaa…' (200000 characters)". tandem::Error applies it to every message.
std::string shorten_quoted_values(std::string_view message);

// FNV-1a, 64-bit: a stable hash of `text` (per-candidate seed streams, synthetic scores).
std::uint64_t fnv1a(std::string_view text);

// A decimal integer in [0, 2^64 - 1] (digits only, no sign, no spaces); nullopt otherwise.
std::optional<std::uint64_t> parse_unsigned_decimal(std::string_view text);

}  // namespace tandem
