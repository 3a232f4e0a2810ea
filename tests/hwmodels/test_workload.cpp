// Layer lowering: GEMM shapes of conv / depthwise / FC layers, lowering of a ComputeGraph, and
// LAYERS.csv parsing with file:line errors.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "hwmodels/workload.hpp"

using namespace tandem;
using namespace tandem::hw;

TEST_CASE("workload: GEMM lowering of conv, grouped, depthwise and FC layers") {
  LayerWorkload conv;
  conv.c = 16, conv.h = conv.w = 32, conv.m = 32, conv.r = conv.s = 3, conv.pad = 1;
  // E = F = (32 + 2 - 3)/1 + 1 = 32: P = 1024, K = 3*3*16 = 144, M = 32.
  GemmShape g = to_gemm(conv);
  CHECK(g.p == 1024);
  CHECK(g.k == 144);
  CHECK(g.m == 32);
  CHECK(g.count == 1);
  CHECK(conv.macs() == 1024 * 144 * 32);

  LayerWorkload dw = conv;
  dw.type = LayerType::dwconv;
  dw.m = 16;
  dw.groups = 16;
  dw.stride = 2;
  // E = (32 + 2 - 3)/2 + 1 = 16: P = 256, K = 9, M = 1, 16 GEMMs.
  g = to_gemm(dw);
  CHECK(g.p == 256);
  CHECK(g.k == 9);
  CHECK(g.m == 1);
  CHECK(g.count == 16);

  LayerWorkload fc;
  fc.type = LayerType::fc;
  fc.n = 2, fc.c = 64, fc.m = 10;
  g = to_gemm(fc);
  CHECK(g.p == 2);
  CHECK(g.k == 64);
  CHECK(g.m == 10);
}

TEST_CASE("workload: strided 1x1 conv touches a quarter of the input") {
  LayerWorkload l;
  l.c = 8, l.h = l.w = 16, l.m = 8, l.stride = 2;
  // E = 8 output rows, each reading one input row: 8 of 16 rows and 8 of 16 columns.
  CHECK(l.ifmap_touched_words() == 8 * 8 * 8);
  CHECK(l.ifmap_words() == 8 * 16 * 16);
}

TEST_CASE("workload: lowering a compute graph keeps conv and linear layers in order") {
  ComputeGraph graph;
  LayerId x = graph.add_input("input", {3, 32, 32});
  x = graph.conv2d("stem", x, 16, 3, 1, 1);
  x = graph.batch_norm("bn", x);
  x = graph.relu("relu", x);
  x = graph.conv2d("dw", x, 16, 3, 2, 1, 1, 16);
  x = graph.global_avg_pool("gap", x);
  x = graph.linear("fc", x, 10);
  graph.mark_output(x);
  const auto layers = lower_graph(graph);
  REQUIRE(layers.size() == 3);
  CHECK(layers[0].name == "stem");
  CHECK(layers[0].type == LayerType::conv);
  CHECK(layers[1].type == LayerType::dwconv);
  CHECK(layers[1].out_h() == 16);
  CHECK(layers[2].type == LayerType::fc);
  CHECK(layers[2].c == 16);
  std::int64_t macs = 0;
  for (const auto& l : layers) macs += l.macs();
  CHECK(macs == graph.total_macs());
}

TEST_CASE("workload: LAYERS.csv parsing and its errors name file:line") {
  const std::string header = "name,type,n,c,h,w,m,r,s,stride,pad,groups\n";
  auto layers = parse_layers_csv(header + "# comment\nconv1,conv,1,3,34,34,16,3,3,1,0,1\n"
                                          "fc,fc,1,64,1,1,10,1,1,1,0,1\n",
                                 "layers.csv");
  REQUIRE(layers.size() == 2);
  CHECK(layers[0].out_h() == 32);
  CHECK_THROWS_WITH_AS(parse_layers_csv(header + "conv1,conv,1,3,34,34,16,3,3,1,0\n", "l.csv"),
                       doctest::Contains("l.csv:2: expected 12"), ParseError);
  CHECK_THROWS_WITH_AS(parse_layers_csv(header + "conv1,conv,1,x,34,34,16,3,3,1,0,1\n", "l.csv"),
                       doctest::Contains("l.csv:2: column 'c'"), ParseError);
  CHECK_THROWS_WITH_AS(parse_layers_csv(header + "\nconv1,cnv,1,3,34,34,16,3,3,1,0,1\n", "l.csv"),
                       doctest::Contains("l.csv:3: column 'type'"), ParseError);
  CHECK_THROWS_WITH_AS(parse_layers_csv(header + "d,dwconv,1,8,8,8,8,3,3,1,1,1\n", "l.csv"),
                       doctest::Contains("groups = c"), ParseError);
  CHECK_THROWS_WITH_AS(parse_layers_csv(header + "c,conv,1,8,2,2,8,3,3,1,0,1\n", "l.csv"),
                       doctest::Contains("larger than the padded input"), ParseError);
  CHECK_THROWS_WITH_AS(parse_layers_csv(header + "c,conv,1,8,8,8,-8,3,3,1,0,1\n", "l.csv"),
                       doctest::Contains("m must be a positive integer, got -8"), ParseError);
  CHECK_THROWS_WITH_AS(parse_layers_csv("name,type\n", "l.csv"),
                       doctest::Contains("l.csv:1: expected the header"), ParseError);
}

// Found by fuzz_layers_csv: sizes whose MAC count overflows std::int64_t reached the models
// (signed overflow in GemmShape::macs(), reported by UBSan); they are refused when read.
TEST_CASE("workload: a layer too large to count in 64 bits is one clear line") {
  const std::string header = "name,type,n,c,h,w,m,r,s,stride,pad,groups\n";
  CHECK_THROWS_WITH_AS(
      parse_layers_csv(header + "big,conv,1,82944,1000000,1000000,283721,1,1,1,0,1\n", "l.csv"),
      "l.csv:2: layer 'big': too large: n*(h+2*pad)*(w+2*pad)*c*m*r*s must be at most 1e18",
      ParseError);
  CHECK(parse_layers_csv(header + "ok,conv,1,64,56,56,64,3,3,1,1,1\n", "l.csv").size() == 1);
}
