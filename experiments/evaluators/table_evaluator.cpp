// Evaluator "table": looks candidates up in a tabular benchmark (a CSV with one row per
// architecture keyed by the space's canonical string) instead of training them — e.g. the
// NAS-Bench-201 table shipped in data/nas-bench-201 (Dong & Yang, ICLR 2020), where
// c10valid_val_acc_12ep is the search reward and c10_test_acc_200ep the reported truth.
// Options: path (CSV, relative to the experiment file), key (column with candidate strings,
// default arch_str), metrics (columns to report; default every numeric column). In a joint
// space the network part of the candidate is looked up (SearchSpace::architecture_string).
// Multi-task spaces: task (which task's network to look up; required there), prefix (prepended
// to every reported metric name, e.g. "cifar10." so two tasks can report the same column).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>

#include "core/csv_reader.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"

namespace tandem {
namespace {

std::optional<double> parse_number(const std::string& text) {
  std::string value = trim(text);
  if (value.empty()) return std::nullopt;
  char* end = nullptr;
  double number = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0') return std::nullopt;
  return number;
}

class TableEvaluator final : public Evaluator {
 public:
  TableEvaluator(const SearchSpace& space, const std::string& path, const std::string& key,
                 std::vector<std::string> metrics, std::string task, const std::string& prefix)
      : space_(space), path_(path), task_(std::move(task)) {
    CsvTable table = CsvTable::read(path);
    std::size_t key_column = table.require_column(key);
    if (metrics.empty()) {  // every column whose values are all numbers
      for (std::size_t c = 0; c < table.header().size(); ++c) {
        if (c == key_column) continue;
        bool numeric = table.rows() > 0;
        for (std::size_t r = 0; r < table.rows() && numeric; ++r)
          numeric = parse_number(table.row(r)[c]).has_value();
        if (numeric) metrics.push_back(table.header()[c]);
      }
    }
    std::vector<std::size_t> columns;
    for (const auto& name : metrics) columns.push_back(table.require_column(name));
    for (const auto& name : metrics) metric_names_.push_back(prefix + name);
    values_.reserve(table.rows());
    for (std::size_t r = 0; r < table.rows(); ++r) {
      const auto& row = table.row(r);
      std::vector<double> values;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        auto number = parse_number(row[columns[i]]);
        if (!number && !trim(row[columns[i]]).empty())
          throw ParseError(path + ":" + std::to_string(table.line_of(r)) + ": column '" +
                           metrics[i] + "' holds '" + row[columns[i]] + "', expected a number");
        values.push_back(number.value_or(NAN));
      }
      index_.emplace(row[key_column], values_.size());
      values_.push_back(std::move(values));
    }
  }

  // The table key of a candidate: its network (that of `task` in a multi-task space).
  std::string key_of(const Candidate& candidate) const {
    if (task_.empty()) return space_.architecture_string(candidate);
    const SearchSpace* network = nullptr;
    const Candidate part = space_.task_candidate(candidate, task_, &network);
    return network->architecture_string(part);
  }

  TrialResult evaluate(const Candidate& candidate, Reporter&) override {
    std::string key = key_of(candidate);
    auto found = index_.find(key);
    if (found == index_.end())
      return TrialResult::failed("architecture " + key + " is not in the table " + path_);
    Metrics metrics;
    const auto& values = values_[found->second];
    for (std::size_t i = 0; i < values.size(); ++i) metrics.set(metric_names_[i], values[i]);
    return TrialResult::complete(metrics);
  }

  std::vector<std::string> metric_names() const override { return metric_names_; }

  // The best value of a column over every row of the table (NaN cells skipped).
  std::optional<double> best_possible(const std::string& metric, bool minimize) const override {
    auto column = std::find(metric_names_.begin(), metric_names_.end(), metric);
    if (column == metric_names_.end()) return std::nullopt;
    const std::size_t c = static_cast<std::size_t>(column - metric_names_.begin());
    std::optional<double> best;
    for (const auto& row : values_) {
      if (std::isnan(row[c])) continue;
      if (!best || (minimize ? row[c] < *best : row[c] > *best)) best = row[c];
    }
    return best;
  }
  bool contains(const std::string& key) const { return index_.count(key) > 0; }

 private:
  const SearchSpace& space_;
  std::string path_;
  std::string task_;
  std::vector<std::string> metric_names_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::vector<double>> values_;
};

}  // namespace

void register_table_evaluator(EvaluatorRegistry& registry) {
  registry.add(
      "table", "lookup",
      "look candidates up in a benchmark table (CSV): path, key (default arch_str), metrics, "
      "task (multi-task spaces), prefix (of metric names)",
      [](const EvaluatorContext& context) -> std::unique_ptr<Evaluator> {
        const ConfigNode& options = context.options;
        options.check_keys({"path", "key", "metrics", "task", "prefix"});
        if (!options.has("path"))
          options.fail("the table evaluator needs `path:` (a CSV file, e.g. "
                       "data/nas-bench-201/nb201_accuracy_cost.csv)");
        std::filesystem::path path = options.get_string("path");
        if (path.is_relative()) path = std::filesystem::path(context.config_dir) / path;
        std::vector<std::string> metrics;
        if (options.has("metrics"))
          metrics = options.at("metrics").as_distinct_string_list("metric");
        const std::vector<std::string> tasks = context.space.task_names();
        std::string task = options.get_string("task", "");
        if (options.has("task") && tasks.empty())
          options.at("task").fail("space '" + context.space.name() +
                                  "' has no tasks; drop `task:` or use a multitask space");
        if (!tasks.empty() && std::find(tasks.begin(), tasks.end(), task) == tasks.end())
          (options.has("task") ? options.at("task") : options)
              .fail((task.empty() ? "space '" + context.space.name() + "' has tasks; give `task:`"
                                  : "no task '" + task + "' in space '" + context.space.name() +
                                        "'" + did_you_mean(task, tasks)) +
                    "; tasks: " + join(tasks, ", "));
        auto evaluator = std::make_unique<TableEvaluator>(
            context.space, path.lexically_normal().string(), options.get_string("key", "arch_str"),
            metrics, task, options.get_string("prefix", ""));
        // The table must describe this space: its first candidate must be a row.
        Rng rng(0);
        std::string example = evaluator->key_of(context.space.sample(rng));
        if (!evaluator->contains(example))
          options.at("path").fail("the table has no row for " + context.space.name() +
                                  " candidate " + example + "; does it belong to this space?");
        return evaluator;
      });
}

}  // namespace tandem
