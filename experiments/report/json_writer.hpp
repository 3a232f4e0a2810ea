// JsonWriter: builds one JSON text incrementally (objects, arrays, keys, values) for the report
// and the dashboard API. Strings are escaped so the text can sit inside an HTML <script> element
// (<, >, &, U+2028 and U+2029 as \uXXXX); non-finite numbers become the strings "nan", "inf" and
// "-inf", which the page reads back as numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tandem {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(double number);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();
  // Inserts already-written JSON (one value) as is.
  JsonWriter& raw(std::string_view json);

  // The text written so far; the writer must be back at the top level.
  const std::string& text() const;
  std::string take();

 private:
  void before_value();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// `text` as a JSON string literal, quotes included: ", \ and control characters escaped and, when
// `html_safe` (everything the report inlines), also <, >, &, U+2028 and U+2029.
std::string json_quote(std::string_view text, bool html_safe = true);

}  // namespace tandem
