// Database spelling of FailureCause (see failure_cause.hpp).
#include "db/failure_cause.hpp"

#include "core/error.hpp"

namespace tandem {

std::string to_string(FailureCause cause) {
  switch (cause) {
    case FailureCause::none: return "none";
    case FailureCause::error: return "error";
    case FailureCause::interrupted: return "interrupted";
    case FailureCause::worker_lost: return "worker_lost";
  }
  TANDEM_ASSERT(false);
  return "";
}

FailureCause failure_cause_from_string(const std::string& text) {
  for (FailureCause cause : {FailureCause::none, FailureCause::error, FailureCause::interrupted,
                             FailureCause::worker_lost})
    if (to_string(cause) == text) return cause;
  throw Error("unknown trial failure cause '" + text +
              "'; expected none, error, interrupted or worker_lost");
}

}  // namespace tandem
