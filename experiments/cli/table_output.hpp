// Tabular output for the CLI in three formats: aligned text ("table"), CSV (RFC 4180 quoting) and
// JSON (an array of objects; numbers unquoted, NULL and NaN as null); and the fixed-point number
// text the CLI's reports share.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tandem {

struct TextTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

// Throws tandem::Error for a format other than table, csv, json.
void check_output_format(const std::string& format);
void print_table(std::ostream& out, const TextTable& table, const std::string& format);

// `value` with exactly `digits` decimals ("%.*f"); NaN of either sign as "nan".
std::string fixed_decimals(double value, int digits);

}  // namespace tandem
