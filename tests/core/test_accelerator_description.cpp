// AcceleratorDescription (core/accelerator_description.hpp): the YAML flow rendering stored with
// each trial, lookups, defaults for unset keys only, and comparison as a cache key.
#include <doctest/doctest.h>

#include <map>

#include "core/accelerator_description.hpp"

using namespace tandem;
using Value = AcceleratorDescription::Value;

TEST_CASE("accelerator description: YAML flow rendering of scalars, map lists and YAML text") {
  const AcceleratorDescription systolic("systolic", {{"rows", Value::scalar("16")},
                                                     {"dataflow", Value::scalar("ws")}});
  CHECK(systolic.to_yaml() == "{model: systolic, rows: 16, dataflow: ws}");
  CHECK(AcceleratorDescription("eyeriss", {}).to_yaml() == "{model: eyeriss}");

  const AcceleratorDescription chip(
      "heterogeneous",
      {{"assignment", Value::scalar("layers")},
       {"sub_accelerators",
        Value::map_list({{{"template", "os"}, {"rows", "8"}, {"bandwidth_share", "0.25"}},
                         {{"template", "rs"}, {"pe_rows", "16"}}})},
       {"specs", Value::yaml("{max_area_mm2: 3}")}});
  CHECK(chip.to_yaml() ==
        "{model: heterogeneous, assignment: layers, sub_accelerators: [{template: os, rows: 8, "
        "bandwidth_share: 0.25}, {template: rs, pe_rows: 16}], specs: {max_area_mm2: 3}}");
  REQUIRE(chip.find("assignment"));
  CHECK(chip.find("assignment")->text == "layers");
  CHECK(chip.find("sub_accelerators")->maps.size() == 2);
  CHECK(chip.find("rows") == nullptr);  // a sub-accelerator's key is not a chip parameter
}

TEST_CASE("accelerator description: defaults fill unset keys only, after the own ones") {
  const AcceleratorDescription own("systolic", {{"rows", Value::scalar("16")}});
  const AcceleratorDescription::Parameters defaults = {{"rows", Value::yaml("64")},
                                                       {"frequency_mhz", Value::yaml("700")},
                                                       {"model", Value::yaml("eyeriss")}};
  CHECK(own.with_defaults(defaults).to_yaml() ==
        "{model: systolic, rows: 16, frequency_mhz: 700}");
  CHECK(own.to_yaml() == "{model: systolic, rows: 16}");  // unchanged
}

TEST_CASE("accelerator description: equal descriptions are one cache key") {
  std::map<AcceleratorDescription, int> cache;
  cache[AcceleratorDescription("systolic", {{"rows", Value::scalar("16")}})] = 1;
  cache[AcceleratorDescription("systolic", {{"rows", Value::scalar("16")}})] = 2;
  cache[AcceleratorDescription("systolic", {{"rows", Value::scalar("32")}})] = 3;
  // Same text, different kind: a scalar "16" and YAML text "16" are different descriptions.
  cache[AcceleratorDescription("systolic", {{"rows", Value::yaml("16")}})] = 4;
  CHECK(cache.size() == 3);
  CHECK(cache.at(AcceleratorDescription("systolic", {{"rows", Value::scalar("16")}})) == 2);
}
