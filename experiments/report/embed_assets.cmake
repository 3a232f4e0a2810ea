# Writes OUTPUT, a C++ file defining tandem::report_assets::kTemplate, kCss and kJs from the
# report page's files (run at build time: cmake -DSOURCE_DIR=... -DOUTPUT=... -P embed_assets.cmake).
# The page script is the report_*.js files below, in this order, inside one function scope.
set(script_parts report_base.js report_plots.js report_navigation.js report_experiment.js
    report_trial_table.js report_trial.js report_bench.js report_compare_live.js)

function(check_delimiter file text)
  string(FIND "${text}" ")tandem_asset\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )tandem_asset\"")
  endif()
endfunction()

set(script "// tandem report page: renders the experiments of a trial database from the JSON document\n")
string(APPEND script "// inlined by `tandem report`, or fetched live from the `tandem dashboard` API. Hand-written,\n")
string(APPEND script "// no libraries; joined from experiments/report/assets/report_*.js.\n")
string(APPEND script "\"use strict\";\n(function () {\n")
foreach(part ${script_parts})
  file(READ "${SOURCE_DIR}/${part}" text)
  string(APPEND script "${text}\n")
endforeach()
string(APPEND script "})();\n")
check_delimiter(report_*.js "${script}")

set(content "// Generated from experiments/report/assets by embed_assets.cmake; do not edit.\n")
string(APPEND content "#include \"experiments/report/report_assets.hpp\"\n\nnamespace tandem::report_assets {\n")
foreach(pair "kTemplate:report.html" "kCss:report.css")
  string(REPLACE ":" ";" parts "${pair}")
  list(GET parts 0 symbol)
  list(GET parts 1 file)
  file(READ "${SOURCE_DIR}/${file}" text)
  check_delimiter(${file} "${text}")
  string(APPEND content "const char* const ${symbol} = R\"tandem_asset(${text})tandem_asset\";\n")
endforeach()
string(APPEND content "const char* const kJs = R\"tandem_asset(${script})tandem_asset\";\n")
string(APPEND content "\n}  // namespace tandem::report_assets\n")
file(WRITE "${OUTPUT}.tmp" "${content}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
