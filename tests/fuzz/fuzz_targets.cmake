# The libFuzzer targets (tests/fuzz/fuzz_*.cpp, one parser each), built when TANDEM_FUZZ=ON with
# clang: the libraries carry -fsanitize=fuzzer-no-link (set in CMakeLists.txt), each target links
# libFuzzer's main with -fsanitize=fuzzer. `make fuzz` / `make fuzz-smoke` build and run them
# (tests/fuzz/run_fuzzers.sh); docs/reliability.md says what each one covers.
file(GLOB fuzz_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/fuzz_*.cpp)
set(TANDEM_FUZZ_TARGETS "")
foreach(src ${fuzz_sources})
  get_filename_component(fuzz_name ${src} NAME_WE)
  add_executable(${fuzz_name} ${src})
  # Each target links the rooms its "// Links: ..." line names: the small parsers build early.
  file(STRINGS ${src} links_line REGEX "^// Links: " LIMIT_COUNT 1)
  if(NOT links_line)
    message(FATAL_ERROR "${src}: no '// Links: <rooms>' line")
  endif()
  string(REGEX REPLACE "^// Links: ([a-z_ ]*).*$" "\\1" links "${links_line}")
  separate_arguments(links)
  target_link_libraries(${fuzz_name} PRIVATE ${links})
  target_link_options(${fuzz_name} PRIVATE -fsanitize=fuzzer)
  list(APPEND TANDEM_FUZZ_TARGETS ${fuzz_name})
endforeach()
# `cmake --build BUILD --target fuzz_all` builds every fuzz target.
add_custom_target(fuzz_all DEPENDS ${TANDEM_FUZZ_TARGETS})
