// ConfigNode over yaml-cpp (see config_node.hpp).
#include "core/config_node.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "core/one_line.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

std::string mark_text(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

}  // namespace

ConfigNode::ConfigNode() : source_(std::make_shared<const std::string>("<config>")) {}
ConfigNode::~ConfigNode() = default;

ConfigNode::ConfigNode(const ConfigNode& other)
    : source_(other.source_),
      node_(other.node_ ? std::make_unique<YAML::Node>(*other.node_) : nullptr),
      path_(other.path_),
      parent_location_(other.parent_location_),
      origins_(other.origins_) {}

ConfigNode& ConfigNode::operator=(const ConfigNode& other) {
  if (this != &other) {
    source_ = other.source_;
    node_ = other.node_ ? std::make_unique<YAML::Node>(*other.node_) : nullptr;
    path_ = other.path_;
    parent_location_ = other.parent_location_;
    origins_ = other.origins_;
  }
  return *this;
}

ConfigNode::ConfigNode(std::shared_ptr<const std::string> source, std::unique_ptr<YAML::Node> node,
                       std::string path, std::string parent_location)
    : source_(std::move(source)),
      node_(std::move(node)),
      path_(std::move(path)),
      parent_location_(std::move(parent_location)) {}

ConfigNode ConfigNode::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open the config file for reading");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

namespace {

// yaml-cpp keeps both entries of a key written twice in one mapping and lookups see the first,
// so `seed: 0` then `seed: 1` would silently run with seed 0: refuse it, naming both lines. Keys
// are names: a complex key (`? [a, b]`, `? {a: 1}`) or an empty one is refused here too, at its
// line, rather than failing inside yaml-cpp when a key is read as text.
void reject_bad_keys(const YAML::Node& node, const std::string& source, int depth) {
  if (depth > 256) throw ConfigError(mark_text(source, node.Mark()) + ": YAML nested too deeply");
  if (node.IsSequence()) {
    for (const auto& element : node) reject_bad_keys(element, source, depth + 1);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, YAML::Mark> seen;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar())
      throw ConfigError(mark_text(source, entry.first.Mark()) + ": a mapping key must be a name, " +
                        (entry.first.IsNull() ? std::string("not empty or null")
                                              : std::string("not a list or a mapping")));
    const std::string key = entry.first.Scalar();
    auto [first, inserted] = seen.emplace(key, entry.first.Mark());
    if (!inserted)
      throw ConfigError(mark_text(source, entry.first.Mark()) + ": key '" + one_line(key) +
                        "' appears twice in one mapping (first at line " +
                        std::to_string(first->second.line + 1) + "); give it once");
    reject_bad_keys(entry.second, source, depth + 1);
  }
}

