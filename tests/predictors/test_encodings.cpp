// Tests for the architecture encodings: path and adjacency encodings of hand-picked nb201 and DARTS
// cells, with every expected bit worked out by hand in the comments; joint spaces; bad input.
#include <doctest/doctest.h>

#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "core/config_node.hpp"
#include "core/error.hpp"
#include "predictors/encodings.hpp"
#include "spaces/darts_space.hpp"
#include "spaces/joint_space.hpp"
#include "spaces/nb201_space.hpp"

using namespace tandem;

namespace {

std::set<std::size_t> set_bits(const std::vector<double>& encoding) {
  std::set<std::size_t> bits;
  for (std::size_t i = 0; i < encoding.size(); ++i) {
    if (encoding[i] == 1.0) bits.insert(i);
    else REQUIRE(encoding[i] == 0.0);
  }
  return bits;
}

// Index of (row, column), row < column, in a strictly upper triangle of n nodes stored row by row.
std::size_t upper(std::size_t n, std::size_t row, std::size_t column) {
  return row * n - row * (row + 1) / 2 + (column - row - 1);
}

// Ops (AutoDL order): none 0, skip_connect 1, nor_conv_1x1 2, nor_conv_3x3 3, avg_pool_3x3 4.
// Edges 1<-0 conv3x3 (3), 2<-0 skip (1), 2<-1 avg_pool (4), 3<-0 conv1x1 (2), 3<-1 none (0),
// 3<-2 conv3x3 (3).
const std::string kCell =
    "|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|";

}  // namespace

TEST_CASE("path encoding of a hand-picked nb201 cell") {
  Nb201Space space;
  ArchitectureEncoder encoder(space, EncodingKind::path);
  CHECK(encoder.size() == 155);
  // The 4 input->output paths and their indices offset(L) + sum_j op_j 5^j:
  //   3<-0            [conv1x1]              0 + 2                  = 2
  //   1<-0, 3<-1      [conv3x3, none]        5 + 3 + 0*5            = 8
  //   2<-0, 3<-2      [skip, conv3x3]        5 + 1 + 3*5            = 21
  //   1<-0,2<-1,3<-2  [conv3x3, avg, conv3x3] 30 + 3 + 4*5 + 3*25   = 128
  CHECK(set_bits(encoder.encode(space.parse(kCell))) == std::set<std::size_t>{2, 8, 21, 128});
  // All skip: the two length-2 paths coincide: [skip] 1, [skip, skip] 5 + 1 + 5 = 11 (twice),
  // [skip, skip, skip] 30 + 1 + 5 + 25 = 61: three bits.
  const Candidate all_skip{std::vector<int>(6, 1)};
  CHECK(set_bits(encoder.encode(all_skip)) == std::set<std::size_t>{1, 11, 61});
}

TEST_CASE("adjacency encoding of a hand-picked nb201 cell") {
  Nb201Space space;
  ArchitectureEncoder encoder(space, EncodingKind::adjacency);
  CHECK(encoder.size() == 28 + 30);
  // Op nodes: 1 = 1<-0, 2 = 2<-0, 3 = 2<-1, 4 = 3<-0, 5 = 3<-1 (none, unwired), 6 = 3<-2; 7 = out.
  // Wiring: input -> 1, 2, 4; node 1 -> 3 (2<-1 reads cell node 1); 2 and 3 -> 6 (3<-2 reads cell
  // node 2); 4 and 6 -> output.
  std::set<std::size_t> expected = {upper(8, 0, 1), upper(8, 0, 2), upper(8, 0, 4), upper(8, 1, 3),
                                    upper(8, 2, 6), upper(8, 3, 6), upper(8, 4, 7), upper(8, 6, 7)};
  const std::vector<int> ops = {3, 1, 4, 2, 0, 3};
  for (std::size_t edge = 0; edge < 6; ++edge) expected.insert(28 + edge * 5 + ops[edge]);
  CHECK(set_bits(encoder.encode(space.parse(kCell))) == expected);
}

TEST_CASE("one_hot encoding is the space's one-hot blocks") {
  Nb201Space space;
  ArchitectureEncoder encoder(space, EncodingKind::one_hot);
  CHECK(encoder.size() == 30);
  // Block e holds op e: bits 5e + op.
  CHECK(set_bits(encoder.encode(space.parse(kCell))) ==
        std::set<std::size_t>{0 + 3, 5 + 1, 10 + 4, 15 + 2, 20 + 0, 25 + 3});
}

