// ConfigNode: a read-only view of one node of a YAML document that knows where it came from
// (file, line:column, key path), so every configuration error names the place, the bad value and
// what is accepted. The only yaml-cpp user below experiments/.
#pragma once

#include <cstdint>
#include <map>
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
  // `source` names the text in messages (e.g. "<command line>"). Line breaks are LF, CR LF or a
  // lone CR (YAML 1.2, section 5.4; yaml-cpp itself knows only the first two). A quoted string
  // that is never closed is malformed YAML (yaml-cpp would read it to the end of the file).
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
  // An integer in [0, 2^64 - 1] (seeds).
  std::uint64_t as_uint64() const;
  double as_double() const;
  bool as_bool() const;
  std::vector<std::string> as_string_list() const;
  // as_string_list(), each value at most once: a repeated one is an error naming `what` (e.g.
  // "metric"), the value and both places. Linear in the list's length.
  std::vector<std::string> as_distinct_string_list(const std::string& what) const;

  // Typed getters for map keys.
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  long long get_int(const std::string& key) const;
  long long get_int(const std::string& key, long long fallback) const;
  double get_double(const std::string& key) const;
  double get_double(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::uint64_t get_uint64(const std::string& key, std::uint64_t fallback) const;
  // Integer in [min, max] (inclusive), with a message naming the accepted range.
  long long get_int_in(const std::string& key, long long fallback, long long min,
                       long long max) const;
  // One of `choices`.
  std::string get_choice(const std::string& key, const std::string& fallback,
                         const std::vector<std::string>& choices) const;

  // An error at this node: "file:line:col: 'path': message".
  [[noreturn]] void fail(const std::string& message) const;

  // This mapping, where the value of each key in `origins` is that node instead: a node that
  // keeps its own file, line:column and key path. A mapping assembled from several places of a
  // config (an accelerator: a space's chosen values, its `fixed:` entries and the hw evaluator's
  // defaults, rendered as one YAML text) so reports an error where the user wrote the value.
  // Each origin must hold the same value as this mapping's own entry.
  ConfigNode with_origins(std::map<std::string, ConfigNode> origins) const;

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
  // Keys whose value is reported at another node (with_origins); null for a plain node.
  std::shared_ptr<const std::map<std::string, ConfigNode>> origins_;
};

}  // namespace tandem
