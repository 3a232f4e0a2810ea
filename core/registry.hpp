// Registry<Product, Args...>: named factories for an extension point (search spaces, strategies,
// cost models, evaluators, pruners...). Filled once, by the composition root
// (experiments/builtins/register_builtins.cpp), never by static initialisers (static-library
// linking silently drops those). A name added twice is an InternalError; an unknown name is an
// error that lists the valid names and suggests the closest one.
//
// Every entry has a KIND from the registry's small, fixed vocabulary (given at construction and
// documented next to each registry, e.g. strategies: black-box, multi-objective, model-based, rl,
// weight-sharing, wrapper), so callers and tests can ask for "every weight-sharing strategy"
// instead of spelling out a list of names that a new extension would silently miss.
#pragma once

#include <algorithm>
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

  // `what` names the extension point in messages, e.g. "search space"; `kinds` is the vocabulary
  // every entry's kind must come from.
  Registry(std::string what, std::vector<std::string> kinds)
      : what_(std::move(what)), kinds_(std::move(kinds)) {}

  // Adds a factory of kind `kind`. Two extensions may not share a name, and the kind must be one
  // of the vocabulary: either mistake is a bug (InternalError).
  void add(const std::string& name, const std::string& kind, const std::string& help,
           Factory factory) {
    if (entries_.count(name) > 0)
      throw InternalError(what_ + " '" + name + "' is registered twice");
    require_kind(kind);
    entries_[name] = Entry{kind, help, std::move(factory)};
    registration_order_.push_back(name);
  }

  bool contains(const std::string& name) const { return entries_.count(name) > 0; }

  std::unique_ptr<Product> create(const std::string& name, Args... args) const {
    return entry(name).factory(std::forward<Args>(args)...);
  }

  const std::string& help(const std::string& name) const { return entry(name).help; }
  const std::string& kind_of(const std::string& name) const { return entry(name).kind; }

  // Every name, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, unused] : entries_) out.push_back(name);
    return out;
  }

  // Every name in the order the composition root registered them (the order docs list them in).
  const std::vector<std::string>& names_in_registration_order() const {
    return registration_order_;
  }

  // The names of kind `kind`, sorted; a kind outside the vocabulary is a bug (InternalError).
  std::vector<std::string> names_of_kind(const std::string& kind) const {
    require_kind(kind);
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_)
      if (entry.kind == kind) out.push_back(name);
    return out;
  }

  // The vocabulary of kinds, in the order given at construction.
  const std::vector<std::string>& kinds() const { return kinds_; }

  // Throws the "unknown <what>" error if `name` is not registered.
  void require(const std::string& name) const { entry(name); }

  const std::string& what() const { return what_; }

 private:
  struct Entry {
    std::string kind;
    std::string help;
    Factory factory;
  };

  void require_kind(const std::string& kind) const {
    if (std::find(kinds_.begin(), kinds_.end(), kind) == kinds_.end())
      throw InternalError(what_ + " kind '" + kind + "' is not one of: " + join(kinds_, ", "));
  }

  const Entry& entry(const std::string& name) const {
    auto found = entries_.find(name);
    if (found == entries_.end()) {
      throw Error("unknown " + what_ + " '" + name + "'" + did_you_mean(name, names()) +
                  "; available: " + join(names(), ", "));
    }
    return found->second;
  }

  std::string what_;
  std::vector<std::string> kinds_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> registration_order_;
};

}  // namespace tandem
