// The accelerator climb's move set (see accelerator_moves.hpp).
#include "search/multi_objective/accelerator_moves.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace tandem {
namespace {

std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

AcceleratorMoves::AcceleratorMoves(const SearchSpace& space, std::size_t first_decision)
    : space_(space), first_(first_decision) {
  const auto& decisions = space_.decisions();
  for (std::size_t d = first_; d < decisions.size(); ++d) {
    const auto& choices = decisions[d].choices;
    std::vector<std::pair<double, int>> values;
    for (std::size_t c = 0; c < choices.size(); ++c)
      if (auto value = number(choices[c])) values.emplace_back(*value, static_cast<int>(c));
    std::vector<int> order;
    if (values.size() == choices.size() && choices.size() > 1) {
      std::sort(values.begin(), values.end());
      for (const auto& [value, index] : values) order.push_back(index);
    }
    ordered_.push_back(std::move(order));
  }
}

std::optional<Candidate> AcceleratorMoves::pattern(const Candidate& from,
                                                   const Candidate& to) const {
  Candidate next = to;
  bool moved = false;
  for (std::size_t k = 0; k < ordered_.size(); ++k) {
    const int a = from.decisions[first_ + k], b = to.decisions[first_ + k];
    if (a == b) continue;
    const auto& order = ordered_[k];
    if (order.empty()) return std::nullopt;
    const auto pa = std::find(order.begin(), order.end(), a) - order.begin();
    const auto pb = std::find(order.begin(), order.end(), b) - order.begin();
    const auto pc = pb + (pb - pa);
    if (pc < 0 || pc >= static_cast<std::ptrdiff_t>(order.size())) return std::nullopt;
    next.decisions[first_ + k] = order[static_cast<std::size_t>(pc)];
    moved = true;
  }
  if (!moved || !space_.is_valid(next)) return std::nullopt;
  return next;
}

std::vector<Candidate> AcceleratorMoves::neighbours(const Candidate& candidate,
                                                    bool exchanges) const {
  const auto& decisions = space_.decisions();
  std::vector<Candidate> out;
  auto add = [&](Candidate next) {
    if (space_.is_valid(next)) out.push_back(std::move(next));
  };
  for (std::size_t d = first_; d < decisions.size(); ++d)
    for (std::size_t c = 0; c < decisions[d].choices.size(); ++c) {
      if (static_cast<int>(c) == candidate.decisions[d]) continue;
      Candidate next = candidate;
      next.decisions[d] = static_cast<int>(c);
      add(std::move(next));
    }
  if (!exchanges) return out;
  auto position = [&](std::size_t k) {  // rank of the current choice of accelerator decision k
    const auto& order = ordered_[k];
    return static_cast<std::size_t>(
        std::find(order.begin(), order.end(), candidate.decisions[first_ + k]) - order.begin());
  };
  for (std::size_t up = 0; up < ordered_.size(); ++up) {
    if (ordered_[up].empty() || position(up) + 1 >= ordered_[up].size()) continue;
    for (std::size_t down = 0; down < ordered_.size(); ++down) {
      if (down == up || ordered_[down].empty() || position(down) == 0) continue;
      Candidate next = candidate;
      next.decisions[first_ + up] = ordered_[up][position(up) + 1];
      next.decisions[first_ + down] = ordered_[down][position(down) - 1];
      add(std::move(next));
    }
  }
  return out;
}

}  // namespace tandem
