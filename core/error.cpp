// Out-of-line throw helpers for TANDEM_CHECK / TANDEM_ASSERT (keeps the macros small).
#include "core/error.hpp"

namespace tandem::detail {

void throw_check_failure(const std::string& message) { throw Error(message); }

void throw_assert_failure(const char* condition, const char* file, int line) {
  throw InternalError(std::string("assertion '") + condition + "' failed at " + file + ":" +
                      std::to_string(line));
}

}  // namespace tandem::detail
