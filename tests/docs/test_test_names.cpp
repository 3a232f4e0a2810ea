// Keeps every test runnable by ctest: CMake's doctest_discover_tests splits a test name at ';'
// (a CMake list separator), so a TEST_CASE whose name holds one became a ctest test that ran no
// test case at all and passed. This test reads every test source and fails for such a name.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

TEST_CASE("test names: no TEST_CASE name holds a semicolon, which ctest would cut into an empty test") {
  const std::filesystem::path root = std::filesystem::path(TANDEM_SOURCE_DIR) / "tests";
  const std::string marker = "TEST_CASE(\"";
  int names = 0;
  std::vector<std::string> bad;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    for (std::size_t at = source.find(marker); at != std::string::npos;
         at = source.find(marker, at + 1)) {
      const std::size_t begin = at + marker.size();
      std::size_t end = begin;
      while (end < source.size() && source[end] != '"') end += source[end] == '\\' ? 2 : 1;
      const std::string name = source.substr(begin, end - begin);
      ++names;
      if (name.find(';') != std::string::npos)
        bad.push_back(entry.path().lexically_relative(root).string() + ": " + name);
    }
  }
  CHECK(names > 400);  // the scan found the suite
  for (const std::string& name : bad) CHECK_MESSAGE(false, "a ';' in " << name);
  CHECK(bad.empty());
}
