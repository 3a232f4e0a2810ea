// Generic SearchSpace operations built on the decision list (see search_space.hpp).
#include "spaces/search_space.hpp"

#include <utility>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

const std::vector<std::string>& graph_option_keys() {
  static const std::vector<std::string> keys = {"input_shape", "classes", "width",
                                                "cells_per_stage", "width_multiplier"};
  return keys;
}

const SupernetDescription& SearchSpace::default_supernet() const {
  const std::lock_guard<std::mutex> lock(default_supernet_mutex_);
  if (!default_supernet_)
    default_supernet_ = std::make_unique<const SupernetDescription>(supernet(GraphOptions{}));
  return *default_supernet_;
}

GraphOptions read_graph_options(const ConfigNode& options, GraphOptions defaults) {
  GraphOptions out = defaults;
  ConfigNode shape = options.optional("input_shape");
  if (shape.present()) {
    if (!shape.is_sequence() || shape.size() != 3)
      shape.fail("expected [channels, height, width], e.g. [3, 32, 32]");
    int values[3];
    for (std::size_t i = 0; i < 3; ++i) {
      long long v = shape.element(i).as_int();
      if (v <= 0 || v > 100000) shape.element(i).fail("expected a positive size, got " +
                                                      std::to_string(v));
      values[i] = static_cast<int>(v);
    }
    out.input = TensorShape{values[0], values[1], values[2]};
  }
  out.classes = static_cast<int>(options.get_int_in("classes", defaults.classes, 1, 1000000));
  out.width = static_cast<int>(options.get_int_in("width", defaults.width, 1, 100000));
  out.cells_per_stage =
      static_cast<int>(options.get_int_in("cells_per_stage", defaults.cells_per_stage, 1, 1000));
  out.width_multiplier = options.get_double("width_multiplier", defaults.width_multiplier);
  if (options.has("width_multiplier") && !(out.width_multiplier > 0.0))
    options.at("width_multiplier").fail("expected a positive number, got " +
                                        format_number(out.width_multiplier));
  return out;
}

std::string SearchSpace::accelerator_string(const Candidate& candidate) const {
  const std::optional<AcceleratorDescription> accelerator = accelerator_description(candidate);
  return accelerator ? accelerator->to_yaml() : "";
}

double SearchSpace::size() const {
  double total = 1.0;
  for (const auto& decision : decisions()) total *= static_cast<double>(decision.choices.size());
  return total;
}

void SearchSpace::check(const Candidate& candidate) const {
  const auto& all = decisions();
  TANDEM_CHECK(candidate.decisions.size() == all.size(),
               "space '" + name() + "': candidate has " +
                   std::to_string(candidate.decisions.size()) + " decisions, expected " +
                   std::to_string(all.size()));
  for (std::size_t i = 0; i < all.size(); ++i) {
    int value = candidate.decisions[i];
    TANDEM_CHECK(value >= 0 && value < static_cast<int>(all[i].choices.size()),
                 "space '" + name() + "': decision '" + all[i].name + "' has value index " +
                     std::to_string(value) + ", expected 0.." +
                     std::to_string(all[i].choices.size() - 1));
  }
  if (!is_valid(candidate)) {
    // Indices, not to_string(): a space's to_string may itself call check().
    std::string values;
    for (std::size_t i = 0; i < candidate.decisions.size(); ++i)
      values += (i ? "," : "") + std::to_string(candidate.decisions[i]);
    throw Error("space '" + name() + "': candidate with decision values [" + values +
                "] violates the space's constraints");
  }
}

Candidate SearchSpace::sample(Rng& rng) const {
  const auto& all = decisions();
  for (int attempt = 0; attempt < 100000; ++attempt) {
    Candidate candidate;
    candidate.decisions.reserve(all.size());
    for (const auto& decision : all)
      candidate.decisions.push_back(static_cast<int>(rng.uniform_index(decision.choices.size())));
    if (is_valid(candidate)) return candidate;
  }
  throw InternalError("space '" + name() + "': no valid candidate in 100000 samples");
}

Candidate SearchSpace::mutate(const Candidate& candidate, Rng& rng) const {
  const auto& all = decisions();
  std::vector<std::size_t> mutable_decisions;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].choices.size() > 1) mutable_decisions.push_back(i);
  TANDEM_CHECK(!mutable_decisions.empty(),
               "space '" + name() + "' has no decision with more than one value to mutate");
  for (int attempt = 0; attempt < 100000; ++attempt) {
    std::size_t which = mutable_decisions[rng.uniform_index(mutable_decisions.size())];
    const std::size_t cardinality = all[which].choices.size();
    // A different value, uniformly among the other cardinality-1 values.
    int offset = 1 + static_cast<int>(rng.uniform_index(cardinality - 1));
    Candidate child = candidate;
    child.decisions[which] = (candidate.decisions[which] + offset) % static_cast<int>(cardinality);
    if (is_valid(child)) return child;
  }
  throw InternalError("space '" + name() + "': no valid mutation in 100000 attempts");
}

std::vector<Candidate> SearchSpace::neighbours(const Candidate& candidate) const {
  std::vector<Candidate> out;
  const auto& all = decisions();
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (int value = 0; value < static_cast<int>(all[i].choices.size()); ++value) {
      if (value == candidate.decisions[i]) continue;
      Candidate neighbour = candidate;
      neighbour.decisions[i] = value;
      if (is_valid(neighbour)) out.push_back(std::move(neighbour));
    }
  }
  return out;
}

std::vector<Candidate> SearchSpace::swap_neighbours(const Candidate& candidate) const {
  std::vector<Candidate> out;
  const auto& all = decisions();
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      if (candidate.decisions[i] == candidate.decisions[j] || all[i].choices != all[j].choices)
        continue;
      Candidate neighbour = candidate;
      std::swap(neighbour.decisions[i], neighbour.decisions[j]);
      if (is_valid(neighbour)) out.push_back(std::move(neighbour));
    }
  }
  return out;
}

std::size_t SearchSpace::one_hot_size() const {
  std::size_t total = 0;
  for (const auto& decision : decisions()) total += decision.choices.size();
  return total;
}

std::vector<double> SearchSpace::one_hot(const Candidate& candidate) const {
  check(candidate);
  std::vector<double> out(one_hot_size(), 0.0);
  std::size_t offset = 0;
  const auto& all = decisions();
  for (std::size_t i = 0; i < all.size(); ++i) {
    out[offset + static_cast<std::size_t>(candidate.decisions[i])] = 1.0;
    offset += all[i].choices.size();
  }
  return out;
}

SpaceRegistry& space_registry() {
  static SpaceRegistry registry("search space",
                                {"cell", "macro", "tabular", "accelerator", "joint", "multitask"});
  return registry;
}

}  // namespace tandem
