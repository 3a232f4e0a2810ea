// Strategy wrappers: deduplicate, constraint_filter, retry (see strategy_wrappers.hpp).
#include "search/wrappers/strategy_wrappers.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

std::string decisions_text(const Candidate& candidate) {
  std::string text;
  for (std::size_t i = 0; i < candidate.decisions.size(); ++i)
    text += (i ? "," : "") + std::to_string(candidate.decisions[i]);
  return text;
}

// The wrapped strategy: `strategy: NAME` or `strategy: {name: NAME, options: {...}}`.
std::unique_ptr<Strategy> make_inner(const StrategyContext& context, const std::string& wrapper) {
  if (!context.options.has("strategy"))
    context.options.fail(wrapper + " wraps another strategy: give `strategy: {name: ..., "
                                   "options: {...}}`");
  ConfigNode node = context.options.at("strategy");
  std::string name;
  ConfigNode options;
  if (node.is_map()) {
    node.check_keys({"name", "options"});
    name = node.get_string("name");
    options = node.optional("options");
  } else {
    name = node.as_string();
  }
  try {
    strategy_registry().require(name);
  } catch (const Error& error) {
    (node.is_map() ? node.at("name") : node).fail(error.what());
  }
  StrategyContext inner{context.space, options, context.seed, context.objectives,
                        context.config_dir, context.constraints};
  return strategy_registry().create(name, inner);
}

}  // namespace

// ---- deduplicate -------------------------------------------------------------------------

Deduplicate::Deduplicate(std::unique_ptr<Strategy> inner, int max_attempts)
    : inner_(std::move(inner)), max_attempts_(max_attempts) {}

std::vector<Candidate> Deduplicate::ask(std::size_t n) {
  std::vector<Candidate> out;
  while (out.size() < n) {
    bool found = false;
    for (int attempt = 0; !found; ++attempt) {
      auto asked = inner_->ask(1);
      if (asked.empty()) return out;
      const Candidate& candidate = asked.front();
      const bool may_skip = attempt < max_attempts_;
      if (auto known = known_.find(candidate); known != known_.end() && may_skip) {
        ++skipped_;
        inner_->tell(candidate, known->second);
        continue;
      }
      if (pending_.count(candidate) && may_skip) {
        ++skipped_;
        ++held_[candidate];
        continue;
      }
      pending_.insert(candidate);
      out.push_back(candidate);
      found = true;
    }
  }
  return out;
}

void Deduplicate::tell(const Candidate& candidate, const TrialResult& result) {
  if (auto pending = pending_.find(candidate); pending != pending_.end()) pending_.erase(pending);
  known_[candidate] = result;
  inner_->tell(candidate, result);
  if (auto held = held_.find(candidate); held != held_.end()) {
    const int copies = held->second;
    held_.erase(held);
    for (int i = 0; i < copies; ++i) inner_->tell(candidate, result);
  }
}

std::string Deduplicate::state() const {
  std::string text = "deduplicate skipped=" + std::to_string(skipped_) +
                     " known=" + std::to_string(known_.size()) + " pending=";
  for (const auto& c : pending_) text += "[" + decisions_text(c) + "]";
  text += " held=";
  for (const auto& [c, copies] : held_) text += "[" + decisions_text(c) + "x" + std::to_string(copies) + "]";
  return text + " | " + inner_->state();
}

// ---- constraint_filter -------------------------------------------------------------------

const std::vector<std::string>& graph_constraint_metrics() {
  static const std::vector<std::string> metrics = {"macs", "params", "layers"};
  return metrics;
}

Constraint parse_graph_constraint(const ConfigNode& where) {
  const std::string text = where.as_string();
  const Constraint constraint = Constraint::parse(text, where);
  const auto& metrics = graph_constraint_metrics();
  if (std::find(metrics.begin(), metrics.end(), constraint.metric()) == metrics.end())
    where.fail("constraint '" + text + "': unknown graph metric '" + constraint.metric() + "'" +
               did_you_mean(constraint.metric(), metrics) + "; accepted: " + join(metrics, ", "));
  return constraint;
}

ConstraintFilter::ConstraintFilter(std::unique_ptr<Strategy> inner, const SearchSpace& space,
                                   std::vector<Constraint> constraints, int max_attempts)
    : inner_(std::move(inner)),
      space_(space),
      constraints_(std::move(constraints)),
      max_attempts_(max_attempts) {}

