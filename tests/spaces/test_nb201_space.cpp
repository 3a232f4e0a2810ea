// Tests for the NAS-Bench-201 space: decisions and the official arch strings, and the parameter and
// FLOP counts of the lowered TinyNetwork against the published benchmark table
// (data/nas-bench-201/nb201_accuracy_cost.csv, see its README).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "spaces/nb201_space.hpp"

using namespace tandem;

namespace {

struct BenchmarkRow {
  int index = 0;
  std::string arch;
  std::string ops;  // 6 digits in the official edge order
  double params_c10 = 0, flops_c10 = 0, params_c100 = 0, flops_c100 = 0, params_in16 = 0,
         flops_in16 = 0;
};

const std::vector<BenchmarkRow>& benchmark() {
  static const std::vector<BenchmarkRow> rows = [] {
    const std::string path =
        std::string(TANDEM_SOURCE_DIR) + "/data/nas-bench-201/nb201_accuracy_cost.csv";
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header;
    {
      std::stringstream fields(line);
      std::string field;
      while (std::getline(fields, field, ',')) header.push_back(field);
    }
    auto column = [&](const std::string& name) {
      for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
      FAIL("column " << name << " missing");
      return std::size_t{0};
    };
    const std::size_t c_index = column("index"), c_arch = column("arch_str"), c_ops = column("ops"),
                      c_p10 = column("params_M_c10"), c_f10 = column("flops_M_c10"),
                      c_p100 = column("params_M_c100"), c_f100 = column("flops_M_c100"),
                      c_p16 = column("params_M_in16"), c_f16 = column("flops_M_in16");
    std::vector<BenchmarkRow> out;
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream fields(line);
      std::string field;
      while (std::getline(fields, field, ',')) f.push_back(field);
      REQUIRE(f.size() == header.size());
      BenchmarkRow row;
      row.index = std::stoi(f[c_index]);
      row.arch = f[c_arch];
      row.ops = f[c_ops];
      row.params_c10 = std::stod(f[c_p10]);
      row.flops_c10 = std::stod(f[c_f10]);
      row.params_c100 = std::stod(f[c_p100]);
      row.flops_c100 = std::stod(f[c_f100]);
      row.params_in16 = std::stod(f[c_p16]);
      row.flops_in16 = std::stod(f[c_f16]);
      out.push_back(row);
    }
    return out;
  }();
  return rows;
}

Candidate from_digits(const std::string& digits) {
  Candidate candidate;
  for (char c : digits) candidate.decisions.push_back(c - '0');
  return candidate;
}

// The ParseError message for `text` ("" when it parses).
std::string parse_error(const SearchSpace& space, const std::string& text) {
  try {
    space.parse(text);
  } catch (const ParseError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("nb201: decisions follow the official edge and op order") {
  Nb201Space space;
  const std::vector<std::string> edges = {"edge 1<-0", "edge 2<-0", "edge 2<-1",
                                          "edge 3<-0", "edge 3<-1", "edge 3<-2"};
  const std::vector<std::string> ops = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                        "avg_pool_3x3"};
  REQUIRE(space.decisions().size() == 6);
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(space.decisions()[i].name == edges[i]);
    CHECK(space.decisions()[i].choices == ops);
  }
  CHECK(space.size() == 15625.0);  // 5^6
  CHECK(space.one_hot_size() == 30u);
}

TEST_CASE("nb201: the published best CIFAR-10 cell parses and prints back exactly") {
  Nb201Space space;
  const std::string best =
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "nor_conv_3x3~2|";
  Candidate candidate = space.parse(best);
  // Edges 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2 read off the string by hand.
  CHECK(candidate.decisions == std::vector<int>{3, 3, 3, 1, 3, 3});
  CHECK(space.to_string(candidate) == best);
}

TEST_CASE("nb201: every arch string of the benchmark parses to its op digits and back") {
  Nb201Space space;
  const auto& rows = benchmark();
  REQUIRE(rows.size() == 15625);
  std::set<Candidate> seen;
  for (const auto& row : rows) {
    Candidate candidate = space.parse(row.arch);
    REQUIRE(candidate == from_digits(row.ops));
    REQUIRE(space.to_string(candidate) == row.arch);
    seen.insert(candidate);
  }
  CHECK(seen.size() == 15625);  // the benchmark enumerates the whole space
}