// Where the first two documents of `text` start. Not YAML::LoadAll: yaml-cpp 0.7's LoadAll loops
// forever, allocating, on some malformed text (e.g. "a: {b]c: d", found by fuzz_accelerator);
// reading at most two documents with a handler that builds nothing always ends.
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;  // where each document's content begins
  void OnDocumentStart(const YAML::Mark& mark) override {
    marks.push_back(mark);
    pending_ = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { content(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { content(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    content(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    content(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    content(mark);
  }
  void OnMapEnd() override {}

 private:
  void content(const YAML::Mark& mark) {
    if (pending_) marks.back() = mark;
    pending_ = false;
  }
  bool pending_ = false;
};

std::vector<YAML::Mark> document_starts(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts starts;
  for (int documents = 0; documents < 2 && parser.HandleNextDocument(starts);) ++documents;
  return starts.marks;
}

// A quoted scalar (yaml-cpp tags it "!") whose opening quote at `mark` has no closing quote:
// yaml-cpp reads such a scalar to the end of the text instead of failing.
bool quote_never_closed(const std::string& text, const YAML::Mark& mark) {
  if (mark.is_null() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size())
    return false;
  const char quote = text[static_cast<std::size_t>(mark.pos)];
  if (quote != '"' && quote != '\'') return false;
  for (std::size_t i = static_cast<std::size_t>(mark.pos) + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is an escaped ' inside a single-quoted string
      } else {
        return false;
      }
    }
  }
  return true;
}

void reject_unclosed_quote(const YAML::Node& scalar, const std::string& text,
                           const std::string& source) {
  if (scalar.Tag() != "!" || !quote_never_closed(text, scalar.Mark())) return;
  throw ConfigError(mark_text(source, scalar.Mark()) +
                    ": malformed YAML: this quoted string is never closed (no matching " +
                    std::string(1, text[static_cast<std::size_t>(scalar.Mark().pos)]) +
                    " before the end of the file)");
}

// Every quoted scalar, key or value, under `node` is closed.
void reject_unclosed_quotes(const YAML::Node& node, const std::string& text,
                            const std::string& source, int depth) {
  if (depth > 256) return;  // reject_bad_keys has refused it already
  if (node.IsScalar()) reject_unclosed_quote(node, text, source);
  if (node.IsSequence())
    for (const auto& element : node) reject_unclosed_quotes(element, text, source, depth + 1);
  if (node.IsMap()) {
    for (const auto& entry : node) {
      reject_unclosed_quotes(entry.first, text, source, depth + 1);
      reject_unclosed_quotes(entry.second, text, source, depth + 1);
    }
  }
}

// `text` with every CR LF and every lone CR made LF (YAML 1.2 line breaks; columns unchanged).
std::string with_lf_line_breaks(const std::string& text) {
  if (text.find('\r') == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out += text[i];
    } else {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    }
  }
  return out;
}

}  // namespace

ConfigNode ConfigNode::parse(const std::string& original, const std::string& source) {
  const std::string text = with_lf_line_breaks(original);
  try {
    const std::vector<YAML::Mark> documents = document_starts(text);
    if (documents.size() > 1)
      throw ConfigError(mark_text(source, documents[1]) +
                        ": a second YAML document (after '---'); a config is one document");
    auto node = std::make_unique<YAML::Node>(documents.empty() ? YAML::Node() : YAML::Load(text));
    reject_bad_keys(*node, source, 0);
    reject_unclosed_quotes(*node, text, source, 0);
    return ConfigNode(std::make_shared<const std::string>(source), std::move(node), "",
                      source);
  } catch (const YAML::Exception& e) {
    throw ConfigError(mark_text(source, e.mark) + ": malformed YAML: " + one_line(e.msg));
  }
}

bool ConfigNode::present() const { return node_ && node_->IsDefined(); }
bool ConfigNode::is_map() const { return present() && node_->IsMap(); }
bool ConfigNode::is_sequence() const { return present() && node_->IsSequence(); }
bool ConfigNode::is_scalar() const { return present() && node_->IsScalar(); }
bool ConfigNode::is_null() const { return !present() || node_->IsNull(); }
const std::string& ConfigNode::source() const { return *source_; }

std::string ConfigNode::location() const {
  if (!present()) return parent_location_.empty() ? *source_ : parent_location_;
  return mark_text(*source_, node_->Mark());
}

void ConfigNode::fail(const std::string& message) const {
  std::string where = location();
  // Keys and values from the file may hold line breaks (quoted YAML): the error stays one line.
  if (path_.empty()) throw ConfigError(where + ": " + one_line(message));
  throw ConfigError(where + ": '" + one_line(path_) + "': " + one_line(message));
}

std::string ConfigNode::type_name() const {
  if (!present() || node_->IsNull()) return "nothing";
  if (node_->IsMap()) return "a mapping";
  if (node_->IsSequence()) return "a list";
  return "'" + node_->Scalar() + "'";
}

bool ConfigNode::has(const std::string& key) const {
  if (!is_map()) return false;
  const YAML::Node& node = *node_;
  return node[key].IsDefined();
}

ConfigNode ConfigNode::optional(const std::string& key) const {
  if (present() && !is_map() && !node_->IsNull())
    fail("expected a mapping with key '" + key + "', got " + type_name());
  if (origins_) {
    auto origin = origins_->find(key);
    if (origin != origins_->end() && has(key)) return origin->second;
  }
  std::unique_ptr<YAML::Node> child;
  if (is_map()) {
    const YAML::Node& node = *node_;
    YAML::Node found = node[key];
    if (found.IsDefined()) child = std::make_unique<YAML::Node>(found);
  }
  return ConfigNode(source_, std::move(child), child_path(path_, key), location());
}

ConfigNode ConfigNode::at(const std::string& key) const {
  ConfigNode child = optional(key);
  if (!child.present()) {
    std::string where = location();
    throw ConfigError(where + ": missing required key '" + one_line(child_path(path_, key)) + "'");
  }
  return child;
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  if (!is_map()) return out;
  for (const auto& entry : *node_) out.push_back(entry.first.as<std::string>());
  return out;
}

void ConfigNode::check_keys(const std::vector<std::string>& allowed) const {
  if (!present() || node_->IsNull()) return;
  if (!node_->IsMap()) fail("expected a mapping, got " + type_name());
  for (const auto& entry : *node_) {
    std::string key = entry.first.as<std::string>();
    bool known = false;
    for (const auto& name : allowed) known = known || name == key;
    if (!known) {
      std::string where = mark_text(*source_, entry.first.Mark());
      if (origins_ && origins_->count(key)) where = origins_->at(key).location();
      std::string section = path_.empty() ? "at the top level" : "in '" + path_ + "'";
      throw ConfigError(one_line(where + ": unknown key '" + key + "' " + section +
                                 did_you_mean(key, allowed) + "; accepted keys: " +
                                 join(allowed, ", ")));
    }
  }
}

std::size_t ConfigNode::size() const { return present() ? node_->size() : 0; }

ConfigNode ConfigNode::element(std::size_t index) const {
  if (!is_sequence()) fail("expected a list, got " + type_name());
  const YAML::Node& node = *node_;
  auto child = std::make_unique<YAML::Node>(node[index]);
  return ConfigNode(source_, std::move(child), path_ + "[" + std::to_string(index) + "]",
                    location());
}

std::string ConfigNode::scalar_text() const { return is_scalar() ? node_->Scalar() : ""; }

std::string ConfigNode::as_string() const {
  if (!is_scalar()) fail("expected a string, got " + type_name());
  return node_->Scalar();
}

long long ConfigNode::as_int() const {
  if (!is_scalar()) fail("expected an integer, got " + type_name());
  const std::string& text = node_->Scalar();
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) fail("expected an integer, got '" + text + "'");
  return value;
}

