// Accelerator spaces (systolic_hw, eyeriss_hw, heterogeneous_hw) and the joint space: decision
// lists, canonical text round trips, accelerator strings (worked by hand), option overrides and
// one-line errors.
#include <doctest/doctest.h>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "spaces/joint_space.hpp"
#include "spaces/search_space.hpp"

using namespace tandem;

namespace {
std::unique_ptr<SearchSpace> make(const std::string& name, const std::string& options = "") {
  if (options.empty()) return space_registry().create(name, ConfigNode());
  return space_registry().create(name, ConfigNode::parse(options, "space.yaml"));
}
}  // namespace

TEST_CASE("systolic_hw: decisions, text round trip and accelerator string") {
  auto space = make("systolic_hw");
  REQUIRE(space->decisions().size() == 7);
  CHECK(space->size() == 5 * 5 * 3 * 4 * 4 * 4 * 4);  // 19,200 configurations
  Candidate c{{1, 2, 1, 1, 0, 3, 2}};
  const std::string text = space->to_string(c);
  CHECK(text ==
        "rows=16 cols=32 dataflow=ws ifmap_sram_kb=64 filter_sram_kb=32 ofmap_sram_kb=256 "
        "dram_bytes_per_cycle=32");
  CHECK(space->parse(text) == c);
  CHECK(space->accelerator_string(c) ==
        "{model: systolic, rows: 16, cols: 32, dataflow: ws, ifmap_sram_kb: 64, "
        "filter_sram_kb: 32, ofmap_sram_kb: 256, dram_bytes_per_cycle: 32}");
  Rng rng(7);
  for (int i = 0; i < 50; ++i) {
    Candidate s = space->sample(rng);
    CHECK(space->parse(space->to_string(s)) == s);
  }
  CHECK_THROWS_WITH_AS(space->parse("rows=16 cols=33"), doctest::Contains("character 13"),
                       ParseError);
  CHECK_THROWS_WITH_AS(space->parse("rows=16"), doctest::Contains("expected 'cols=VALUE'"),
                       ParseError);
  CHECK_THROWS_WITH_AS(space->to_graph(c), doctest::Contains("joint space"), Error);
}

// Found by fuzz_space_arch: the text echoed in a parse error kept its line breaks.
TEST_CASE("architecture parse errors echo the text on one line") {
  auto systolic = make("systolic_hw");
  CHECK_THROWS_WITH_AS(systolic->parse("ro\nws=16"),
                       "space 'systolic_hw': at character 0: expected 'rows=VALUE', got 'ro\\nws=16'",
                       ParseError);
  auto nb201 = make("nb201");
  try {
    nb201->parse("|no\nne~0|+|");
    FAIL("expected a ParseError");
  } catch (const ParseError& error) {
    const std::string message = error.what();
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.find("|no\\nne~0|+|") != std::string::npos);
  }
}

