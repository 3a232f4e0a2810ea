// Keeps docs/adding-a-space.md honest: every code block marked "<!-- verbatim: PATH -->" must
// appear, character for character, in the source file PATH (so the worked example in the docs is
// the code that CI builds and tests).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_file(const std::string& relative) {
  const std::string path = std::string(TANDEM_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Excerpt {
  std::string path;
  std::string code;
};

std::vector<Excerpt> verbatim_excerpts(const std::string& markdown) {
  const std::string marker = "<!-- verbatim: ";
  std::vector<Excerpt> out;
  std::size_t at = 0;
  while ((at = markdown.find(marker, at)) != std::string::npos) {
    const std::size_t path_begin = at + marker.size();
    const std::size_t path_end = markdown.find(" -->", path_begin);
    REQUIRE(path_end != std::string::npos);
    const std::size_t fence = markdown.find("```", path_end);
    REQUIRE(fence != std::string::npos);
    const std::size_t code_begin = markdown.find('\n', fence) + 1;
    const std::size_t code_end = markdown.find("\n```", code_begin);
    REQUIRE(code_end != std::string::npos);
    out.push_back({markdown.substr(path_begin, path_end - path_begin),
                   markdown.substr(code_begin, code_end - code_begin)});
    at = code_end;
  }
  return out;
}

}  // namespace

TEST_CASE("docs/adding-a-space.md: every verbatim excerpt matches its source file") {
  const std::vector<Excerpt> excerpts = verbatim_excerpts(read_file("docs/adding-a-space.md"));
  CHECK(excerpts.size() >= 10);
  for (const Excerpt& excerpt : excerpts) {
    CAPTURE(excerpt.path);
    CAPTURE(excerpt.code.substr(0, 80));
    CHECK(read_file(excerpt.path).find(excerpt.code) != std::string::npos);
  }
}
