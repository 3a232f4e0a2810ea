// TextCursor: a position-aware reader for candidate strings. The built-in spaces parse their
// canonical text with it so every malformed string raises one ParseError line of the form
//   "<space> candidate '<text>': position <offset>: <what went wrong / what was expected>"
// where <offset> is the 0-based character offset into the text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tandem {

class TextCursor {
 public:
  // `space` names the space in messages ("nb201", "darts", ...).
  TextCursor(std::string space, std::string_view text);

  std::size_t position() const { return position_; }
  bool at_end() const { return position_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[position_]; }
  std::string_view rest() const { return text_.substr(position_); }

  void skip_whitespace();
  // Consumes `literal` if the text continues with it (after whitespace when `skip_space`).
  bool accept(std::string_view literal, bool skip_space = true);
  // Consumes `literal` or fails with "expected '<literal>'".
  void expect(std::string_view literal, bool skip_space = true);
  // Reads characters until one of `stops` (or the end); fails when nothing is read.
  std::string read_until(std::string_view stops, const std::string& what);
  // Reads [A-Za-z0-9_]+ ; fails naming `what` when none is there.
  std::string read_word(const std::string& what);
  // Reads a non-negative decimal integer.
  int read_int(const std::string& what);
  // Fails unless only whitespace is left.
  void expect_end();

  // Looks `token` (read at `at`) up in `accepted`; fails with "unknown <what> '<token>'
  // (did you mean ...); accepted: a, b, c" when it is not there. Returns its index.
  int lookup(const std::string& token, std::size_t at, const std::vector<std::string>& accepted,
             const std::string& what) const;

  // Throws the ParseError for position `at` (default: the current position).
  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void fail_at(std::size_t at, const std::string& message) const;

  // What the next characters look like, for "expected X, got Y" messages.
  std::string describe_next() const;

 private:
  std::string space_;
  std::string_view text_;
  std::size_t position_ = 0;
};

}  // namespace tandem
