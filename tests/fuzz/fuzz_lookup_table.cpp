// Fuzz target: a measured lookup table (the `lookup` cost model's CSV, hwmodels/
// lookup_table_model.cpp parse_lookup_csv). Seeds: data/hwmodels/lookup_example.csv and
// tests/fuzz/corpus/fuzz_lookup_table/.
// Links: tandem_hwmodels
#include "hwmodels/lookup_table_model.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = tandem_fuzz::text_of(data, size);
  tandem_fuzz::fuzz_one([&] { (void)tandem::hw::parse_lookup_csv(text, "<fuzz>"); });
  return 0;
}
