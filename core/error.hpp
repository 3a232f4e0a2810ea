// Errors: every user-facing failure is a tandem::Error whose message is one line a user can act on
// (where: file:line:column or key; what: the bad value; what is accepted). Internal invariant
// violations are InternalError (bugs), raised by TANDEM_ASSERT. The two are separate channels:
// InternalError is not a tandem::Error, so `catch (const Error&)` (a FAILED trial, a config
// error) never swallows a bug; it ends the program with "internal error (a bug, please report)".
#pragma once

#include <stdexcept>
#include <string>

namespace tandem {

// The message's quoted values ('...') are cut to a short excerpt (core/text.hpp,
// shorten_quoted_values): an error never echoes a whole 200 KB line of input.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  explicit Error(const char* message) : Error(std::string(message)) {}
};

// A configuration file or option is wrong (unknown key, wrong type, out-of-range value).
class ConfigError : public Error {
 public:
  using Error::Error;
};

// A textual input (candidate string, CSV row, data file) could not be parsed.
class ParseError : public Error {
 public:
  using Error::Error;
};

// A bug in tandem itself: an invariant that the code, not the user, must keep. Deliberately not
// derived from Error (see above).
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// What the program is doing, in words ("reading data/mnist/train-images-idx3-ubyte.gz"), for the
// one line a std::bad_alloc becomes at the top level: "out of memory while reading ...". A scope
// declares `Doing doing("reading " + path);`. On a normal exit the outer activity comes back; when
// an exception leaves the scope, its activity stays, so the top level can name where it happened.
class Doing {
 public:
  explicit Doing(std::string what);
  ~Doing();
  Doing(const Doing&) = delete;
  Doing& operator=(const Doing&) = delete;
  // The innermost activity of this thread (or the one an exception left); "" when none.
  static const std::string& now();

 private:
  std::string outer_;
  int exceptions_;
};

namespace detail {
[[noreturn]] void throw_check_failure(const std::string& message);
[[noreturn]] void throw_assert_failure(const char* condition, const char* file, int line);
}  // namespace detail

}  // namespace tandem

// TANDEM_CHECK(condition, message): user-facing check; message is a std::string expression that is
// only evaluated when the check fails.
#define TANDEM_CHECK(condition, message)                                  \
  do {                                                                    \
    if (!(condition)) ::tandem::detail::throw_check_failure((message));   \
  } while (false)

// TANDEM_ASSERT(condition): internal invariant; failure means a bug in tandem.
#define TANDEM_ASSERT(condition)                                                      \
  do {                                                                                \
    if (!(condition))                                                                 \
      ::tandem::detail::throw_assert_failure(#condition, __FILE__, __LINE__);         \
  } while (false)
