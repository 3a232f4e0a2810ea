// Fills the report template (see report_page.hpp).
#include "experiments/report/report_page.hpp"

#include "core/error.hpp"
#include "experiments/report/report_assets.hpp"

namespace tandem {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string report_page(const std::string& document_json, const std::string& title) {
  const std::string page = report_assets::kTemplate;
  // Each placeholder once, in template order; the inserted text is never searched again.
  const std::pair<const char*, std::string> parts[] = {{"{{title}}", html_escape(title)},
                                                       {"{{css}}", report_assets::kCss},
                                                       {"{{data}}", document_json},
                                                       {"{{js}}", report_assets::kJs}};
  std::string out;
  out.reserve(page.size() + document_json.size() + 200'000);
  std::size_t at = 0;
  for (const auto& [placeholder, text] : parts) {
    const std::size_t found = page.find(placeholder, at);
    TANDEM_CHECK(found != std::string::npos,
                 std::string("report template lacks ") + placeholder + " (in order)");
    out.append(page, at, found - at);
    out += text;
    at = found + std::string(placeholder).size();
  }
  out.append(page, at, std::string::npos);
  return out;
}

}  // namespace tandem