TEST_CASE("path and adjacency encodings of the DARTS_V2 genotype") {
  DartsSpace space;
  // quark0/darts cnn/genotypes.py DARTS_V2.
  const Candidate v2 = space.parse(
      "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
      "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
      "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
      "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
      "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])");
  ArchitectureEncoder path(space, EncodingKind::path);
  CHECK(path.size() == 4 * 2801);
  // Ops: max_pool 0, avg_pool 1, skip 2, sep3 3, sep5 4, dil3 5, dil5 6; a path's bit is
  // (2 cell + input) * 2801 + sum_j 7^j (op_j + 1).
  // Normal: in0 [sep3] 4; in1 [sep3] 2801 + 4; in0 [skip] 3; node 5 extends node 2's paths by dil3:
  // in0 [sep3, dil3] 4 + 7*6 = 46, in1 [sep3, dil3] 2801 + 46.
  // Reduce (base 5602 / 8403): [max] from each input (+1); node 3 extends node 2 by skip:
  // [max, skip] 1 + 7*3 = 22 from each input; nodes 4, 5 repeat these paths.
  CHECK(set_bits(path.encode(v2)) == std::set<std::size_t>{3, 4, 46, 2805, 2847, 5603, 5624, 8404,
                                                           8425});
  ArchitectureEncoder adjacency(space, EncodingKind::adjacency);
  CHECK(adjacency.size() == 2 * (21 + 56));
  const std::vector<double> encoded = adjacency.encode(v2);
  // Normal cell: 8 distinct (input, node) pairs + 4 node -> output entries + 8 op bits.
  CHECK(std::accumulate(encoded.begin(), encoded.begin() + 77, 0.0) == 20.0);
  CHECK(encoded[upper(7, 2, 5)] == 1.0);  // node 5 reads node 2
  CHECK(encoded[upper(7, 0, 5)] == 1.0);  // node 5 reads c_{k-2}
  CHECK(encoded[upper(7, 1, 5)] == 0.0);
  CHECK(encoded[21 + 7 * 7 + 5] == 1.0);  // the 8th edge is dil_conv_3x3
  // Reduce cell: pairs (0,2) (1,2) (2,3) (1,3) (0,4) (2,4) (2,5) (1,5) + 4 outputs + 8 ops.
  CHECK(std::accumulate(encoded.begin() + 77, encoded.end(), 0.0) == 20.0);
  CHECK(encoded[77 + upper(7, 2, 3)] == 1.0);
}

TEST_CASE("joint spaces encode the network part and append the accelerator one-hot") {
  auto accelerator = space_registry().create("systolic_hw", ConfigNode());
  const std::size_t hw_size = accelerator->one_hot_size();
  JointSpace joint(std::make_unique<Nb201Space>(), std::move(accelerator));
  ArchitectureEncoder encoder(joint, EncodingKind::path);
  CHECK(encoder.size() == 155 + hw_size);
  Rng rng(3);
  const Candidate hw = joint.accelerator().sample(rng);
  const Candidate candidate = joint.combine(Nb201Space().parse(kCell), hw);
  const std::vector<double> encoded = encoder.encode(candidate);
  const std::vector<double> hw_one_hot = joint.accelerator().one_hot(hw);
  CHECK(std::vector<double>(encoded.begin() + 155, encoded.end()) == hw_one_hot);
  std::vector<double> network(encoded.begin(), encoded.begin() + 155);
  CHECK(set_bits(network) == std::set<std::size_t>{2, 8, 21, 128});
}

TEST_CASE("encodings reject spaces without a cell DAG and unknown names") {
  auto mlp = space_registry().create("mlp", ConfigNode());
  CHECK_THROWS_WITH_AS(ArchitectureEncoder(*mlp, EncodingKind::path),
                       doctest::Contains("accepts only encoding 'one_hot'"), ConfigError);
  CHECK(ArchitectureEncoder(*mlp, EncodingKind::one_hot).size() == mlp->one_hot_size());
  CHECK_THROWS_WITH_AS(parse_encoding_kind("paths"), doctest::Contains("did you mean"),
                       ConfigError);
  CHECK(parse_encoding_kind("adjacency") == EncodingKind::adjacency);
}
