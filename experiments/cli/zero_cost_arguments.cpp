// Reads the zero-cost scoring settings shared by `tandem proxy` and `tandem bench proxies`.
#include "experiments/cli/zero_cost_arguments.hpp"

#include <climits>

#include "experiments/cli/cli_options.hpp"

namespace tandem {

ZeroCostArguments read_zero_cost_arguments(const cxxopts::ParseResult& args) {
  ZeroCostArguments out;
  out.scoring.seed = seed_option(args);
  out.scoring.threads = static_cast<int>(integer_option(args, "threads", 0, INT_MAX));
  out.scoring.validate();
  out.batching.batch_size = static_cast<int>(integer_option(args, "batch", 1, INT_MAX));
  out.batching.seed = out.scoring.seed;
  out.batching.fit = args["fit"].as<std::string>();
  out.batching.validate();
  return out;
}

}  // namespace tandem
