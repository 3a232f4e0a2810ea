// Keeps the worked examples in docs/ honest: in every docs/*.md page, each code block marked
// "<!-- verbatim: PATH -->" must appear, character for character, in the source file PATH, so the
// code a page shows is the code that CI builds and tests (docs/adding-a-space.md,
// docs/extending.md).
#include <doctest/doctest.h>

#include <filesystem>
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

TEST_CASE("docs: every verbatim excerpt matches its source file") {
  std::size_t pages_with_excerpts = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TANDEM_SOURCE_DIR) + "/docs")) {
    if (entry.path().extension() != ".md") continue;
    const std::string page = "docs/" + entry.path().filename().string();
    const std::vector<Excerpt> excerpts = verbatim_excerpts(read_file(page));
    if (!excerpts.empty()) ++pages_with_excerpts;
    for (const Excerpt& excerpt : excerpts) {
      CAPTURE(page);
      CAPTURE(excerpt.path);
      CAPTURE(excerpt.code.substr(0, 80));
      CHECK(read_file(excerpt.path).find(excerpt.code) != std::string::npos);
    }
  }
  CHECK(pages_with_excerpts >= 2);
}

TEST_CASE("docs/adding-a-space.md walks through the whole space, not a fragment") {
  CHECK(verbatim_excerpts(read_file("docs/adding-a-space.md")).size() >= 10);
}
