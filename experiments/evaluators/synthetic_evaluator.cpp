// Evaluator "synthetic": a trial of known cost and a deterministic result, for tests and for the
// parallel-efficiency benchmark. It sleeps `sleep_seconds` and/or spins the CPU for `spin_seconds`
// (split evenly over `steps`, reporting `progress` = step / steps after each part), then returns
// `score`, a hash of the candidate's canonical string mapped to [0, 1) (FNV-1a 64, top 53 bits),
// and `decision_sum`, the sum of the candidate's decision indices.
#include <chrono>
#include <cstdint>
#include <thread>

#include "core/text.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"

namespace tandem {
namespace {

struct SyntheticOptions {
  double sleep_seconds = 0.0;
  double spin_seconds = 0.0;
  int steps = 0;
};

double hash_score(const std::string& text) {
  return static_cast<double>(fnv1a(text) >> 11) * 0x1.0p-53;
}

// Busy work until `seconds` have passed on the steady clock.
void spin_for(double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  volatile double sink = 1.0;
  while (std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 1000; ++i) sink = sink * 1.0000001 + 1e-9;
  }
}

class SyntheticEvaluator final : public Evaluator {
 public:
  SyntheticEvaluator(const SearchSpace& space, SyntheticOptions options)
      : space_(space), options_(options) {}

  TrialResult evaluate(const Candidate& candidate, Reporter& reporter) override {
    const int parts = std::max(1, options_.steps);
    for (int part = 1; part <= parts; ++part) {
      if (options_.sleep_seconds > 0)
        std::this_thread::sleep_for(std::chrono::duration<double>(options_.sleep_seconds / parts));
      if (options_.spin_seconds > 0) spin_for(options_.spin_seconds / parts);
      if (options_.steps > 0) {
        Metrics progress;
        progress.set("progress", static_cast<double>(part) / parts);
        reporter.report(part, progress);
        if (part < parts && reporter.should_stop())
          return TrialResult::pruned("stopped after step " + std::to_string(part) + " of " +
                                     std::to_string(parts));
      }
    }
    Metrics metrics;
    metrics.set("score", hash_score(space_.to_string(candidate)));
    double sum = 0;
    for (int decision : candidate.decisions) sum += decision;
    metrics.set("decision_sum", sum);
    return TrialResult::complete(metrics);
  }

  std::vector<std::string> metric_names() const override { return {"decision_sum", "score"}; }

 private:
  const SearchSpace& space_;
  SyntheticOptions options_;
};

double non_negative(const ConfigNode& options, const std::string& key) {
  double value = options.get_double(key, 0.0);
  if (!(value >= 0.0) || value > 86400.0)
    options.at(key).fail(key + " " + options.at(key).scalar_text() +
                         ": expected a number of seconds in [0, 86400]");
  return value;
}

}  // namespace

void register_synthetic_evaluator(EvaluatorRegistry& registry) {
  registry.add("synthetic", "synthetic",
               "fixed-cost trials for tests and benchmarks: sleep_seconds, spin_seconds, steps; "
               "metrics score (hash of the candidate) and decision_sum",
               [](const EvaluatorContext& context) -> std::unique_ptr<Evaluator> {
                 const ConfigNode& options = context.options;
                 options.check_keys({"sleep_seconds", "spin_seconds", "steps"});
                 SyntheticOptions parsed;
                 parsed.sleep_seconds = non_negative(options, "sleep_seconds");
                 parsed.spin_seconds = non_negative(options, "spin_seconds");
                 parsed.steps = static_cast<int>(options.get_int_in("steps", 0, 0, 1000000));
                 return std::make_unique<SyntheticEvaluator>(context.space, parsed);
               });
}

}  // namespace tandem
