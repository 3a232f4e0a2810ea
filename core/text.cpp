// String helpers (see text.hpp).
#include "core/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/one_line.hpp"

namespace tandem {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

std::string trim(std::string_view text) {
  const char* spaces = " \t\r\n";
  auto begin = text.find_first_not_of(spaces);
  if (begin == std::string_view::npos) return "";
  auto end = text.find_last_not_of(spaces);
  return std::string(text.substr(begin, end - begin + 1));
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
  // adjacent characters each cost 1 ("sede" -> "seed" is one edit). Three rows of the table.
  const std::size_t m = b.size();
  std::vector<std::size_t> before(m + 1), previous(m + 1), current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[m];
}

std::string closest_match(std::string_view name, const std::vector<std::string>& candidates) {
  // A plausible typo: at most a third of the longer name differs (and at least one edit allowed).
  // The distance is at least the difference in length, so a candidate whose length is too far
  // off is not compared; nor is a name longer than any key or column a person types.
  constexpr std::size_t kLongestTypo = 128;
  if (name.size() > kLongestTypo) return "";
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& candidate : candidates) {
    const std::size_t longer = std::max(name.size(), candidate.size());
    const std::size_t shorter = std::min(name.size(), candidate.size());
    const std::size_t limit = std::max<std::size_t>(1, longer / 3);
    if (longer - shorter > limit) continue;
    const std::size_t distance = edit_distance(name, candidate);
    if (distance <= limit && distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  std::string match = closest_match(name, candidates);
  return match.empty() ? "" : " (did you mean '" + match + "'?)";
}

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

namespace {

// A span cut only when longer than this, so an excerpt (limit + "…") quoted again stays whole.
constexpr std::size_t kCutAbove = kQuoteLimit + 40;

// The first `limit` bytes of `value`, backed off so no UTF-8 character is split.
std::string_view utf8_prefix(std::string_view value, std::size_t limit) {
  std::size_t end = std::min(limit, value.size());
  while (end > 0 && end < value.size() &&
         (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80)
    --end;
  return value.substr(0, end);
}

std::string characters(std::size_t n) { return "(" + std::to_string(n) + " characters)"; }

}  // namespace

std::string excerpt(std::string_view value, std::size_t limit) {
  if (value.size() <= std::max(limit, kCutAbove)) return std::string(value);
  return std::string(utf8_prefix(value, limit)) + "\u2026 " + characters(value.size());
}

std::string quoted(std::string_view value) {
  if (value.size() <= kCutAbove) return "'" + std::string(value) + "'";
  return "'" + std::string(utf8_prefix(value, kQuoteLimit)) + "\u2026' " +
         characters(value.size());
}

std::string shorten_quoted_values(std::string_view message) {
  if (message.size() <= kCutAbove) return std::string(message);
  std::string out;
  std::size_t at = 0;
  while (at < message.size()) {
    const std::size_t open = message.find('\'', at);
    if (open == std::string_view::npos) break;
    const std::size_t close = message.find('\'', open + 1);
    if (close == std::string_view::npos) break;
    out += message.substr(at, open - at);
    out += quoted(message.substr(open + 1, close - open - 1));
    at = close + 1;
  }
  out += message.substr(at);
  return out;
}

std::optional<std::uint64_t> parse_unsigned_decimal(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string one_line(std::string_view text) {
  static const char* const hex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace tandem
