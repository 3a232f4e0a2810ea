// Fuzz target: the benchmark table the `table` evaluator reads (e.g. data/nas-bench-201's
// NAS-Bench-201 CSV keyed by arch_str), built through the evaluator registry on an nb201 space
// from a file holding the input, then one candidate is looked up.
// Seeds: the first rows of data/nas-bench-201/*.csv (run_fuzzers.sh) and
// tests/fuzz/corpus/fuzz_table_evaluator/.
// Links: tandem_builtins tandem_runner (the composition root fills the registries).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/config_node.hpp"
#include "core/evaluator.hpp"
#include "core/rng.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "spaces/search_space.hpp"
#include "experiments/builtins/register_builtins.hpp"
#include "fuzz_support.hpp"

namespace {
struct Fixture {
  std::unique_ptr<tandem::SearchSpace> space;
  std::string path;
  tandem::Candidate candidate;
};
Fixture& fixture() {
  static Fixture made = [] {
    tandem::register_builtins();
    Fixture f;
    f.space = tandem::space_registry().create("nb201", tandem::ConfigNode());
    // In memory where there is a tmpfs: ext4 flushes a file truncated and rewritten on every input
    // (its replace-by-truncate heuristic), which made the disk the target's bottleneck.
    const std::filesystem::path folder = std::filesystem::is_directory("/dev/shm")
                                             ? std::filesystem::path("/dev/shm")
                                             : std::filesystem::temp_directory_path();
    f.path = (folder / ("tandem_fuzz_table_" + std::to_string(::getpid()) + ".csv")).string();
    static const std::string to_remove = f.path;
    std::atexit([] { std::remove(to_remove.c_str()); });
    tandem::Rng rng(1);
    f.candidate = f.space->sample(rng);
    return f;
  }();
  return made;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  tandem_fuzz::write_file(f.path, tandem_fuzz::text_of(data, size));
  tandem_fuzz::fuzz_one([&] {
    const tandem::ConfigNode options = tandem::ConfigNode::parse("path: " + f.path + "\n", "<fuzz>");
    tandem::EvaluatorContext context{*f.space, options, 0, "/", ""};
    auto evaluator = tandem::evaluator_registry().create("table", context);
    (void)evaluator->metric_names();
    tandem::NullReporter reporter;
    (void)evaluator->evaluate(f.candidate, reporter);
  });
  return 0;
}
