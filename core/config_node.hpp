// ConfigNode: a read-only view of one node of a YAML document that knows where it came from
// (file, line:column, key path), so every configuration error names the place, the bad value and
// what is accepted. The only yaml-cpp user below experiments/.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace YAML {
class Node;
}

namespace tandem {

class ConfigNode {
 public:
  // An empty (absent) node: has() is false for every key; used when a section is omitted.
  ConfigNode();
  ~ConfigNode();
  ConfigNode(const ConfigNode&);
  ConfigNode& operator=(const ConfigNode&);

  static ConfigNode load_file(const std::string& path);
  // `source` names the text in messages (e.g. "<command line>").
  static ConfigNode parse(const std::string& text, const std::string& source);

  bool present() const;  // false for an absent node (missing optional section)
  bool is_map() const;
  bool is_sequence() const;
  bool is_scalar() const;
  bool is_null() const;

  // Dotted key path from the document root, e.g. "strategy.options.population"; "" at the root.
  const std::string& path() const { return path_; }
  // "file:line:column" of this node (or of its parent when absent).
  std::string location() const;
  const std::string& source() const;

  // Map access.
  bool has(const std::string& key) const;
  ConfigNode at(const std::string& key) const;         // required: error when missing
  ConfigNode optional(const std::string& key) const;   // absent node when missing
  std::vector<std::string> keys() const;
  // Every key must be one of `allowed`; otherwise an error naming the key, a suggestion and the
  // accepted keys.
  void check_keys(const std::vector<std::string>& allowed) const;

  // Sequence access.
  std::size_t size() const;
  ConfigNode element(std::size_t index) const;

  // Scalar conversion; a wrong type is an error naming the key, the value and the expected type.
  std::string as_string() const;
  long long as_int() const;
  double as_double() const;
  bool as_bool() const;
  std::vector<std::string> as_string_list() const;

  // Typed getters for map keys.
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  long long get_int(const std::string& key) const;
  long long get_int(const std::string& key, long long fallback) const;
  double get_double(const std::string& key) const;
  double get_double(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  // Integer in [min, max] (inclusive), with a message naming the accepted range.
  long long get_int_in(const std::string& key, long long fallback, long long min,
                       long long max) const;
  // One of `choices`.
  std::string get_choice(const std::string& key, const std::string& fallback,
                         const std::vector<std::string>& choices) const;

  // An error at this node: "file:line:col: 'path': message".
  [[noreturn]] void fail(const std::string& message) const;

  // The node's YAML text (for logging options verbatim).
  std::string to_yaml() const;
  // The raw scalar text ("" for non-scalars).
  std::string scalar_text() const;

 private:
  ConfigNode(std::shared_ptr<const std::string> source, std::unique_ptr<YAML::Node> node,
             std::string path, std::string parent_location);
  std::string type_name() const;

  std::shared_ptr<const std::string> source_;
  std::unique_ptr<YAML::Node> node_;
  std::string path_;
  std::string parent_location_;  // where an absent node's parent is
};

}  // namespace tandem
