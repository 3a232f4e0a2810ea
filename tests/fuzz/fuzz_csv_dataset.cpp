// Fuzz target: CSV datasets (trainers/csv_dataset.cpp parse_csv_dataset, e.g. the UCI digits of
// data/uci-digits), with the automatic shape and class count and with a fixed 10 classes.
// A parsed dataset must pass Dataset::check(). Seeds: the first rows of data/uci-digits
// (run_fuzzers.sh) and tests/fuzz/corpus/fuzz_csv_dataset/.
// Links: tandem_trainers
#include "trainers/csv_dataset.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = tandem_fuzz::text_of(data, size);
  tandem_fuzz::fuzz_one([&] {
    tandem::Dataset automatic = tandem::parse_csv_dataset(text, "<fuzz>", {});
    automatic.check();
  });
  tandem_fuzz::fuzz_one([&] {
    tandem::CsvDatasetOptions options;
    options.classes = 10;
    tandem::Dataset fixed = tandem::parse_csv_dataset(text, "<fuzz>", options);
    fixed.check();
  });
  return 0;
}
