// Fuzz target: the RFC 4180 CSV reader every table goes through (core/csv_reader.cpp CsvTable):
// benchmark tables, `tandem predict` and `tandem bench-proxies` inputs. Every parsed row must
// have the header's width. Seeds: data/**/*.csv and tests/fuzz/corpus/fuzz_csv/.
// Links: tandem_core
#include "core/csv_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = tandem_fuzz::text_of(data, size);
  tandem_fuzz::fuzz_one([&] {
    const tandem::CsvTable table = tandem::CsvTable::parse(text, "<fuzz>");
    for (std::size_t r = 0; r < table.rows(); ++r)
      tandem_fuzz::require(table.row(r).size() == table.header().size(), "row width != header");
    if (!table.header().empty()) (void)table.require_column(table.header().back());
  });
  return 0;
}
