// NAS-Bench-Macro space (see nb_macro_space.hpp).
#include "spaces/nb_macro_space.hpp"

#include "core/one_line.hpp"
#include "core/error.hpp"

namespace tandem {

namespace {
constexpr int kLayers = 8;
}

NbMacroSpace::NbMacroSpace() {
  for (int layer = 1; layer <= kLayers; ++layer)
    decisions_.push_back(
        {"layer " + std::to_string(layer), {"identity", "mb_k3_e3", "mb_k5_e6"}});
}

std::unique_ptr<SearchSpace> NbMacroSpace::create(const ConfigNode& options) {
  options.check_keys({});
  return std::make_unique<NbMacroSpace>();
}

std::string NbMacroSpace::summary() const {
  return "NAS-Bench-Macro: 8 layers x {identity, MBv2 k3 e3, MBv2 k5 e6} (6,561 networks); "
         "text = 8 digits, the table's arch key";
}

std::string NbMacroSpace::to_string(const Candidate& candidate) const {
  check(candidate);
  std::string text;
  for (int value : candidate.decisions) text += static_cast<char>('0' + value);
  return text;
}

Candidate NbMacroSpace::parse(const std::string& text) const {
  Candidate candidate;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i >= static_cast<std::size_t>(kLayers) || c < '0' || c > '2')
      throw ParseError("nb_macro candidate '" + one_line(text) + "': at character " + std::to_string(i) +
                       ": expected " + (i >= static_cast<std::size_t>(kLayers) ? "the end (8 digits)" : "a digit 0, 1 or 2") +
                       " (0 = identity, 1 = MBv2 k3 e3, 2 = MBv2 k5 e6)");
    candidate.decisions.push_back(c - '0');
  }
  if (candidate.decisions.size() != static_cast<std::size_t>(kLayers))
    throw ParseError("nb_macro candidate '" + one_line(text) + "': at character " +
                     std::to_string(text.size()) + ": expected 8 digits, got " +
                     std::to_string(text.size()));
  return candidate;
}

ComputeGraph NbMacroSpace::to_graph(const Candidate& candidate, const GraphOptions&) const {
  check(candidate);
  throw Error("nb_macro cannot lower " + to_string(candidate) +
              " to a compute graph yet; use the table's params and flops columns "
              "(data/nas-bench-macro)");
}

}  // namespace tandem
