// AcceleratorDescription: lookups, defaults and the YAML flow rendering (see
// accelerator_description.hpp).
#include "core/accelerator_description.hpp"

namespace tandem {

std::string AcceleratorDescription::Value::to_yaml() const {
  if (kind != Kind::map_list) return text;
  std::string out = "[";
  for (std::size_t i = 0; i < maps.size(); ++i) {
    out += i ? ", {" : "{";
    for (std::size_t j = 0; j < maps[i].size(); ++j)
      out += (j ? ", " : "") + maps[i][j].first + ": " + maps[i][j].second;
    out += "}";
  }
  return out + "]";
}

const AcceleratorDescription::Value* AcceleratorDescription::find(const std::string& key) const {
  for (const auto& [name, value] : parameters_)
    if (name == key) return &value;
  return nullptr;
}

AcceleratorDescription AcceleratorDescription::with_defaults(const Parameters& defaults) const {
  AcceleratorDescription out = *this;
  for (const auto& [key, value] : defaults)
    if (key != "model" && !find(key)) out.add(key, value);
  return out;
}

std::string AcceleratorDescription::to_yaml() const {
  std::string out = "{model: " + model_;
  for (const auto& [key, value] : parameters_) out += ", " + key + ": " + value.to_yaml();
  return out + "}";
}

std::map<std::string, ConfigNode> AcceleratorDescription::origins() const {
  std::map<std::string, ConfigNode> out;
  for (const auto& [key, value] : parameters_)
    if (value.origin) out.emplace(key, *value.origin);
  return out;
}

}  // namespace tandem
