// Registry<Product, Args...>: named factories for an extension point (search spaces, strategies,
// cost models, evaluators, pruners...). Filled once, by the composition root
// (experiments/builtins/register_builtins.cpp), never by static initialisers (static-library
// linking silently drops those). A name added twice is an InternalError; an unknown name is an
// error that lists the valid names and suggests the closest one.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

template <class Product, class... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Product>(Args...)>;

  // `kind` names the extension point in messages, e.g. "search space".
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  // Adds a factory. Two extensions may not share a name: a second add() of `name` is a bug.
  void add(const std::string& name, const std::string& help, Factory factory) {
    if (entries_.count(name) > 0)
      throw InternalError(kind_ + " '" + name + "' is registered twice");
    entries_[name] = Entry{help, std::move(factory)};
  }

  bool contains(const std::string& name) const { return entries_.count(name) > 0; }

  std::unique_ptr<Product> create(const std::string& name, Args... args) const {
    return entry(name).factory(std::forward<Args>(args)...);
  }

  const std::string& help(const std::string& name) const { return entry(name).help; }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, unused] : entries_) out.push_back(name);
    return out;
  }

  // Throws the "unknown <kind>" error if `name` is not registered.
  void require(const std::string& name) const { entry(name); }

  const std::string& kind() const { return kind_; }

 private:
  struct Entry {
    std::string help;
    Factory factory;
  };

  const Entry& entry(const std::string& name) const {
    auto found = entries_.find(name);
    if (found == entries_.end()) {
      throw Error("unknown " + kind_ + " '" + name + "'" + did_you_mean(name, names()) +
                  "; available: " + join(names(), ", "));
    }
    return found->second;
  }

  std::string kind_;
  std::map<std::string, Entry> entries_;
};

}  // namespace tandem
