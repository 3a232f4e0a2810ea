// AcceleratorDescription: the accelerator part of a candidate as a typed value — the cost model's
// name and its parameters, in order — built by an accelerator space when it decodes a candidate
// (SearchSpace::accelerator_description) and handed to the `hw` evaluator, which builds and
// caches one cost model per distinct description. core/ knows no cost model: the parameter names
// and values follow docs/hwmodels.md by convention, and hwmodels/ validates them.
//
// to_yaml() renders the cost-model config as a YAML flow mapping,
//   {model: systolic, rows: 16, cols: 32, dataflow: ws, ...}
// the accelerator text stored with every trial.
#pragma once

#include <compare>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/config_node.hpp"

namespace tandem {

class AcceleratorDescription {
 public:
  // One mapping of scalar parameters, e.g. a heterogeneous chip's sub-accelerator
  // {template: os, rows: 8, cols: 16, bandwidth_share: 0.25}.
  using ScalarMap = std::vector<std::pair<std::string, std::string>>;

  // A parameter value: a scalar as written ("16", "ws", "0.25"), a list of scalar mappings
  // (sub_accelerators), or YAML text kept verbatim (a non-scalar `fixed:` entry of a space or a
  // `defaults:` entry of the hw evaluator).
  struct Value {
    enum class Kind { scalar, map_list, yaml };
    Kind kind = Kind::scalar;
    std::string text;            // scalar and yaml
    std::vector<ScalarMap> maps;  // map_list
    // Where the user wrote this value (a space's choice, a `fixed:` entry, an hw default), so a
    // cost model's error names that file:line:column; null for a built-in value. Not part of
    // the value: two values that differ only here are equal.
    std::shared_ptr<const ConfigNode> origin;

    static Value scalar(std::string text, std::shared_ptr<const ConfigNode> origin = nullptr) {
      return Value{Kind::scalar, std::move(text), {}, std::move(origin)};
    }
    static Value map_list(std::vector<ScalarMap> maps) {
      return Value{Kind::map_list, "", std::move(maps), nullptr};
    }
    static Value yaml(std::string text, std::shared_ptr<const ConfigNode> origin = nullptr) {
      return Value{Kind::yaml, std::move(text), {}, std::move(origin)};
    }
    std::string to_yaml() const;
    // The return type is spelled out: an `auto` one is deduced only once the enclosing class is
    // complete, too late for AcceleratorDescription's defaulted <=> below (clang deletes it).
    std::strong_ordering operator<=>(const Value& other) const {
      return std::tie(kind, text, maps) <=> std::tie(other.kind, other.text, other.maps);
    }
    bool operator==(const Value& other) const {
      return std::tie(kind, text, maps) == std::tie(other.kind, other.text, other.maps);
    }
  };
  using Parameters = std::vector<std::pair<std::string, Value>>;

  AcceleratorDescription() = default;
  AcceleratorDescription(std::string model, Parameters parameters)
      : model_(std::move(model)), parameters_(std::move(parameters)) {}

  const std::string& model() const { return model_; }
  const Parameters& parameters() const { return parameters_; }
  // The value of `key` (nullptr when not set).
  const Value* find(const std::string& key) const;
  void add(std::string key, Value value) { parameters_.emplace_back(std::move(key), std::move(value)); }
  // This description plus each of `defaults` whose key it does not set (after its own, in order).
  AcceleratorDescription with_defaults(const Parameters& defaults) const;

  // "{model: M, key: value, ...}".
  std::string to_yaml() const;
  // The values' origins by key (those that have one), for ConfigNode::with_origins.
  std::map<std::string, ConfigNode> origins() const;

  auto operator<=>(const AcceleratorDescription&) const = default;
  bool operator==(const AcceleratorDescription&) const = default;

 private:
  std::string model_;
  Parameters parameters_;
};

}  // namespace tandem
