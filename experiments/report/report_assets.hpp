// The report page's files (assets/report.html, report.css and the report_*.js parts of its
// script), compiled into tandem by embed_assets.cmake so `tandem report` writes one
// self-contained file and the dashboard serves it without reading anything from disk.
#pragma once

namespace tandem::report_assets {

extern const char* const kTemplate;  // assets/report.html
extern const char* const kCss;       // assets/report.css
extern const char* const kJs;        // assets/report_*.js joined (embed_assets.cmake)

}  // namespace tandem::report_assets