std::optional<TrialResult> ConstraintFilter::rejection(const Candidate& candidate) const {
  const ComputeGraph graph = space_.to_graph(candidate);
  Metrics metrics;
  metrics.set("macs", static_cast<double>(graph.total_macs()));
  metrics.set("params", static_cast<double>(graph.total_params()));
  metrics.set("layers", static_cast<double>(graph.size()));
  for (const auto& constraint : constraints_)
    if (auto reason = constraint.violation(metrics)) return TrialResult::infeasible(*reason, metrics);
  return std::nullopt;
}

std::vector<Candidate> ConstraintFilter::ask(std::size_t n) {
  std::vector<Candidate> out;
  while (out.size() < n) {
    bool found = false;
    for (int attempt = 0; !found; ++attempt) {
      auto asked = inner_->ask(1);
      if (asked.empty()) return out;
      if (attempt < max_attempts_) {
        if (auto rejected = rejection(asked.front())) {
          ++rejected_;
          inner_->tell(asked.front(), *rejected);
          continue;
        }
      }
      out.push_back(asked.front());
      found = true;
    }
  }
  return out;
}

std::string ConstraintFilter::state() const {
  return "constraint_filter rejected=" + std::to_string(rejected_) + " | " + inner_->state();
}

// ---- retry -------------------------------------------------------------------------------

RetryFailed::RetryFailed(std::unique_ptr<Strategy> inner, int max_retries)
    : inner_(std::move(inner)), max_retries_(max_retries) {}

std::vector<Candidate> RetryFailed::ask(std::size_t n) {
  std::vector<Candidate> out;
  while (out.size() < n && !retries_.empty()) {
    out.push_back(retries_.front());
    retries_.pop_front();
  }
  if (out.size() < n) {
    auto more = inner_->ask(n - out.size());
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

void RetryFailed::tell(const Candidate& candidate, const TrialResult& result) {
  if (result.status == TrialStatus::failed) {
    int& failures = failures_[candidate];
    if (failures < max_retries_) {
      ++failures;
      retries_.push_back(candidate);
      return;
    }
  }
  failures_.erase(candidate);
  inner_->tell(candidate, result);
}

std::string RetryFailed::state() const {
  std::string text = "retry failures=";
  for (const auto& [c, count] : failures_) text += "[" + decisions_text(c) + "x" + std::to_string(count) + "]";
  text += " queue=" + std::to_string(retries_.size());
  return text + " | " + inner_->state();
}

void register_strategy_wrappers(StrategyRegistry& registry) {
  registry.add("deduplicate", "wrapper",
               "wrapper: never evaluates a candidate twice (re-asks the inner strategy): "
               "strategy, max_attempts",
               [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
                 context.options.check_keys({"strategy", "max_attempts"});
                 const int attempts = static_cast<int>(
                     context.options.get_int_in("max_attempts", 100, 0, 1000000));
                 return std::make_unique<Deduplicate>(make_inner(context, "deduplicate"), attempts);
               });
  registry.add(
      "constraint_filter", "wrapper",
      "wrapper: skips candidates whose graph breaks `constraints` (macs, params, layers) and "
      "re-asks: strategy, constraints, max_attempts",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        context.options.check_keys({"strategy", "constraints", "max_attempts"});
        std::vector<Constraint> constraints;
        if (!context.options.has("constraints"))
          context.options.fail("constraint_filter needs `constraints: [\"macs <= 1e8\", ...]`");
        ConfigNode list = context.options.at("constraints");
        if (!list.is_sequence())
          list.fail("expected a list of constraints such as [\"macs <= 1e8\"]");
        for (std::size_t i = 0; i < list.size(); ++i)
          constraints.push_back(parse_graph_constraint(list.element(i)));
        const int attempts =
            static_cast<int>(context.options.get_int_in("max_attempts", 1000, 0, 100000000));
        return std::make_unique<ConstraintFilter>(make_inner(context, "constraint_filter"),
                                                  context.space, std::move(constraints), attempts);
      });
  registry.add("retry", "wrapper",
               "wrapper: asks a FAILED trial's candidate again before telling the inner "
               "strategy: strategy, max_retries",
               [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
                 context.options.check_keys({"strategy", "max_retries"});
                 const int retries =
                     static_cast<int>(context.options.get_int_in("max_retries", 2, 0, 1000));
                 return std::make_unique<RetryFailed>(make_inner(context, "retry"), retries);
               });
}

}  // namespace tandem
