// TextCursor: position-aware parsing of candidate strings (see nn_text_cursor.hpp).
#include "spaces/nn_text_cursor.hpp"

#include <cctype>
#include <limits>

#include "core/one_line.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

TextCursor::TextCursor(std::string space, std::string_view text)
    : space_(std::move(space)), text_(text) {}

void TextCursor::skip_whitespace() {
  while (!at_end() && std::isspace(static_cast<unsigned char>(text_[position_]))) ++position_;
}

bool TextCursor::accept(std::string_view literal, bool skip_space) {
  std::size_t saved = position_;
  if (skip_space) skip_whitespace();
  if (text_.substr(position_, literal.size()) == literal) {
    position_ += literal.size();
    return true;
  }
  position_ = saved;
  return false;
}

void TextCursor::expect(std::string_view literal, bool skip_space) {
  if (accept(literal, skip_space)) return;
  if (skip_space) skip_whitespace();
  fail("expected '" + std::string(literal) + "', got " + describe_next());
}

std::string TextCursor::read_until(std::string_view stops, const std::string& what) {
  std::size_t start = position_;
  while (!at_end() && stops.find(text_[position_]) == std::string_view::npos) ++position_;
  if (position_ == start) fail("expected " + what + ", got " + describe_next());
  return std::string(text_.substr(start, position_ - start));
}

std::string TextCursor::read_word(const std::string& what) {
  skip_whitespace();
  std::size_t start = position_;
  while (!at_end() &&
         (std::isalnum(static_cast<unsigned char>(text_[position_])) || text_[position_] == '_'))
    ++position_;
  if (position_ == start) fail("expected " + what + ", got " + describe_next());
  return std::string(text_.substr(start, position_ - start));
}

int TextCursor::read_int(const std::string& what) {
  skip_whitespace();
  std::size_t start = position_;
  long long value = 0;
  while (!at_end() && std::isdigit(static_cast<unsigned char>(text_[position_]))) {
    value = value * 10 + (text_[position_] - '0');
    if (value > std::numeric_limits<int>::max()) fail_at(start, what + " is too large");
    ++position_;
  }
  if (position_ == start) fail("expected " + what + " (an integer), got " + describe_next());
  return static_cast<int>(value);
}

void TextCursor::expect_end() {
  skip_whitespace();
  if (!at_end()) fail("expected the end of the text, got " + describe_next());
}

int TextCursor::lookup(const std::string& token, std::size_t at,
                       const std::vector<std::string>& accepted, const std::string& what) const {
  for (std::size_t i = 0; i < accepted.size(); ++i)
    if (accepted[i] == token) return static_cast<int>(i);
  fail_at(at, "unknown " + what + " '" + token + "'" + did_you_mean(token, accepted) +
                  "; accepted: " + join(accepted, ", "));
}

void TextCursor::fail(const std::string& message) const {
  fail_at(position_, message);
}

void TextCursor::fail_at(std::size_t at, const std::string& message) const {
  throw ParseError(space_ + " candidate '" + one_line(text_) + "': position " +
                   std::to_string(at) + ": " + one_line(message));
}

std::string TextCursor::describe_next() const {
  if (at_end()) return "the end of the text";
  std::string_view next = text_.substr(position_, 12);
  std::string shown(next);
  if (position_ + next.size() < text_.size()) shown += "...";
  return "'" + shown + "'";
}

}  // namespace tandem