TEST_CASE("nb201: params and FLOPs equal the published table for c10 c100 and in16") {
  Nb201Space space;
  const auto& rows = benchmark();
  // Deterministic sample: every 5th row (3,125 cells; the whole table also passes, in ~4 s),
  // plus the rows with the smallest and largest CIFAR-10 parameter and FLOP counts.
  std::set<std::size_t> sample;
  for (std::size_t i = 0; i < rows.size(); i += 5) sample.insert(i);
  std::size_t min_params = 0, max_params = 0, min_flops = 0, max_flops = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].params_c10 < rows[min_params].params_c10) min_params = i;
    if (rows[i].params_c10 > rows[max_params].params_c10) max_params = i;
    if (rows[i].flops_c10 < rows[min_flops].flops_c10) min_flops = i;
    if (rows[i].flops_c10 > rows[max_flops].flops_c10) max_flops = i;
  }
  sample.insert({min_params, max_params, min_flops, max_flops});
  // The published CIFAR-10 ranges (NAS-Bench-201 paper): 0.073306-1.531546 M params.
  CHECK(rows[min_params].params_c10 == doctest::Approx(0.073306).epsilon(1e-9));
  CHECK(rows[max_params].params_c10 == doctest::Approx(1.531546).epsilon(1e-9));
  REQUIRE(sample.size() >= 300);

  struct Dataset {
    const char* name;
    TensorShape input;
    int classes;
    double BenchmarkRow::*params;
    double BenchmarkRow::*flops;
  };
  const Dataset datasets[] = {
      {"c10", {3, 32, 32}, 10, &BenchmarkRow::params_c10, &BenchmarkRow::flops_c10},
      {"c100", {3, 32, 32}, 100, &BenchmarkRow::params_c100, &BenchmarkRow::flops_c100},
      {"in16", {3, 16, 16}, 120, &BenchmarkRow::params_in16, &BenchmarkRow::flops_in16},
  };
  for (const auto& dataset : datasets) {
    GraphOptions options;  // width 0 / cells 0 = the published C=16, N=5
    options.input = dataset.input;
    options.classes = dataset.classes;
    int checked = 0;
    for (std::size_t i : sample) {
      const BenchmarkRow& row = rows[i];
      ComputeGraph graph = space.to_graph(space.parse(row.arch), options);
      CAPTURE(dataset.name);
      CAPTURE(row.arch);
      // The table is rounded to 6 decimals (in millions).
      CHECK(std::abs(graph.total_params() / 1e6 - row.*dataset.params) <= 1e-6);
      // The benchmark's FLOP counter also counts the classifier's bias additions (one per class);
      // our MACs do not, so they are added here.
      const double flops = static_cast<double>(graph.total_macs() + dataset.classes) / 1e6;
      CHECK(std::abs(flops - row.*dataset.flops) <= 1e-6);
      ++checked;
    }
    CHECK(checked >= 300);
  }
}

TEST_CASE("nb201: the smallest cell's network counted by hand") {
  // |avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2| has no conv in its
  // cells; what is left is the fixed skeleton (C=16, CIFAR-10):
  //   stem 3*16*9 + BN 32 = 464
  //   res 16->32: 16*32*9 + 64 + 32*32*9 + 64 + 16*32 (shortcut 1x1) = 14464
  //   res 32->64: 32*64*9 + 128 + 64*64*9 + 128 + 32*64 = 57600
  //   lastact BN 128, linear 64*10 + 10 = 650            total = 73306
  // MACs: stem 442368 (32x32), res1 1179648 + 2359296 + 131072 (16x16),
  //       res2 1179648 + 2359296 + 131072 (8x8), linear 640  = 7783040
  Nb201Space space;
  ComputeGraph graph =
      space.to_graph(space.parse("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|"
                                 "skip_connect~2|"));
  CHECK(graph.total_params() == 73306);
  CHECK(graph.total_macs() == 7783040);
  CHECK(graph.layer(graph.outputs().at(0)).output == TensorShape{10, 1, 1});
}

TEST_CASE("nb201: a zero edge still feeds the convs after it (PyTorch counts them)") {
  Nb201Space space;
  // Node 1 = none(node 0); node 2 = conv3x3(node 0) + conv3x3(node 1): both convs exist.
  Candidate with_zero = space.parse(
      "|none~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|"
      "skip_connect~2|");
  Candidate without = space.parse(
      "|none~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|"
      "skip_connect~2|");
  GraphOptions options;
  options.cells_per_stage = 1;
  const std::int64_t difference = space.to_graph(with_zero, options).total_params() -
                                  space.to_graph(without, options).total_params();
  // One extra ReLUConvBN 3x3 per cell at 16, 32 and 64 channels: 9C^2 + 2C each.
  CHECK(difference == (9 * 16 * 16 + 32) + (9 * 32 * 32 + 64) + (9 * 64 * 64 + 128));
}

TEST_CASE("nb201: width and cells_per_stage change the skeleton as documented") {
  Nb201Space space;
  Candidate all_skip = space.parse(
      "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|"
      "skip_connect~0|skip_connect~1|skip_connect~2|");
  GraphOptions options;
  options.width = 8;
  options.cells_per_stage = 2;
  options.input = TensorShape{1, 16, 16};
  options.classes = 3;
  ComputeGraph graph = space.to_graph(all_skip, options);
  // stem 1*8*9 + 16; res 8->16: 8*16*9 + 32 + 16*16*9 + 32 + 8*16; res 16->32: 16*32*9 + 64 +
  // 32*32*9 + 64 + 16*32; lastact 64; linear 32*3 + 3.
  const std::int64_t expected =
      (72 + 16) + (1152 + 32 + 2304 + 32 + 128) + (4608 + 64 + 9216 + 64 + 512) + 64 + (96 + 3);
  CHECK(graph.total_params() == expected);
}

