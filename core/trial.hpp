// Value types that flow through a search: the Candidate a strategy proposes, the Metrics an
// evaluator measures, and the TrialResult (status + metrics + reason) that is stored and told back.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tandem {

// One point of a search space: one chosen value index per categorical decision, in the space's
// decision order. For joint spaces the accelerator decisions follow the architecture decisions;
// the space knows where the split is and renders both parts as strings.
struct Candidate {
  std::vector<int> decisions;

  bool operator==(const Candidate&) const = default;
  auto operator<=>(const Candidate&) const = default;
};

// Named scalar measurements of one trial (accuracy, latency_ms, macs, ...), sorted by name.
class Metrics {
 public:
  void set(const std::string& name, double value) { values_[name] = value; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<double> find(const std::string& name) const;
  double at(const std::string& name) const;  // error naming the metric when missing
  bool empty() const { return values_.empty(); }
  std::size_t size() const { return values_.size(); }
  std::vector<std::string> names() const;
  auto begin() const { return values_.begin(); }
  auto end() const { return values_.end(); }
  bool operator==(const Metrics&) const = default;

 private:
  std::map<std::string, double> values_;
};

// Expected outcomes of a trial are values, not exceptions.
enum class TrialStatus { running, complete, pruned, infeasible, failed };

// "RUNNING", "COMPLETE", "PRUNED", "INFEASIBLE", "FAILED" (the database spelling).
std::string to_string(TrialStatus status);
TrialStatus trial_status_from_string(const std::string& text);

struct TrialResult {
  TrialStatus status = TrialStatus::complete;
  Metrics metrics;
  std::string reason;  // why a trial was pruned, infeasible or failed ("" when complete)

  static TrialResult complete(Metrics metrics) {
    return TrialResult{TrialStatus::complete, std::move(metrics), ""};
  }
  static TrialResult failed(std::string reason, Metrics metrics = {}) {
    return TrialResult{TrialStatus::failed, std::move(metrics), std::move(reason)};
  }
  static TrialResult pruned(std::string reason, Metrics metrics = {}) {
    return TrialResult{TrialStatus::pruned, std::move(metrics), std::move(reason)};
  }
  static TrialResult infeasible(std::string reason, Metrics metrics = {}) {
    return TrialResult{TrialStatus::infeasible, std::move(metrics), std::move(reason)};
  }
  bool operator==(const TrialResult&) const = default;
};

}  // namespace tandem