std::uint64_t ConfigNode::as_uint64() const {
  const std::string text = is_scalar() ? node_->Scalar() : "";
  const std::optional<std::uint64_t> value = parse_unsigned_decimal(text);
  if (!value)
    fail("expected an integer in [0, 18446744073709551615], got " +
         (is_scalar() ? quoted(text) : type_name()));
  return *value;
}

double ConfigNode::as_double() const {
  if (!is_scalar()) fail("expected a number, got " + type_name());
  const std::string& text = node_->Scalar();
  if (text == ".inf" || text == "inf") return INFINITY;
  if (text == "-.inf" || text == "-inf") return -INFINITY;
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) fail("expected a number, got '" + text + "'");
  return value;
}

bool ConfigNode::as_bool() const {
  if (!is_scalar()) fail("expected true or false, got " + type_name());
  const std::string& text = node_->Scalar();
  if (text == "true" || text == "True" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "False" || text == "no" || text == "off") return false;
  fail("expected true or false, got '" + text + "'");
}

std::vector<std::string> ConfigNode::as_string_list() const {
  std::vector<std::string> out;
  if (is_scalar()) {
    for (const auto& part : split(node_->Scalar(), ',')) out.push_back(trim(part));
    return out;
  }
  if (!is_sequence()) fail("expected a list of strings, got " + type_name());
  for (std::size_t i = 0; i < size(); ++i) out.push_back(element(i).as_string());
  return out;
}

std::vector<std::string> ConfigNode::as_distinct_string_list(const std::string& what) const {
  std::vector<std::string> out = as_string_list();
  std::unordered_map<std::string_view, std::size_t> first;
  first.reserve(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto [found, inserted] = first.emplace(out[i], i);
    if (inserted) continue;
    const ConfigNode where = is_sequence() ? element(i) : *this;
    where.fail(what + " " + quoted(out[i]) + " is listed twice (first as item " +
               std::to_string(found->second + 1) + " of the list); give each " + what + " once");
  }
  return out;
}

std::string ConfigNode::get_string(const std::string& key) const { return at(key).as_string(); }
std::string ConfigNode::get_string(const std::string& key, const std::string& fallback) const {
  ConfigNode child = optional(key);
  return child.present() && !child.is_null() ? child.as_string() : fallback;
}
long long ConfigNode::get_int(const std::string& key) const { return at(key).as_int(); }
long long ConfigNode::get_int(const std::string& key, long long fallback) const {
  ConfigNode child = optional(key);
  return child.present() && !child.is_null() ? child.as_int() : fallback;
}
double ConfigNode::get_double(const std::string& key) const { return at(key).as_double(); }
double ConfigNode::get_double(const std::string& key, double fallback) const {
  ConfigNode child = optional(key);
  return child.present() && !child.is_null() ? child.as_double() : fallback;
}
bool ConfigNode::get_bool(const std::string& key, bool fallback) const {
  ConfigNode child = optional(key);
  return child.present() && !child.is_null() ? child.as_bool() : fallback;
}

std::uint64_t ConfigNode::get_uint64(const std::string& key, std::uint64_t fallback) const {
  ConfigNode child = optional(key);
  return child.present() && !child.is_null() ? child.as_uint64() : fallback;
}

long long ConfigNode::get_int_in(const std::string& key, long long fallback, long long min,
                                 long long max) const {
  ConfigNode child = optional(key);
  if (!child.present() || child.is_null()) return fallback;
  long long value = child.as_int();
  if (value < min || value > max) {
    std::string range = max == std::numeric_limits<long long>::max()
                            ? "an integer >= " + std::to_string(min)
                            : "an integer in [" + std::to_string(min) + ", " +
                                  std::to_string(max) + "]";
    child.fail("got " + std::to_string(value) + ", expected " + range);
  }
  return value;
}

std::string ConfigNode::get_choice(const std::string& key, const std::string& fallback,
                                   const std::vector<std::string>& choices) const {
  ConfigNode child = optional(key);
  if (!child.present() || child.is_null()) return fallback;
  std::string value = child.as_string();
  for (const auto& choice : choices)
    if (choice == value) return value;
  child.fail("unknown value '" + value + "'" + did_you_mean(value, choices) +
             "; accepted: " + join(choices, ", "));
}

ConfigNode ConfigNode::with_origins(std::map<std::string, ConfigNode> origins) const {
  ConfigNode out = *this;
  out.origins_ = std::make_shared<const std::map<std::string, ConfigNode>>(std::move(origins));
  return out;
}

std::string ConfigNode::to_yaml() const {
  if (!present()) return "";
  YAML::Emitter out;
  out << *node_;
  return out.c_str();
}

}  // namespace tandem