TEST_CASE("nb201: malformed strings name the position and what was expected") {
  Nb201Space space;
  std::string message = parse_error(space,
                                    "|nor_conv_3x3~0|+|conv5x5~0|nor_conv_3x3~1|+|"
                                    "skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  CHECK(message.find("position 18") != std::string::npos);
  CHECK(message.find("unknown op 'conv5x5'") != std::string::npos);
  CHECK(message.find("accepted: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3") !=
        std::string::npos);

  // Typo gets a suggestion.
  message = parse_error(space, "|nor_conv_3x4~0|+|none~0|none~1|+|none~0|none~1|none~2|");
  CHECK(message.find("position 1") != std::string::npos);
  CHECK(message.find("did you mean 'nor_conv_3x3'") != std::string::npos);

  // Missing '+' between nodes 1 and 2 (position 8 is right after "|none~0|").
  message = parse_error(space, "|none~0||none~0|none~1|+|none~0|none~1|none~2|");
  CHECK(message.find("position 8") != std::string::npos);
  CHECK(message.find("expected '+'") != std::string::npos);

  // Wrong input index.
  message = parse_error(space, "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|");
  CHECK(message.find("position 6") != std::string::npos);
  CHECK(message.find("input 0 is expected") != std::string::npos);

  // Node 2 with a single op.
  message = parse_error(space, "|none~0|+|none~0|+|none~0|none~1|none~2|");
  CHECK(message.find("position 17") != std::string::npos);
  CHECK(message.find("node 2 has 1 inputs, expected 2") != std::string::npos);

  // Truncated and trailing text.
  message = parse_error(space, "|none~0|+|none~0|none~1|+|none~0|none~1|");
  CHECK(message.find("position 40") != std::string::npos);
  message = parse_error(space, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|x");
  CHECK(message.find("position 47") != std::string::npos);
  CHECK(message.find("expected the end of the text") != std::string::npos);

  CHECK(parse_error(space, "") != "");
  CHECK(parse_error(space, "|none~0|+|none~0|none~").find("position 22") != std::string::npos);
  // One line.
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("nb201: sample and mutate and neighbours and round trips") {
  Nb201Space space;
  Rng rng(7);
  for (int i = 0; i < 200; ++i) {
    Candidate candidate = space.sample(rng);
    CHECK_NOTHROW(space.check(candidate));
    CHECK(space.parse(space.to_string(candidate)) == candidate);
    Candidate child = space.mutate(candidate, rng);
    int changed = 0;
    for (std::size_t d = 0; d < 6; ++d) changed += child.decisions[d] != candidate.decisions[d];
    CHECK(changed == 1);
    // 6 edges x 4 other ops.
    CHECK(space.neighbours(candidate).size() == 24);
  }
}

TEST_CASE("nb201: swap neighbours trade the operations of two edges") {
  Nb201Space space;
  // Edges 0..5 hold none, none, skip, skip, conv1x1, conv3x3: of the 15 edge pairs, the two
  // pairs holding the same operation give nothing, the other 13 one neighbour each.
  const Candidate candidate = space.parse(
      "|none~0|+|none~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|");
  const auto swaps = space.swap_neighbours(candidate);
  CHECK(swaps.size() == 13);
  std::set<Candidate> distinct(swaps.begin(), swaps.end());
  CHECK(distinct.size() == 13);
  auto sorted_ops = [](const Candidate& c) {
    auto ops = c.decisions;
    std::sort(ops.begin(), ops.end());
    return ops;
  };
  for (const auto& swapped : swaps) {
    CHECK(sorted_ops(swapped) == sorted_ops(candidate));  // the same operations, placed anew
    int changed = 0;
    for (std::size_t d = 0; d < 6; ++d) changed += swapped.decisions[d] != candidate.decisions[d];
    CHECK(changed == 2);
  }
  // A cell of one operation has no swap neighbour.
  CHECK(space.swap_neighbours(space.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")).empty());
}

TEST_CASE("nb201: the factory accepts the graph options it uses and rejects the rest") {
  auto space =
      Nb201Space::create(ConfigNode::parse("input_shape: [3, 16, 16]\nclasses: 120\n", "<test>"));
  CHECK(space->graph_options().input == TensorShape{3, 16, 16});
  CHECK(space->graph_options().classes == 120);
  CHECK(space->graph_options().width == 16);
  CHECK(space->graph_options().cells_per_stage == 5);
  CHECK_THROWS_AS(Nb201Space::create(ConfigNode::parse("width_multiplier: 2\n", "<test>")),
                  ConfigError);
  CHECK_THROWS_AS(Nb201Space::create(ConfigNode::parse("cells: 3\n", "<test>")), ConfigError);
  auto defaults = Nb201Space::create(ConfigNode());
  CHECK(defaults->graph_options().classes == 10);
}
