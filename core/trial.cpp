// Trial value types (see trial.hpp).
#include "core/trial.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

std::optional<double> Metrics::find(const std::string& name) const {
  auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return found->second;
}

double Metrics::at(const std::string& name) const {
  auto found = values_.find(name);
  if (found == values_.end()) {
    throw Error("metric '" + name + "' was not measured" + did_you_mean(name, names()) +
                "; measured: " + (values_.empty() ? std::string("none") : join(names(), ", ")));
  }
  return found->second;
}

std::vector<std::string> Metrics::names() const {
  std::vector<std::string> out;
  for (const auto& [name, value] : values_) out.push_back(name);
  return out;
}

std::string to_string(TrialStatus status) {
  switch (status) {
    case TrialStatus::running: return "RUNNING";
    case TrialStatus::complete: return "COMPLETE";
    case TrialStatus::pruned: return "PRUNED";
    case TrialStatus::infeasible: return "INFEASIBLE";
    case TrialStatus::failed: return "FAILED";
  }
  return "UNKNOWN";
}

TrialStatus trial_status_from_string(const std::string& text) {
  for (auto status : {TrialStatus::running, TrialStatus::complete, TrialStatus::pruned,
                      TrialStatus::infeasible, TrialStatus::failed}) {
    if (to_string(status) == text) return status;
  }
  throw Error("unknown trial state '" + text +
              "'; accepted: RUNNING, COMPLETE, PRUNED, INFEASIBLE, FAILED");
}

}  // namespace tandem
