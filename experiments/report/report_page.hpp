// The report page as one HTML file: the template with the stylesheet, the script and a report
// document (report_document.hpp) inlined, so it opens without network access or a server.
#pragma once

#include <string>

namespace tandem {

// `document_json` must come from JsonWriter (its strings cannot close the <script> element);
// `title` is plain text and is HTML-escaped here.
std::string report_page(const std::string& document_json, const std::string& title);

// `text` with &, <, >, " and ' as character references.
std::string html_escape(const std::string& text);

}  // namespace tandem
