// `tandem bench proxies`: computes tandem's zero-cost proxies for the NAS-Bench-201 cells of
// NAS-Bench-Suite-Zero (data/nas-bench-suite-zero/zc_nasbench201.csv, NASLib's published scores)
// and prints, per task and proxy, the Spearman rho of our scores against the published ones and
// against NAS-Bench-201's 200-epoch test accuracy, next to the published scores' rho against the
// same accuracy (docs/benchmarks.md, "Zero-cost proxies").
//   tandem bench proxies [--proxies LIST] [--dataset D [--data-path P]] [--tasks LIST]
//                        [--every N] [--batch B] [--seed S] [--fit resize|pad] [--threads T]
//                        [--zc CSV] [--table CSV] [--output CSV]
// Each task's rows are scored on that task's network (C=16, N=5; cifar10 3x32x32 with 10 classes,
// cifar100 3x32x32 with 100, ImageNet16-120 3x16x16 with 120); the data-dependent proxies read one
// batch of --dataset fitted to that input. A proxy that is undefined for a cell (jacov NaN, naswot
// -inf) ranks below every defined score, as NASLib's -1e8 substitute does.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>

#include "core/csv_reader.hpp"
#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/zero_cost_arguments.hpp"
#include "experiments/cli/table_output.hpp"
#include "experiments/runner/experiment.hpp"
#include "predictors/rank_metrics.hpp"
#include "predictors/zero_cost_batch.hpp"
#include "trainers/dataset_reader.hpp"