TEST_CASE("systolic_hw: option overrides, fixed parameters and their errors") {
  auto space = make("systolic_hw", "rows: [4, 8]\ndataflow: os\nfixed: {frequency_mhz: 700}\n");
  CHECK(space->decisions()[0].choices == std::vector<std::string>{"4", "8"});
  CHECK(space->decisions()[2].choices == std::vector<std::string>{"os"});
  Candidate c{{1, 0, 0, 0, 0, 0, 0}};
  CHECK(space->accelerator_string(c).find(", frequency_mhz: 700}") != std::string::npos);
  CHECK_THROWS_WITH_AS(make("systolic_hw", "rows: [8, -4]\n"),
                       doctest::Contains("space.yaml:1:7: 'rows': expected positive numbers"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(make("systolic_hw", "dataflow: [os, rs]\n"),
                       doctest::Contains("accepted: os, ws, is"), ConfigError);
  CHECK_THROWS_WITH_AS(make("systolic_hw", "row: [8]\n"), doctest::Contains("rows"), ConfigError);
}

TEST_CASE("eyeriss_hw: Eyeriss v1 is a candidate") {
  auto space = make("eyeriss_hw");
  const Candidate eyeriss_v1 = space->parse(
      "pe_rows=12 pe_cols=14 ifmap_spad_words=12 weight_spad_words=224 psum_spad_words=24 "
      "glb_kb=108 dram_bytes_per_cycle=8");
  CHECK(space->accelerator_string(eyeriss_v1) ==
        "{model: eyeriss, pe_rows: 12, pe_cols: 14, ifmap_spad_words: 12, weight_spad_words: 224,"
        " psum_spad_words: 24, glb_kb: 108, dram_bytes_per_cycle: 8}");
}

TEST_CASE("heterogeneous_hw: PE and bandwidth split worked by hand") {
  auto space = make("heterogeneous_hw");
  REQUIRE(space->decisions().size() == 3 + 3 * 3);
  // count=2, total_pes=512, 32 B/cycle; slot 0: os, pe weight 1, bw weight 1;
  // slot 1: rs, pe weight 3, bw weight 3; slot 2 ignored.
  const Candidate c = space->parse(
      "count=2 total_pes=512 dram_bytes_per_cycle=32 template_0=os pe_share_0=1 bw_share_0=1 "
      "template_1=rs pe_share_1=3 bw_share_1=3 template_2=ws pe_share_2=4 bw_share_2=4");
  // Slot 0: 512 * 1/4 = 128 PEs -> rows = 8 (8^2 <= 128 < 16^2), cols = 128 / 8 = 16.
  // Slot 1: 512 * 3/4 = 384 PEs -> rows = 16 (16^2 <= 384 < 32^2), cols = 384 / 16 = 24.
  CHECK(space->accelerator_string(c) ==
        "{model: heterogeneous, assignment: layers, dram_bytes_per_cycle: 32, sub_accelerators: "
        "[{template: os, rows: 8, cols: 16, bandwidth_share: 0.25}, "
        "{template: rs, pe_rows: 16, pe_cols: 24, bandwidth_share: 0.75}]}");
}

TEST_CASE("joint: nb201 x systolic_hw carries both parts") {
  auto space = make("joint",
                    "network: {space: nb201}\naccelerator: {space: systolic_hw, options: "
                    "{rows: [16, 32]}}\n");
  auto* joint = dynamic_cast<JointSpace*>(space.get());
  REQUIRE(joint);
  CHECK(space->decisions().size() == 6 + 7);
  CHECK(space->decisions()[6].name == "hw.rows");
  CHECK(space->size() == 15625.0 * 2 * 5 * 3 * 4 * 4 * 4 * 4);
  const std::string arch =
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "nor_conv_3x3~2|";
  const std::string hw =
      "rows=32 cols=8 dataflow=os ifmap_sram_kb=32 filter_sram_kb=32 ofmap_sram_kb=32 "
      "dram_bytes_per_cycle=8";
  const Candidate c = space->parse(arch + " @ " + hw);
  CHECK(space->to_string(c) == arch + " @ " + hw);
  CHECK(space->accelerator_string(c).find("{model: systolic, rows: 32, cols: 8") == 0);
  // The network part lowers exactly as the nb201 space lowers it.
  auto nb201 = make("nb201");
  CHECK(space->to_graph(c).total_macs() == nb201->to_graph(nb201->parse(arch)).total_macs());
  Rng rng(3);
  for (int i = 0; i < 20; ++i) {
    Candidate s = space->sample(rng);
    CHECK(space->parse(space->to_string(s)) == s);
  }
  CHECK_THROWS_WITH_AS(space->parse(arch), doctest::Contains("' @ '"), ParseError);
  CHECK_THROWS_WITH_AS(make("joint", "network: {space: systolic_hw}\naccelerator: {space: "
                                     "systolic_hw}\n"),
                       doctest::Contains("expected a network space"), ConfigError);
  CHECK_THROWS_WITH_AS(make("joint", "network: {space: nb201}\naccelerator: {space: nb201}\n"),
                       doctest::Contains("expected an accelerator space"), ConfigError);
  CHECK_THROWS_WITH_AS(make("joint", "network: {space: nb201}\naccelerator: {space: systolc_hw}\n"),
                       doctest::Contains("did you mean 'systolic_hw'"), ConfigError);
}

TEST_CASE("accelerator descriptions are typed: model name, then parameters in decision order") {
  using Value = AcceleratorDescription::Value;
  auto systolic = make("systolic_hw", "rows: [4, 8]\nfixed: {frequency_mhz: 700}\n");
  const Candidate c{{1, 0, 0, 0, 0, 0, 0}};
  const auto description = systolic->accelerator_description(c);
  REQUIRE(description);
  CHECK(description->model() == "systolic");
  REQUIRE(description->parameters().size() == 7 + 1);
  CHECK(description->parameters()[0].first == "rows");
  CHECK(description->parameters()[0].second == Value::scalar("8"));
  CHECK(description->parameters()[7].first == "frequency_mhz");
  CHECK(*description->find("frequency_mhz") == Value::scalar("700"));
  CHECK(systolic->accelerator_string(c) == description->to_yaml());

  // heterogeneous_hw: the sub-accelerators are a list of scalar maps (worked above by hand).
  auto chip = make("heterogeneous_hw");
  const Candidate two = chip->parse(
      "count=2 total_pes=512 dram_bytes_per_cycle=32 template_0=os pe_share_0=1 bw_share_0=1 "
      "template_1=rs pe_share_1=3 bw_share_1=3 template_2=ws pe_share_2=4 bw_share_2=4");
  const auto chip_description = chip->accelerator_description(two);
  REQUIRE(chip_description);
  CHECK(chip_description->model() == "heterogeneous");
  const Value* subs = chip_description->find("sub_accelerators");
  REQUIRE(subs);
  CHECK(subs->kind == Value::Kind::map_list);
  REQUIRE(subs->maps.size() == 2);
  CHECK(subs->maps[1] == AcceleratorDescription::ScalarMap{{"template", "rs"},
                                                           {"pe_rows", "16"},
                                                           {"pe_cols", "24"},
                                                           {"bandwidth_share", "0.75"}});

  // Network spaces have none; a joint space hands on its accelerator part's description.
  auto nb201 = make("nb201");
  Rng rng(1);
  CHECK_FALSE(nb201->accelerator_description(nb201->sample(rng)));
  CHECK(nb201->accelerator_string(nb201->sample(rng)).empty());
  auto joint = make("joint", "network: {space: nb201}\naccelerator: {space: systolic_hw}\n");
  const Candidate jc = joint->sample(rng);
  auto* as_joint = dynamic_cast<JointSpace*>(joint.get());
  REQUIRE(as_joint);
  CHECK(joint->accelerator_description(jc) ==
        as_joint->accelerator().accelerator_description(as_joint->accelerator_part(jc)));
}
