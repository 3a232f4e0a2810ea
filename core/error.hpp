// Errors: every user-facing failure is a tandem::Error whose message is one line a user can act on
// (where: file:line:column or key; what: the bad value; what is accepted). Internal invariant
// violations are InternalError (bugs), raised by TANDEM_ASSERT. The two are separate channels:
// InternalError is not a tandem::Error, so `catch (const Error&)` (a FAILED trial, a config
// error) never swallows a bug; it ends the program with "internal error (a bug, please report)".
#pragma once

#include <stdexcept>
#include <string>

namespace tandem {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
