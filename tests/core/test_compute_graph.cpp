// ComputeGraph: shapes, MACs and parameters against hand-computed and published counts.
#include <doctest/doctest.h>

#include "core/compute_graph.hpp"
#include "core/error.hpp"

using namespace tandem;

TEST_CASE("LeNet-5 has the published 61,706 parameters") {
  // LeCun et al. 1998 layout on a 1x32x32 input: C1 6@5x5, S2 pool, C3 16@5x5, S4 pool,
  // F5 400->120, F6 120->84, output 84->10, every conv/linear with bias.
  // By hand: 6*25+6=156; 16*6*25+16=2416; 400*120+120=48120; 120*84+84=10164; 84*10+10=850.
  ComputeGraph g;
  auto x = g.add_input("x", {1, 32, 32});
  auto c1 = g.conv2d("c1", x, 6, 5, 1, 0, 1, 1, true);
  auto s2 = g.max_pool("s2", g.relu("r1", c1), 2, 2, 0);
  auto c3 = g.conv2d("c3", s2, 16, 5, 1, 0, 1, 1, true);
  auto s4 = g.max_pool("s4", g.relu("r3", c3), 2, 2, 0);
  auto f5 = g.linear("f5", s4, 120);
  auto f6 = g.linear("f6", g.relu("r5", f5), 84);
  auto out = g.linear("out", g.relu("r6", f6), 10);
  g.mark_output(out);
  CHECK(g.layer(c1).output == TensorShape{6, 28, 28});
  CHECK(g.layer(s4).output == TensorShape{16, 5, 5});
  CHECK(g.total_params() == 61706);
  // MACs by hand: c1 6*28*28*25 = 117600; c3 16*10*10*150 = 240000; fc 48000 + 10080 + 840.
  CHECK(g.layer_macs(c1) == 117600);
  CHECK(g.layer_macs(c3) == 240000);
  CHECK(g.total_macs() == 117600 + 240000 + 48000 + 10080 + 840);
}

TEST_CASE("conv shapes follow PyTorch's formula with stride, padding, dilation and groups") {
  ComputeGraph g;
  auto x = g.add_input("x", {16, 32, 32});
  // dilated 3x3, dilation 2, pad 2, stride 2: (32 + 4 - 2*2 - 1)/2 + 1 = 16
  auto dil = g.conv2d("dil", x, 16, 3, 2, 2, 2, 16);
  CHECK(g.layer(dil).output == TensorShape{16, 16, 16});
  // depthwise: MACs = 16*16*16 * (16/16) * 9 = 36864; params = 16 * 1 * 9 = 144
  CHECK(g.layer_macs(dil) == 36864);
  CHECK(g.layer_params(dil) == 144);
  // 5x5 pad 2 stride 1 keeps 32x32
  auto c5 = g.conv2d("c5", x, 8, 5, 1, 2);
  CHECK(g.layer(c5).output == TensorShape{8, 32, 32});
  // grouped conv: groups 4, 16->32 channels, 1x1: params = 32 * 4 = 128
  auto grouped = g.conv2d("grouped", x, 32, 1, 1, 0, 1, 4);
  CHECK(g.layer_params(grouped) == 128);
  CHECK_THROWS_AS(g.conv2d("bad_groups", x, 10, 1, 1, 0, 1, 3), Error);
  CHECK_THROWS_AS(g.conv2d("too_big", x, 8, 40, 1, 0), Error);
}

TEST_CASE("pooling, batch norm, zero, concat, add and slices infer shapes and counts") {
  ComputeGraph g;
  auto x = g.add_input("x", {8, 15, 15});
  auto pool = g.avg_pool("pool", x, 3, 2, 1, false);  // (15+2-3)/2+1 = 8
  CHECK(g.layer(pool).output == TensorShape{8, 8, 8});
  auto zero = g.zero("zero", x, 4, 2);  // x[:, :, ::2, ::2] -> ceil(15/2) = 8
  CHECK(g.layer(zero).output == TensorShape{4, 8, 8});
  auto cat = g.concat("cat", {pool, zero});
  CHECK(g.layer(cat).output.channels == 12);
  auto bn = g.batch_norm("bn", cat, true);
  CHECK(g.layer_params(bn) == 24);  // gamma + beta per channel
  auto bn_plain = g.batch_norm("bn_plain", cat, false);
  CHECK(g.layer_params(bn_plain) == 0);
  CHECK_THROWS_AS(g.add_sum("mismatch", {pool, zero}), Error);
  LayerAttributes slice;
  slice.slice_begin = 2;
  slice.slice_end = 6;
  auto part = g.add(OpKind::channel_slice, "part", {cat}, slice);
  CHECK(g.layer(part).output == TensorShape{4, 8, 8});
  auto gap = g.global_avg_pool("gap", part);
  auto fc = g.linear("fc", gap, 3, false);
  CHECK(g.layer_params(fc) == 12);
  auto order = g.topological_order();
  REQUIRE(order.size() == g.size());
  std::vector<std::size_t> position(g.size());
  for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  for (const auto& layer : g.layers())
    for (auto input : layer.inputs) CHECK(position[input] < position[layer.id]);
}

TEST_CASE("op kinds round-trip through their names and unknown names are rejected") {
  for (auto kind : {OpKind::conv2d, OpKind::linear, OpKind::channel_shuffle, OpKind::zero})
    CHECK(op_kind_from_string(to_string(kind)) == kind);
  CHECK_THROWS_WITH_AS(op_kind_from_string("conv"), doctest::Contains("did you mean"), Error);
}
