// Fuzz target: an experiment config (YAML text) through ConfigNode and ExperimentConfig::parse up
// to a validated Experiment (space, strategy, evaluators and constraints built and cross-checked),
// as `tandem run` does before it opens the database; then the stored-config path of
// `tandem run --resume`: the text stored with the experiment is parsed again and must give the
// same identity. Seeds: experiments/examples/*.yaml and tests/fuzz/corpus/fuzz_config/.
// Runs in an empty folder (run_fuzzers.sh), so relative dataset and table paths do not resolve.
// Links: tandem_builtins tandem_runner (the composition root fills the registries).
#include "experiments/config/experiment_config.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/builtins/register_builtins.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tandem::register_builtins();
  const std::string text = tandem_fuzz::text_of(data, size);
  tandem_fuzz::fuzz_one([&] {
    tandem::ExperimentConfig config = tandem::ExperimentConfig::parse(text, "<fuzz>");
    const std::string identity = config.identity();
    // Resume: the stored text parses again to the same experiment.
    tandem::ExperimentConfig stored = tandem::ExperimentConfig::parse(config.text, "<stored>");
    tandem_fuzz::require(stored.identity() == identity, "stored config identity differs");
    tandem::Experiment experiment(std::move(config));
    (void)experiment.make_strategy();
  });
  return 0;
}
