// The zero-cost scoring settings that `tandem proxy` and `tandem bench proxies` share:
// --seed, --threads, --batch and --fit, read and validated in one place.
#pragma once

#include <cxxopts.hpp>

#include "predictors/zero_cost_batch.hpp"

namespace tandem {

struct ZeroCostArguments {
  ZeroCostOptions scoring;
  ZeroCostBatchOptions batching;
};

// Reads --seed, --threads (>= 0), --batch (>= 1) and --fit of `args`; bad values are one-line errors.
ZeroCostArguments read_zero_cost_arguments(const cxxopts::ParseResult& args);

}  // namespace tandem