namespace tandem {
namespace {

struct Task {
  std::string name;      // as in the zc CSV
  std::string accuracy;  // NB201 table column
  TensorShape input;
  int classes;
};

const std::vector<Task>& tasks() {
  static const std::vector<Task> list = {
      {"cifar10", "c10_test_acc_200ep", {3, 32, 32}, 10},
      {"cifar100", "c100_test_acc_200ep", {3, 32, 32}, 100},
      {"ImageNet16-120", "in16_test_acc_200ep", {3, 16, 16}, 120},
  };
  return list;
}

// A shipped data file: `path` as given when it exists, else under ../ (running from build/).
std::string find_file(const std::string& path) {
  if (std::filesystem::exists(path) || std::filesystem::path(path).is_absolute()) return path;
  const std::string parent = "../" + path;
  return std::filesystem::exists(parent) ? parent : path;
}

std::string published_column(const std::string& proxy) { return proxy == "naswot" ? "nwot" : proxy; }

double rank_value(double v) {  // undefined scores rank lowest
  return std::isfinite(v) ? v : (v > 0 ? std::numeric_limits<double>::max()
                                       : -std::numeric_limits<double>::max());
}

}  // namespace

int cli_bench_proxies(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Zero-cost proxies on NAS-Bench-Suite-Zero's NB201 cells: Spearman rho "
                           "against the published scores and the 200-epoch accuracy.");
  options.add_options()("proxies", "comma-separated (default: params,flops,synflow; all with --dataset)",
                        cxxopts::value<std::string>())(
      "dataset", "data for the data-dependent proxies (e.g. mnist, fashion_mnist)",
      cxxopts::value<std::string>())("data-path", "folder or file of a named dataset",
                                     cxxopts::value<std::string>())(
      "tasks", "comma-separated: cifar10, cifar100, ImageNet16-120",
      cxxopts::value<std::string>()->default_value("cifar10,cifar100,ImageNet16-120"))(
      "every", "score every N-th row of each task", integer_value("1"))(
      "batch", "minibatch size", integer_value("64"))(
      "seed", "weight initialisation and batch choice", integer_value("0"))(
      "fit", "resize or pad the data to the task's input",
      cxxopts::value<std::string>()->default_value("resize"))(
      "threads", "threads per network (0 = all cores)", integer_value("1"))(
      "zc", "NAS-Bench-Suite-Zero NB201 scores",
      cxxopts::value<std::string>()->default_value("data/nas-bench-suite-zero/zc_nasbench201.csv"))(
      "table", "NAS-Bench-201 accuracy table",
      cxxopts::value<std::string>()->default_value("data/nas-bench-201/nb201_accuracy_cost.csv"))(
      "output", "write every scored row (ours and published) to this CSV",
      cxxopts::value<std::string>());
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {}, args)) return 0;

  const bool with_data = args.count("dataset") > 0;
  std::vector<std::string> proxies;
  const std::string list = args.count("proxies") ? args["proxies"].as<std::string>()
                           : with_data           ? join(zero_cost_proxy_names(), ",")
                                                 : "params,flops,synflow";
  for (const std::string& name : split(list, ',')) proxies.push_back(zero_cost_proxy(trim(name)).name);
  std::vector<Task> chosen;
  for (const std::string& name : split(args["tasks"].as<std::string>(), ',')) {
    std::vector<std::string> names;
    const Task* found = nullptr;
    for (const Task& task : tasks()) {
      names.push_back(task.name);
      if (task.name == trim(name)) found = &task;
    }
    if (!found)
      throw Error("tandem bench proxies: unknown task " + tandem::quoted(name) + did_you_mean(name, names) +
                  "; accepted: " + join(names, ", "));
    chosen.push_back(*found);
  }
  const int every = static_cast<int>(integer_option(args, "every", 1, INT_MAX));
  const ZeroCostArguments zero_cost = read_zero_cost_arguments(args);
  const ZeroCostOptions& scoring = zero_cost.scoring;
  const ZeroCostBatchOptions& batching = zero_cost.batching;

  const CsvTable zc = CsvTable::read(find_file(args["zc"].as<std::string>()));
  const CsvTable table = CsvTable::read(find_file(args["table"].as<std::string>()));
  std::map<std::string, std::size_t> row_of_index;
  const std::size_t index_column = table.require_column("index");
  for (std::size_t r = 0; r < table.rows(); ++r) row_of_index[table.row(r)[index_column]] = r;
  std::optional<Dataset> data;
  if (with_data)
    data = load_dataset(args["dataset"].as<std::string>(),
                        args.count("data-path") ? args["data-path"].as<std::string>() : "")
               .train;
  auto space = space_registry().create("nb201", ConfigNode());

  std::ofstream output;
  if (args.count("output")) {
    output.open(args["output"].as<std::string>());
    if (!output) throw Error("tandem bench proxies: cannot write " + args["output"].as<std::string>());
    output << "task,nb201_index,accuracy";
    for (const auto& p : proxies) output << "," << p << ",published_" << published_column(p);
    output << "\n";
  }
  std::cout << "data: " << (with_data ? data->name + ", batch " + std::to_string(batching.batch_size) +
                                            " (" + batching.fit + " to the task's input)"
                                      : std::string("none (data-free proxies only)"))
            << "; seed " << scoring.seed << "\n";
  std::cout << "task            proxy      cells  rho_vs_published  rho_acc_ours  rho_acc_published  "
               "undefined\n";
  const std::size_t task_column = zc.require_column("task");
  const std::size_t arch_column = zc.require_column("nb201_arch_str");
  const std::size_t zc_index_column = zc.require_column("nb201_index");
  for (const Task& task : chosen) {
    GraphOptions graph_options = space->graph_options();
    graph_options.input = task.input;
    graph_options.classes = task.classes;
    std::optional<ZeroCostBatch> batch;
    if (data) batch = make_zero_cost_batch(*data, task.input, batching);
    const std::size_t accuracy_column = table.require_column(task.accuracy);
    std::map<std::string, std::vector<double>> ours, published, accuracy;
    std::map<std::string, int> undefined;
    int seen = 0, scored = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t r = 0; r < zc.rows(); ++r) {
      const auto& row = zc.row(r);
      if (row[task_column] != task.name || seen++ % every != 0) continue;
      const ComputeGraph graph = space->to_graph(space->parse(row[arch_column]), graph_options);
      ZeroCostScorer scorer(graph, scoring);
      const Metrics scores = scorer.score(proxies, batch ? &*batch : nullptr);
      const double acc = std::stod(table.row(row_of_index.at(row[zc_index_column]))[accuracy_column]);
      if (output) output << task.name << "," << row[zc_index_column] << "," << format_number(acc);
      for (const auto& p : proxies) {
        const std::string& value = row[zc.require_column(published_column(p))];
        if (output) output << "," << format_number(scores.at(p)) << "," << value;
        if (value.empty()) continue;
        if (!std::isfinite(scores.at(p))) ++undefined[p];
        ours[p].push_back(rank_value(scores.at(p)));
        published[p].push_back(std::stod(value));
        accuracy[p].push_back(acc);
      }
      if (output) output << "\n";
      if (++scored % 50 == 0) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cerr << task.name << ": " << scored << " cells, "
                  << fixed_decimals(seconds / scored, 3) << " s/cell\n";
      }
    }
    for (const auto& p : proxies) {
      char line[200];
      std::snprintf(line, sizeof line, "%-15s %-10s %5zu  %16s  %12s  %17s  %9d\n",
                    task.name.c_str(), p.c_str(), ours[p].size(),
                    fixed_decimals(spearman_rho(ours[p], published[p]), 3).c_str(),
                    fixed_decimals(spearman_rho(ours[p], accuracy[p]), 3).c_str(),
                    fixed_decimals(spearman_rho(published[p], accuracy[p]), 3).c_str(),
                    undefined[p]);
      std::cout << line << std::flush;
    }
  }
  return 0;
}

}  // namespace tandem
