// Small string helpers used across modules: splitting, joining, trimming, and "did you mean"
// suggestions for unknown names.
#pragma once

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

// Quotes a value for messages: 'value'.
std::string quoted(std::string_view value);

}  // namespace tandem
