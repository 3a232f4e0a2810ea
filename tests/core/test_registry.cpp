// Registry kinds: every entry carries a kind from the registry's fixed vocabulary, names can be
// listed by kind, and a kind outside the vocabulary or a name registered twice is a bug
// (InternalError) caught at registration.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/registry.hpp"

using namespace tandem;

namespace {

using ShapeRegistry = Registry<int, int>;

std::unique_ptr<int> identity(int v) {
  return std::make_unique<int>(v);
}

ShapeRegistry shapes() {
  ShapeRegistry registry("shape", {"polygon", "curve", "solid"});
  registry.add("triangle", "polygon", "three sides", &identity);
  registry.add("circle", "curve", "no corners", &identity);
  registry.add("square", "polygon", "four sides", &identity);
  return registry;
}

}  // namespace

TEST_CASE("registry entries are listed by kind") {
  const ShapeRegistry registry = shapes();
  CHECK(registry.kind_of("circle") == "curve");
  CHECK(registry.kind_of("square") == "polygon");
  CHECK(registry.names_of_kind("polygon") == std::vector<std::string>{"square", "triangle"});
  CHECK(registry.names_of_kind("curve") == std::vector<std::string>{"circle"});
  CHECK(registry.names_of_kind("solid").empty());  // in the vocabulary, nothing registered yet
  CHECK(registry.kinds() == std::vector<std::string>{"polygon", "curve", "solid"});
  // names() is sorted; the registration order is kept separately (error messages, docs).
  CHECK(registry.names() == std::vector<std::string>{"circle", "square", "triangle"});
  CHECK(registry.names_in_registration_order() ==
        std::vector<std::string>{"triangle", "circle", "square"});
}

TEST_CASE("a kind outside the vocabulary or a second registration of a name is a bug") {
  ShapeRegistry registry = shapes();
  CHECK_THROWS_WITH_AS(registry.add("cube", "polyhedron", "six faces", &identity),
                       "shape kind 'polyhedron' is not one of: polygon, curve, solid",
                       InternalError);
  CHECK_FALSE(registry.contains("cube"));
  CHECK_THROWS_WITH_AS(registry.add("circle", "curve", "again", &identity),
                       "shape 'circle' is registered twice", InternalError);
  CHECK_THROWS_AS(registry.names_of_kind("polyhedron"), InternalError);
  CHECK_THROWS_WITH_AS(registry.kind_of("hexagon"),
                       "unknown shape 'hexagon'; available: circle, square, triangle", Error);
}
