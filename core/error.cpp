// Error's constructor and the out-of-line throw helpers for TANDEM_CHECK / TANDEM_ASSERT (keeps
// the macros small).
#include "core/error.hpp"

#include <exception>
#include <utility>

#include "core/text.hpp"

namespace tandem {

Error::Error(const std::string& message) : std::runtime_error(shorten_quoted_values(message)) {}

namespace {
thread_local std::string current_activity;
}  // namespace

Doing::Doing(std::string what)
    : outer_(std::exchange(current_activity, std::move(what))),
      exceptions_(std::uncaught_exceptions()) {}

Doing::~Doing() {
  if (std::uncaught_exceptions() <= exceptions_) current_activity = std::move(outer_);
}

const std::string& Doing::now() { return current_activity; }

}  // namespace tandem

namespace tandem::detail {

void throw_check_failure(const std::string& message) { throw Error(message); }

void throw_assert_failure(const char* condition, const char* file, int line) {
  throw InternalError(std::string("assertion '") + condition + "' failed at " + file + ":" +
                      std::to_string(line));
}

}  // namespace tandem::detail
