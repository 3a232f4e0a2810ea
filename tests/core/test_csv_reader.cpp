// Tests of the CSV reader's errors (core/csv_reader.cpp) on input that fuzz_csv found: a quoted
// header field with a line break was echoed verbatim, so the error was not one line.
#include <doctest/doctest.h>

#include <string>

#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "core/one_line.hpp"

using namespace tandem;

TEST_CASE("csv reader: errors that echo a header with line breaks stay one line") {
  const std::string text = "a,\"b\nc\",d\n1,2\n";
  CHECK_THROWS_WITH_AS(CsvTable::parse(text, "t.csv"),
                       "t.csv:3: expected 3 fields (a,b\\nc,d), got 2", ParseError);
  const CsvTable table = CsvTable::parse("x,\"y\r\nz\"\n1,2\n", "u.csv");
  CHECK_THROWS_WITH_AS(table.require_column("w"), doctest::Contains("columns: x, y\\r\\nz"), Error);
}

TEST_CASE("csv reader: one_line writes control characters as escapes") {
  CHECK(one_line("plain text, 'quoted'") == "plain text, 'quoted'");
  CHECK(one_line("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(one_line(std::string("\x01\x1f\x7f", 3)) == "\\x01\\x1f\\x7f");
  CHECK(one_line("caf\xc3\xa9") == "caf\xc3\xa9");  // UTF-8 passes unchanged
}
