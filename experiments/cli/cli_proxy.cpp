// `tandem proxy`: scores one architecture with zero-cost proxies and prints one `proxy value` line
// per proxy, in the order asked.
//   tandem proxy --space NAME --arch STRING [--space-options YAML] --proxies synflow,params,...
//                [--dataset NAME|PATH [--data-path PATH]] [--batch B] [--seed S]
//                [--input-shape C,H,W] [--fit resize|pad] [--threads T]
// Without --dataset only params, flops and synflow can be computed, on the space's own network
// (nb201: 3x32x32, 10 classes). With --dataset the network takes the dataset's sample shape and
// classes, as `tandem train` does, unless --input-shape asks for another shape, to which the batch
// is fitted (docs/proxies.md).
#include <iostream>

#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/zero_cost_arguments.hpp"
#include "experiments/cli/space_argument.hpp"
#include "experiments/runner/experiment.hpp"
#include "predictors/zero_cost_batch.hpp"
#include "trainers/dataset_reader.hpp"

namespace tandem {
namespace {

TensorShape parse_shape(const std::string& text) {
  const std::vector<std::string> parts = split(text, ',');
  TensorShape shape;
  int* fields[3] = {&shape.channels, &shape.height, &shape.width};
  bool ok = parts.size() == 3;
  for (std::size_t i = 0; ok && i < 3; ++i) {
    const std::optional<long long> value = parse_integer_text(parts[i]);
    ok = value && *value >= 1 && *value <= 4096;
    if (ok) *fields[i] = static_cast<int>(*value);
  }
  if (!ok)
    throw Error("tandem proxy: --input-shape " + quoted(text) +
                ": expected C,H,W with each in 1..4096, e.g. 3,32,32");
  return shape;
}

}  // namespace

int cli_proxy(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Score one architecture with zero-cost proxies (docs/proxies.md).");
  options.add_options()("space", "search space of --arch", cxxopts::value<std::string>())(
      "arch", "candidate string of --space", cxxopts::value<std::string>())(
      "space-options", "YAML mapping of space options, e.g. '{width: 8}'",
      cxxopts::value<std::string>())(
      "proxies", "comma-separated: " + join(zero_cost_proxy_names(), ", "),
      cxxopts::value<std::string>())(
      "dataset", "digits, mnist, fashion_mnist, cifar10, cifar100, or a CSV file / folder path",
      cxxopts::value<std::string>())("data-path", "folder or file of a named dataset",
                                     cxxopts::value<std::string>())(
      "batch", "minibatch size", integer_value("64"))(
      "seed", "weight initialisation and batch choice", integer_value("0"))(
      "input-shape", "lower the network for this C,H,W input and fit the batch to it",
      cxxopts::value<std::string>())(
      "fit", "how a batch is fitted to --input-shape: resize or pad",
      cxxopts::value<std::string>()->default_value("resize"))(
      "threads", "threads (0 = all cores)", integer_value("1"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {}, args)) return 0;

  for (const char* required : {"space", "arch", "proxies"})
    if (!args.count(required))
      throw Error(std::string("tandem proxy: missing --") + required +
                  " (usage: tandem proxy --space NAME --arch STRING --proxies LIST [options])");
  std::vector<std::string> proxies;
  for (const std::string& name : split(args["proxies"].as<std::string>(), ','))
    proxies.push_back(zero_cost_proxy(trim(name)).name);
  const ZeroCostArguments zero_cost = read_zero_cost_arguments(args);
  const ZeroCostOptions& scoring = zero_cost.scoring;
  const ZeroCostBatchOptions& batching = zero_cost.batching;
  const TensorShape input =
      args.count("input-shape") ? parse_shape(args["input-shape"].as<std::string>()) : TensorShape{};

  const auto [space, candidate] = read_space_architecture(args);

  std::optional<Dataset> data;
  if (args.count("dataset")) {
    data = load_dataset(args["dataset"].as<std::string>(),
                        args.count("data-path") ? args["data-path"].as<std::string>() : "")
               .train;
  }
  const GraphOptions graph_options =
      zero_cost_graph_options(*space, data ? &*data : nullptr, input);
  ComputeGraph graph;
  try {
    graph = space->to_graph(candidate, graph_options);
  } catch (const Error& error) {
    throw Error(space->name() + " candidate cannot take an input of shape " +
                graph_options.input.to_string() + ": " + error.what());
  }
  std::optional<ZeroCostBatch> batch;
  if (data) batch = make_zero_cost_batch(*data, graph_options.input, batching);

  ZeroCostScorer scorer(graph, scoring);
  const Metrics scores = scorer.score(proxies, batch ? &*batch : nullptr);
  for (const std::string& name : proxies)
    std::cout << name << " " << format_number(scores.at(name)) << "\n";
  return 0;
}

}  // namespace tandem
