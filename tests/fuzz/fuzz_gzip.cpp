// Fuzz target: the gzip reader every dataset file goes through (trainers/gzip_reader.cpp gunzip,
// several members allowed). Seeds: data/uci-digits/digits.csv.gz's head re-compressed and
// tests/fuzz/corpus/fuzz_gzip/ (run_fuzzers.sh writes small gzip files).
// Links: tandem_trainers
#include "trainers/gzip_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes = tandem_fuzz::text_of(data, size);
  tandem_fuzz::fuzz_one([&] {
    if (tandem::is_gzip(bytes)) (void)tandem::gunzip(bytes, "<fuzz>");
  });
  return 0;
}
