// The two error channels: tandem::Error (a user can act on it) and InternalError (a bug). A bug
// must never be caught as a user error, so InternalError is not an Error.
#include <doctest/doctest.h>

#include <type_traits>

#include "core/error.hpp"

using namespace tandem;

namespace {

// What a `catch (const Error&)` site sees: "user" when it catches, "bug" when the exception
// passes it by.
std::string channel_of(void (*raise)()) {
  try {
    try {
      raise();
    } catch (const Error&) {
      return "user";
    }
  } catch (const InternalError&) {
    return "bug";
  }
  return "none";
}

}  // namespace

TEST_CASE("InternalError is not a tandem::Error, but still a std::exception") {
  CHECK_FALSE(std::is_base_of_v<Error, InternalError>);
  CHECK(std::is_base_of_v<std::exception, InternalError>);
  CHECK(std::is_base_of_v<Error, ConfigError>);
  CHECK(std::is_base_of_v<Error, ParseError>);
}

TEST_CASE("TANDEM_ASSERT raises past `catch (const Error&)`, TANDEM_CHECK is caught there") {
  CHECK(channel_of([] { TANDEM_ASSERT(1 + 1 == 3); }) == "bug");
  CHECK(channel_of([] { TANDEM_CHECK(1 + 1 == 3, "two is not three"); }) == "user");
  CHECK(channel_of([] { TANDEM_ASSERT(1 + 1 == 2); }) == "none");
}

TEST_CASE("an assertion names the condition and where it failed, on one line") {
  try {
    TANDEM_ASSERT(2 < 1);
    FAIL("no exception");
  } catch (const InternalError& error) {
    const std::string message = error.what();
    CHECK(message.find("assertion '2 < 1' failed at ") == 0);
    CHECK(message.find("test_error.cpp:") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
}
