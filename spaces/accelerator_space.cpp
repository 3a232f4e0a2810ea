// AcceleratorParameterSpace: key=value candidates and typed accelerator descriptions (see
// accelerator_space.hpp).
#include "spaces/accelerator_space.hpp"

#include <algorithm>

#include "core/one_line.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {

AcceleratorParameterSpace::AcceleratorParameterSpace(std::string name, std::string model,
                                                     std::string summary,
                                                     std::vector<Parameter> parameters,
                                                     const ConfigNode& options)
    : name_(std::move(name)), model_(std::move(model)), summary_(std::move(summary)) {
  std::vector<std::string> keys = {"fixed"};
  for (const auto& p : parameters) keys.push_back(p.name);
  options.check_keys(keys);
  for (const auto& p : parameters) {
    Decision decision{p.name, p.choices};
    std::vector<std::shared_ptr<const ConfigNode>> origins;
    ConfigNode node = options.optional(p.name);
    if (node.present()) {
      decision.choices = node.is_sequence() ? node.as_string_list()
                                            : std::vector<std::string>{node.as_string()};
      if (decision.choices.empty()) node.fail("expected at least one value");
      for (std::size_t i = 0; i < decision.choices.size(); ++i)
        origins.push_back(std::make_shared<const ConfigNode>(node.is_sequence() ? node.element(i)
                                                                                : node));
      for (const auto& choice : decision.choices) {
        if (p.numeric) {
          double value = 0;
          try {
            std::size_t used = 0;
            value = std::stod(choice, &used);
            if (used != choice.size()) value = -1;
          } catch (const std::exception&) {
            value = -1;
          }
          if (!(value > 0)) node.fail("expected positive numbers, got '" + choice + "'");
        } else if (std::find(p.choices.begin(), p.choices.end(), choice) == p.choices.end()) {
          node.fail("unknown value '" + choice + "'" + did_you_mean(choice, p.choices) +
                    "; accepted: " + join(p.choices, ", "));
        }
      }
    }
    decisions_.push_back(std::move(decision));
    origins_.push_back(std::move(origins));
  }
  ConfigNode fixed = options.optional("fixed");
  for (const auto& key : fixed.keys()) {
    for (const auto& d : decisions_)
      if (d.name == key) fixed.at(key).fail("'" + key + "' is a decision of the space; set its "
                                                    "choices with '" + key + ": [...]' instead");
    const ConfigNode value = fixed.at(key);
    auto origin = std::make_shared<const ConfigNode>(value);
    fixed_.emplace_back(key, value.is_scalar()
                                 ? AcceleratorDescription::Value::scalar(value.as_string(), origin)
                                 : AcceleratorDescription::Value::yaml(value.to_yaml(), origin));
  }
}

std::string AcceleratorParameterSpace::to_string(const Candidate& candidate) const {
  check(candidate);
  std::string text;
  for (std::size_t i = 0; i < decisions_.size(); ++i)
    text += (i ? " " : "") + decisions_[i].name + "=" + value(candidate, i);
  return text;
}

Candidate AcceleratorParameterSpace::parse(const std::string& text) const {
  Candidate candidate;
  std::size_t position = 0;
  const std::vector<std::string> words = split(trim(text), ' ');
  std::size_t word = 0;
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    while (word < words.size() && words[word].empty()) ++word, ++position;
    const Decision& decision = decisions_[i];
    if (word >= words.size())
      throw ParseError("space '" + name_ + "': at character " + std::to_string(position) +
                       ": expected '" + decision.name + "=VALUE', got the end of the text");
    const std::string& item = words[word];
    const std::string prefix = decision.name + "=";
    if (!starts_with(item, prefix))
      throw ParseError("space '" + name_ + "': at character " + std::to_string(position) +
                       ": expected '" + prefix + "VALUE', got '" + one_line(item) + "'");
    const std::string chosen = item.substr(prefix.size());
    auto found = std::find(decision.choices.begin(), decision.choices.end(), chosen);
    if (found == decision.choices.end())
      throw ParseError("space '" + name_ + "': at character " +
                       std::to_string(position + prefix.size()) + ": '" + decision.name +
                       "' has no value '" + one_line(chosen) + "'; accepted: " +
                       join(decision.choices, ", "));
    candidate.decisions.push_back(static_cast<int>(found - decision.choices.begin()));
    position += item.size() + 1;
    ++word;
  }
  if (word < words.size())
    throw ParseError("space '" + name_ + "': at character " + std::to_string(position) +
                     ": unexpected trailing text '" + one_line(words[word]) + "'");
  return candidate;
}

ComputeGraph AcceleratorParameterSpace::to_graph(const Candidate&, const GraphOptions&) const {
  throw Error("space '" + name_ + "' describes accelerators only and has no network; use a "
              "joint space (space: joint, options: {network: ..., accelerator: {space: " + name_ +
              "}})");
}

std::optional<AcceleratorDescription> AcceleratorParameterSpace::accelerator_description(
    const Candidate& candidate) const {
  check(candidate);
  AcceleratorDescription description(model_, {});
  for (std::size_t i = 0; i < decisions_.size(); ++i)
    description.add(decisions_[i].name,
                    AcceleratorDescription::Value::scalar(value(candidate, i), origin(candidate, i)));
  for (const auto& [key, value] : fixed_) description.add(key, value);
  return description;
}

}  // namespace tandem
